// The model worker: TF.js and every feature's host handlers, on a thread of their own. The offscreen document
// that starts it shares one main thread with the popup and every other page of the extension (Chrome runs them
// in one renderer process), so a forward pass there froze the popup, and the popup opening on a right-click
// held the classification back. The document relays; this worker computes. Wiring only.
import { assertContext } from '../shared/context';
import type { BackgroundToHost, HostToBackground } from '../shared/messages';
import { wireModelHost } from '../host/wire';
import { setSvgRasterizer } from '../engine/image';
import { ImageError } from '../engine/image-error';
import type { FromWorker, ToWorker } from './worker-protocol';
import { Pending } from './relay';
import { fail } from '../shared/protocol';

assertContext('model-worker');

const out = (m: FromWorker, transfer: Transferable[] = []) => (self as unknown as Worker).postMessage(m, transfer);

// An SVG is drawn by the document (it has a DOM) and comes back as a bitmap.
const svgs = new Pending<ImageBitmap | Error>();
setSvgRasterizer(async (blob) => {
  const r = await svgs.wait((id) => out({ kind: 'svg', id, blob }));
  if (r instanceof Error) throw r;
  return r;
});

const { runtime, handlers } = wireModelHost((msg: HostToBackground) => out({ kind: 'report', msg }));

self.onmessage = (e: MessageEvent<ToWorker>) => {
  const m = e.data;
  if (m.kind === 'svg-done') return svgs.settle(m.id, m.bitmap ?? new ImageError('decode-failed', m.error ?? 'The SVG image could not be drawn'));
  const handle = handlers[m.msg.type] as (msg: BackgroundToHost) => Promise<unknown>;
  void handle(m.msg).then((reply) => out({ kind: 'reply', id: m.id, reply }), (err: Error) => out({ kind: 'reply', id: m.id, reply: fail('internal', err?.message ?? String(err)) }));
};

out({ kind: 'ready' });

// Tests and the benchmark reach the runtime through the DevTools protocol; only a test build has this.
if (import.meta.env.MODE === 'test') void import('./test-hooks').then((m) => m.expose(runtime));
