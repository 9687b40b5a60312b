// Long-running model-host work: cancellation by job id, throttled progress, and the one mapping from thrown
// errors to the replies a user reads.
import { fail, type Failure } from '../shared/protocol';
import { ImageError } from './image';
import { ModelLoadError } from './model';

export class Cancelled extends Error {
  constructor() { super('cancelled'); this.name = 'Cancelled'; }
}

/** A refusal the user can act on (too little data, a damaged file, a missing layer): said as it is. */
export class RequestError extends Error {
  constructor(message: string, readonly code: 'bad-request' | 'no-result' = 'bad-request') { super(message); this.name = 'RequestError'; }
}

export function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw new Cancelled();
}

/** Gives the event loop a turn, so cancel messages get through between batches. */
const yieldToEvents = () => new Promise<void>((r) => setTimeout(r, 0));

/** Between batches: let queued messages (a cancel, a newer request) in, then stop if cancelled. */
export async function throwIfAbortedAsync(signal?: AbortSignal): Promise<void> {
  await yieldToEvents();
  throwIfAborted(signal);
}

/** Every error a handler can meet, as the reply the user sees; anything unexpected is logged as internal. */
export function toFailure(e: unknown): Failure {
  if (e instanceof Cancelled) return fail('cancelled', 'Cancelled.');
  if (e instanceof RequestError) return fail(e.code, e.message);
  if (e instanceof ImageError) return fail(e.code, e.message);
  if (e instanceof ModelLoadError) return fail('model-load-failed', e.message);
  console.error('NetLens model host error', e);
  return fail('internal', `Something went wrong inside the model host: ${(e as Error)?.message ?? String(e)}`);
}

interface JobProgress { jobId: string; progress: number; message: string }

export interface Job {
  readonly signal: AbortSignal;
  /** Reports 0..1 progress, at most every `throttleMs` (the end always gets through). */
  progress(fraction: number, message: string): void;
}

export interface OpenJob extends Job { close(): void }

/** Jobs by id, so a cancel message can reach the work it names. */
export class JobRegistry {
  private readonly running = new Map<string, AbortController>();

  constructor(private readonly emit: (p: JobProgress) => void = () => {}) {}

  get size(): number { return this.running.size; }

  /**
   * Registers a job at once, so a cancel that arrives while it still waits in the queue counts. The caller
   * closes it when done (Session.serveJob does both).
   */
  open(jobId: string, throttleMs = 100): OpenJob {
    const ctrl = new AbortController();
    this.running.set(jobId, ctrl);
    let last = -Infinity;
    return {
      signal: ctrl.signal,
      progress: (f, message) => {
        const now = performance.now();
        if (now - last < throttleMs && f < 1) return; // a few updates a second is plenty
        last = now;
        this.emit({ jobId, progress: Math.min(1, Math.max(0, f)), message });
      },
      close: () => { if (this.running.get(jobId) === ctrl) this.running.delete(jobId); },
    };
  }

  cancel(jobId: string): boolean {
    const c = this.running.get(jobId);
    c?.abort();
    return Boolean(c);
  }
}
