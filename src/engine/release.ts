// WebAssembly memory only grows: after a batched gradient job (IG(32) at batch 8 peaks at ~1.2 GB here) the
// model host keeps that much until its document closes. So once such a job is over and the host has been idle
// a while, it asks to be closed; the next request starts a new one (a cold start, ~2 s), its memory back to
// what loading the model takes.
import * as tf from '@tensorflow/tfjs';

/** Above this much wasm memory an idle host asks to be released (a loaded MobileNet takes ~120 MB). */
export const RELEASE_ABOVE_BYTES = 400 * 2 ** 20;
/** Idle this long, the host asks: long enough that a learner reading a map keeps the host warm. */
export const RELEASE_AFTER_IDLE_MS = 3 * 60_000;

/** The wasm backend's memory in bytes (0 on other backends). */
export function wasmHeapBytes(): number {
  if (tf.getBackend() !== 'wasm') return 0;
  return (tf.backend() as unknown as { wasm?: { HEAPU8?: Uint8Array } }).wasm?.HEAPU8?.buffer.byteLength ?? 0;
}

export interface ReleasePolicy { aboveBytes: number; idleMs: number }

/** Counts the work in flight; when the last piece ends with the heap above the policy's bound, arms a timer. */
export class IdleRelease {
  private active = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;

  readonly policy: ReleasePolicy;
  private readonly heap: () => number;
  private readonly busy: () => boolean;

  constructor(
    private readonly ask: (bytes: number) => void,
    opts: {
      policy?: ReleasePolicy;
      heap?: () => number;
      /** work that runs outside a request (queued after an answer): asked again when the delay is over */
      busy?: () => boolean;
    } = {},
  ) {
    this.policy = opts.policy ?? { aboveBytes: RELEASE_ABOVE_BYTES, idleMs: RELEASE_AFTER_IDLE_MS };
    this.heap = opts.heap ?? wasmHeapBytes;
    this.busy = opts.busy ?? (() => false);
  }

  async around<T>(work: () => Promise<T>): Promise<T> {
    this.active++;
    clearTimeout(this.timer);
    this.timer = undefined;
    try {
      return await work();
    } finally {
      if (--this.active === 0) this.arm();
    }
  }

  get armed(): boolean { return this.timer !== undefined; }

  private arm(): void {
    if (this.heap() <= this.policy.aboveBytes) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.active > 0) return;
      if (this.busy()) this.arm();
      else this.ask(this.heap());
    }, this.policy.idleMs);
  }
}
