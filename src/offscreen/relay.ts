// The offscreen document's side of its model worker, and the answers both sides wait for by number. TF-free and
// free of extension APIs, so it is tested in Node with a stand-in worker.
import { fail } from '../shared/protocol';
import type { BackgroundToHost, HostToBackground } from '../shared/messages';
import type { FromWorker, ToWorker } from './worker-protocol';

/** Answers awaited by id: a numbered message goes out, the reply with that number settles its promise. */
export class Pending<T> {
  private next = 0;
  private readonly waiting = new Map<number, (v: T) => void>();
  wait(send: (id: number) => void): Promise<T> {
    const id = ++this.next;
    return new Promise<T>((resolve) => { this.waiting.set(id, resolve); send(id); });
  }
  settle(id: number, v: T): void { this.waiting.get(id)?.(v); this.waiting.delete(id); }
  settleAll(v: T): void { for (const resolve of this.waiting.values()) resolve(v); this.waiting.clear(); }
  get size(): number { return this.waiting.size; }
}

/** What of a Worker the relay uses. */
export interface WorkerPort {
  postMessage(m: ToWorker, transfer?: Transferable[]): void;
  onmessage: ((e: MessageEvent<FromWorker>) => void) | null;
  onerror: ((e: ErrorEvent) => void) | null;
}

/**
 * Requests go to the worker and come back by id; its reports are forwarded; its SVGs are drawn here. A worker
 * whose script fails to load answers nothing, so then every request, waiting or later, says so instead of
 * hanging. Once it runs, an uncaught error is one request's: its handler answers with it.
 */
export class WorkerRelay {
  private readonly replies = new Pending<unknown>();
  private ready = false;
  private dead: string | null = null;

  constructor(private readonly worker: WorkerPort, side: { report(msg: HostToBackground): void; drawSvg(blob: Blob): Promise<ImageBitmap> }) {
    worker.onmessage = (e) => {
      const m = e.data;
      if (m.kind === 'ready') this.ready = true;
      else if (m.kind === 'reply') this.replies.settle(m.id, m.reply);
      else if (m.kind === 'report') side.report(m.msg);
      else void side.drawSvg(m.blob).then(
        (bitmap) => worker.postMessage({ kind: 'svg-done', id: m.id, bitmap }, [bitmap]),
        (err: Error) => worker.postMessage({ kind: 'svg-done', id: m.id, bitmap: null, error: err.message }),
      );
    };
    worker.onerror = (e) => {
      if (this.ready) return;
      this.dead = `The model worker did not start: ${e.message || 'unknown error'}`;
      this.replies.settleAll(fail('internal', this.dead));
    };
  }

  request(msg: BackgroundToHost): Promise<unknown> {
    if (this.dead) return Promise.resolve(fail('internal', this.dead));
    return this.replies.wait((id) => this.worker.postMessage({ kind: 'request', id, msg }));
  }
}
