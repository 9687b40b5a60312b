// The model host's runtime, built directly: a Session on the real weights (no offscreen document, no
// messages) and the job registry. What a learner would notice if these broke: a cancelled job that still runs,
// an error shown as "internal", a stale input explained after the model changed, tensors piling up.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { Cancelled, JobRegistry, RequestError, toFailure } from '../../src/engine/jobs';
import { ImageError } from '../../src/engine/image';
import { ModelLoadError } from '../../src/engine/model';
import { Session, type LoadProgress } from '../../src/engine/session';
import { initBackend, readInstalled } from './helpers';

let backend: 'wasm' | 'cpu' = 'wasm';
const req = (modelId: string) => ({ modelId, backend, remembered: null });

describe('toFailure: every error as the reply a user reads', () => {
  test.each([
    [new Cancelled(), 'cancelled', 'Cancelled.'],
    [new RequestError('Teach two classes.'), 'bad-request', 'Teach two classes.'],
    [new RequestError('Nothing trained.', 'no-result'), 'no-result', 'Nothing trained.'],
    [new ImageError('http-status', 'The server answered 404'), 'http-status', 'The server answered 404'],
    [new ModelLoadError('m', 'file missing'), 'model-load-failed', 'file missing'],
  ])('%s → %s', (e, code, message) => {
    expect(toFailure(e)).toEqual({ ok: false, error: { code, message } });
  });

  test('anything else is internal, logged, with its message kept', () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    expect(toFailure(new TypeError('x is undefined'))).toEqual({ ok: false, error: { code: 'internal', message: 'Something went wrong inside the model host: x is undefined' } });
    expect(log).toHaveBeenCalledTimes(1);
    log.mockRestore();
  });
});

describe('JobRegistry', () => {
  test('cancel reaches an open job by id, once; a closed job is gone', () => {
    const jobs = new JobRegistry();
    const job = jobs.open('a');
    expect(jobs.size).toBe(1);
    expect(job.signal.aborted).toBe(false);
    expect(jobs.cancel('a')).toBe(true);
    expect(job.signal.aborted).toBe(true);
    job.close();
    expect(jobs.size).toBe(0);
    expect(jobs.cancel('a')).toBe(false);
    expect(jobs.cancel('never')).toBe(false);
  });

  test('progress is throttled, clamped to 0..1, and the end always gets through', () => {
    const seen: number[] = [];
    const jobs = new JobRegistry((p) => seen.push(p.progress));
    const job = jobs.open('p', 10_000);
    job.progress(-0.5, 'x'); // first report passes, clamped
    job.progress(0.3, 'x'); // within the throttle window: dropped
    job.progress(0.6, 'x'); // dropped
    job.progress(1.7, 'x'); // the end: passes, clamped
    expect(seen).toEqual([0, 1]);
  });
});

describe('Session', () => {
  let session: Session;
  const events: LoadProgress[] = [];
  let dropped = 0;

  beforeAll(async () => {
    backend = (await initBackend()) as typeof backend;
    session = new Session(readInstalled, (p) => events.push(p));
    session.onModelChange(() => { dropped++; });
  });
  afterAll(() => { session.model?.dispose(); });

  test('prepare loads the model once, reporting its progress; asking again reuses it', async () => {
    const a = await session.prepare(req('mobilenet-v1-0.25-224'), 'r1');
    expect(a.model.entry.id).toBe('mobilenet-v1-0.25-224');
    expect(a.backend.backend).toBe(backend);
    const loading = events.filter((e) => e.phase === 'model' && e.requestId === 'r1');
    expect(loading[0]!.progress).toBe(0);
    expect(loading.at(-1)!.progress).toBe(1);
    const b = await session.prepare(req('mobilenet-v1-0.25-224'));
    expect(b.model).toBe(a.model);
  });

  test('an unknown model is a model-load failure through serve, and the queue goes on', async () => {
    const r = await session.serve(() => session.prepare(req('no-such-model')));
    expect(r).toEqual({ ok: false, error: { code: 'model-load-failed', message: 'Unknown model "no-such-model"' } });
    expect(await session.serve(async () => 42)).toBe(42);
  });

  test('inputs are cached per request; the oldest beyond six are disposed; none survive a model change', async () => {
    const { model } = await session.prepare(req('mobilenet-v1-0.25-224'));
    const before = tf.memory().numTensors;
    const inputs = Array.from({ length: 8 }, (_, i) => { const t = tf.zeros([1, 224, 224, 3]) as tf.Tensor4D; session.keepInput(`q${i}`, model, t); return t; });
    expect(tf.memory().numTensors - before).toBe(6);
    expect(inputs[0]!.isDisposed).toBe(true);
    expect(session.cachedInput('q7', model)).toBe(inputs[7]);
    expect(await session.inputFor({ requestId: 'q7', source: null }, model)).toBe(inputs[7]);
    await expect(session.inputFor({ requestId: 'gone', source: null }, model)).rejects.toThrow(/no longer available/);

    const droppedBefore = dropped;
    const next = await session.prepare(req('cnn-explainer-tiny-vgg'));
    expect(dropped).toBe(droppedBefore + 1);
    expect(model.entry.id).toBe('mobilenet-v1-0.25-224');
    expect(inputs[7]!.isDisposed).toBe(true);
    expect(session.cachedInput('q7', next.model)).toBeUndefined();
  });

  test('serveJob: a job cancelled while it waits in the queue answers cancelled at once, and never runs', async () => {
    const jobs = new JobRegistry();
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    const blocker = session.serve(() => gate);
    const ran = vi.fn(async () => ({ ok: true as const }));
    const waiting = session.serveJob(jobs.open('j1'), ran);
    expect(jobs.cancel('j1')).toBe(true);
    // it answers before the job ahead of it is done
    expect(await waiting).toEqual({ ok: false, error: { code: 'cancelled', message: 'Cancelled.' } });
    release();
    await blocker;
    await session.serve(async () => {});
    expect(ran).not.toHaveBeenCalled();
    expect(jobs.size).toBe(0);
  });

  test('the explanation adapter is one per loaded model', async () => {
    const { model } = await session.prepare(req('cnn-explainer-tiny-vgg'));
    expect(session.adapter(model)).toBe(session.adapter(model));
  });
});
