// "Training you can see" and the pixels-only model, beside My classes: the LR finder (a range test, its curve
// and a suggested rate to train with), and a linear classifier straight on the examples' pixels.
import { signal, type ReadonlySignal } from '@preact/signals';
import type { PopupConnector } from '../../../popup/connector';
import type { LrFinder, PixelLinear } from '../contract';
import { HIDDEN_UNITS } from '../contract';

type Job<T> = { status: 'idle' } | { status: 'running'; jobId: string; progress: number } | { status: 'done'; value: T } | { status: 'error'; message: string };

export function createExtrasVm(c: PopupConnector, opts: { tabId: () => number | null; hidden: () => boolean }) {
  const lr = signal<Job<LrFinder>>({ status: 'idle' });
  const learningRate = signal<number | null>(null);
  const pixels = signal<Job<PixelLinear>>({ status: 'idle' });
  const applyError = signal<string | null>(null);
  let off: (() => void) | null = null;
  const follow = () => {
    off ??= c.onJobProgress((p) => {
      for (const s of [lr, pixels] as const) {
        const v = s.value;
        if (v.status === 'running' && v.jobId === p.jobId) s.value = { ...v, progress: p.progress } as never;
      }
    });
  };
  return {
    lr: lr as ReadonlySignal<Job<LrFinder>>,
    /** the rate the next training uses (null: the default) */
    learningRate: learningRate as ReadonlySignal<number | null>,
    pixels: pixels as ReadonlySignal<Job<PixelLinear>>,
    async findLr() {
      follow();
      const jobId = crypto.randomUUID();
      lr.value = { status: 'running', jobId, progress: 0 };
      const r = await c.lrFind(jobId, opts.hidden() ? HIDDEN_UNITS : 0).catch((e: Error) => ({ ok: false as const, error: { code: 'interrupted' as const, message: e.message } }));
      lr.value = r.ok ? { status: 'done', value: r.result } : { status: 'error', message: r.error.message };
    },
    useRate(rate: number | null) { learningRate.value = rate; },
    applyError: applyError as ReadonlySignal<string | null>,
    async pixelModel(task: 'train' | 'apply') {
      follow();
      const jobId = crypto.randomUUID();
      const before = pixels.value;
      pixels.value = { status: 'running', jobId, progress: 0 };
      applyError.value = null;
      const tab = opts.tabId();
      const r = await c.pixelLinear(jobId, task, tab ?? undefined).catch((e: Error) => ({ ok: false as const, error: { code: 'interrupted' as const, message: e.message } }));
      if (!r.ok && task === 'apply' && before.status === 'done') { pixels.value = before; applyError.value = r.error.message; return; }
      pixels.value = r.ok ? { status: 'done', value: r.result } : { status: 'error', message: r.error.message };
    },
    stop() { off?.(); off = null; },
  };
}

export type ExtrasVm = ReturnType<typeof createExtrasVm>;
