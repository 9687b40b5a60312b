// The model host's brain: one backend, one loaded model, one queue. Requests are served in arrival order;
// image downloads start at once (so a slow server does not hold up the queue's turn-taking any longer than
// needed) but inference happens strictly one request at a time. Every tensor is disposed (see model.ts).
import * as tf from '@tensorflow/tfjs';
import { getModel, findModel } from '../shared/catalog';
import { fail, type Backend, type BackgroundToHost, type HostToBackground, type Replies } from '../shared/messages';
import { ensureBackend } from './backends';
import { decodeImage, displayUrl, ImageError, thumbnailDataUrl, type DecodedImage } from './image';
import { ModelLoadError, NetLensModel, type ReadFile } from './model';
import { SerialQueue } from './queue';

type Progress = Omit<Extract<HostToBackground, { type: 'offscreen/progress' }>, 'type'>;
type ClassifyReq = Extract<BackgroundToHost, { type: 'bg/classify' }>;
type PreloadReq = Extract<BackgroundToHost, { type: 'bg/preload' }>;

export class Engine {
  readonly queue = new SerialQueue();
  model: NetLensModel | null = null;
  backend: { backend: Backend; reason: string; pref: string } | null = null;

  constructor(private readonly read: ReadFile, private readonly emit: (p: Progress) => void) {}

  private progress(requestId: string | null, phase: Progress['phase'], message: string, progress: number | null = null) {
    this.emit({ requestId, phase, message, progress, queueDepth: this.queue.depth });
  }

  /** Puts the right backend and model in place (inside the queue, so never concurrently). */
  private async prepare(modelId: string, pref: ClassifyReq['backend'], remembered: ClassifyReq['remembered'], requestId: string | null) {
    const entry = findModel(modelId);
    if (!entry || entry.task !== 'classifier') throw new ModelLoadError(modelId, `Unknown model "${modelId}"`);
    let choice = null;
    if (!this.backend || this.backend.pref !== pref) {
      this.progress(requestId, 'backend', 'Choosing the fastest backend…');
      const before = tf.getBackend();
      const b = await ensureBackend(pref, remembered);
      choice = b.choice;
      // Weights live on a backend: after a switch the model is loaded again on the new one.
      if (before !== b.backend && this.model) { this.model.dispose(); this.model = null; }
      this.backend = { backend: b.backend, reason: b.reason, pref };
    }
    if (this.model?.entry.id !== modelId) {
      this.model?.dispose();
      this.model = null;
      this.progress(requestId, 'model', `Loading ${entry.name}…`, 0);
      this.model = await NetLensModel.load(getModel(modelId), {
        read: this.read,
        verify: true,
        warmUp: true,
        onProgress: (f) => this.progress(requestId, 'model', `Loading ${entry.name}…`, f),
      });
    }
    return { model: this.model, backend: this.backend, choice };
  }

  preload(req: PreloadReq): Promise<Replies['bg/preload']> {
    return this.queue.run(async () => {
      try {
        const { backend, choice } = await this.prepare(req.modelId, req.backend, req.remembered, null);
        return { ok: true as const, backend: { backend: backend.backend, reason: backend.reason }, choice };
      } catch (e) {
        return this.toFailure(e);
      }
    });
  }

  classify(req: ClassifyReq): Promise<Replies['bg/classify']> {
    const t0 = performance.now();
    this.progress(req.requestId, 'capture', 'Fetching the image…');
    // Start the download now; settle into a value so an early failure is never an unhandled rejection.
    const decoding: Promise<DecodedImage | Error> = decodeImage(req.source.url).catch((e: Error) => e);
    if (this.queue.depth > 0) this.progress(req.requestId, 'queued', `Waiting for ${this.queue.depth} earlier image${this.queue.depth > 1 ? 's' : ''}…`);
    return this.queue.run(async () => {
      const img = await decoding;
      if (img instanceof Error) return this.toFailure(img);
      try {
        const { model, backend, choice } = await this.prepare(req.modelId, req.backend, req.remembered, req.requestId);
        this.progress(req.requestId, 'classify', `Classifying with ${model.entry.name}…`);
        const t1 = performance.now();
        const predictions = await model.classify(img.bitmap, 5);
        const elapsedMs = performance.now() - t1;
        const thumbnail = await thumbnailDataUrl(img.bitmap);
        return {
          ok: true as const,
          choice,
          result: {
            requestId: req.requestId,
            modelId: model.entry.id,
            modelName: model.entry.name,
            backend: backend.backend,
            backendReason: backend.reason,
            predictions,
            elapsedMs: Math.round(elapsedMs * 10) / 10,
            totalMs: Math.round(performance.now() - t0),
            image: { width: img.width, height: img.height, originalWidth: img.originalWidth, originalHeight: img.originalHeight },
            thumbnail,
            source: { kind: req.source.kind, url: displayUrl(req.source.url) },
            at: Date.now(),
          },
        };
      } catch (e) {
        return this.toFailure(e);
      } finally {
        img.bitmap.close();
      }
    });
  }

  private toFailure(e: unknown) {
    if (e instanceof ImageError) return fail(e.code, e.message);
    if (e instanceof ModelLoadError) return fail('model-load-failed', e.message);
    console.error('NetLens engine error', e);
    return fail('internal', `Something went wrong inside the model host: ${(e as Error)?.message ?? String(e)}`);
  }
}
