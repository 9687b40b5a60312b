// The offscreen document's relay to its model worker, with a stand-in worker: replies by number whatever their
// order, reports forwarded, SVGs drawn and sent back, and a worker that never started answering every request.
import { describe, expect, test } from 'vitest';
import { Pending, WorkerRelay, type WorkerPort } from '../../src/offscreen/relay';
import type { FromWorker, ToWorker } from '../../src/offscreen/worker-protocol';
import type { BackgroundToHost, HostToBackground } from '../../src/shared/messages';

function standIn() {
  const sent: { m: ToWorker; transfer?: Transferable[] }[] = [];
  const port: WorkerPort = { postMessage: (m, transfer) => { sent.push({ m, transfer }); }, onmessage: null, onerror: null };
  const from = (m: FromWorker) => port.onmessage!({ data: m } as MessageEvent<FromWorker>);
  const crash = (message: string) => port.onerror!({ message } as ErrorEvent);
  return { port, sent, from, crash };
}
const req = (url: string) => ({ type: 'bg/prefetch', target: 'offscreen', url }) as unknown as BackgroundToHost;
const settled = async <T>(p: Promise<T>) => Promise.race([p.then((v) => ({ v })), new Promise<'waiting'>((r) => setTimeout(() => r('waiting'), 20))]);

describe('Pending', () => {
  test('each answer settles the promise with its own number; unknown numbers change nothing; settleAll empties it', async () => {
    const p = new Pending<string>();
    const ids: number[] = [];
    const a = p.wait((id) => ids.push(id)), b = p.wait((id) => ids.push(id)), c = p.wait((id) => ids.push(id));
    expect(ids).toEqual([1, 2, 3]);
    p.settle(2, 'two'); p.settle(99, 'nobody'); p.settle(1, 'one');
    expect(await a).toBe('one');
    expect(await b).toBe('two');
    expect(p.size).toBe(1);
    expect(await settled(c)).toBe('waiting');
    p.settleAll('all');
    expect(await c).toBe('all');
    expect(p.size).toBe(0);
  });
});

describe('WorkerRelay', () => {
  const side = (reports: HostToBackground[] = [], draw: (b: Blob) => Promise<ImageBitmap> = async () => ({ width: 1 }) as ImageBitmap) => ({ report: (m: HostToBackground) => { reports.push(m); }, drawSvg: draw });

  test('requests go out numbered and each reply reaches its own request, in any order', async () => {
    const w = standIn();
    const relay = new WorkerRelay(w.port, side());
    w.from({ kind: 'ready' });
    const a = relay.request(req('http://a/')), b = relay.request(req('http://b/'));
    expect(w.sent.map((s) => s.m)).toEqual([{ kind: 'request', id: 1, msg: req('http://a/') }, { kind: 'request', id: 2, msg: req('http://b/') }]);
    w.from({ kind: 'reply', id: 2, reply: 'B' });
    expect(await settled(a)).toBe('waiting');
    w.from({ kind: 'reply', id: 1, reply: 'A' });
    expect([await a, await b]).toEqual(['A', 'B']);
  });

  test('reports are forwarded; an SVG is drawn and its bitmap sent back (transferred), a failure as its message', async () => {
    const w = standIn();
    const reports: HostToBackground[] = [];
    const bitmap = { width: 7 } as ImageBitmap;
    let fails = false;
    new WorkerRelay(w.port, side(reports, async () => { if (fails) throw new Error('The SVG image could not be drawn'); return bitmap; }));
    const report = { type: 'offscreen/release', bytes: 5 } as HostToBackground;
    w.from({ kind: 'report', msg: report });
    expect(reports).toEqual([report]);
    w.from({ kind: 'svg', id: 4, blob: new Blob(['<svg/>']) });
    await new Promise((r) => setTimeout(r, 0));
    expect(w.sent.at(-1)).toEqual({ m: { kind: 'svg-done', id: 4, bitmap }, transfer: [bitmap] });
    fails = true;
    w.from({ kind: 'svg', id: 5, blob: new Blob(['x']) });
    await new Promise((r) => setTimeout(r, 0));
    expect(w.sent.at(-1)!.m).toEqual({ kind: 'svg-done', id: 5, bitmap: null, error: 'The SVG image could not be drawn' });
  });

  test('a worker that fails before it is ready: the waiting request and every later one say so at once', async () => {
    const w = standIn();
    const relay = new WorkerRelay(w.port, side());
    const waiting = relay.request(req('http://a/'));
    w.crash('SyntaxError: Unexpected token');
    const message = 'The model worker did not start: SyntaxError: Unexpected token';
    expect(await waiting).toEqual({ ok: false, error: { code: 'internal', message } });
    expect(await relay.request(req('http://b/'))).toEqual({ ok: false, error: { code: 'internal', message } });
    expect(w.sent).toHaveLength(1); // the later request never went to the dead worker
  });

  test('an uncaught error after the worker is ready fails nothing: the request still gets its own reply', async () => {
    const w = standIn();
    const relay = new WorkerRelay(w.port, side());
    w.from({ kind: 'ready' });
    const p = relay.request(req('http://a/'));
    w.crash('TypeError: in some callback');
    expect(await settled(p)).toBe('waiting');
    w.from({ kind: 'reply', id: 1, reply: { ok: true } });
    expect(await p).toEqual({ ok: true });
  });
});
