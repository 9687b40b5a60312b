// The model host's side of classification: download while waiting for the queue, then preprocess, one forward
// pass, top-5. Every tensor is disposed, except the input, which the session keeps for explanations.
import type * as tf from '@tensorflow/tfjs';
import { decodeImage, displayUrl, thumbnailDataUrl, type DecodedImage } from '../../engine/image';
import type { NetLensModel } from '../../engine/model';
import { toModelInput } from '../../engine/preprocess';
import type { Session } from '../../engine/session';
import { topK } from '../../engine/topk';
import type { BackgroundToHost, Handlers, Replies } from '../../shared/messages';
import type { ClassifyResult } from './contract';

type ClassifyReq = Extract<BackgroundToHost, { type: 'bg/classify' }>;

/**
 * Progress for a step that is usually over in tens of milliseconds: said only if it is still going after
 * 150 ms (each report is a message and a storage write in the background, on the path to the result).
 */
function progressIfSlow(say: () => void): () => void {
  const t = setTimeout(say, 150);
  return () => clearTimeout(t);
}
type ClassifyMessages = Extract<BackgroundToHost, { type: 'bg/classify' | 'bg/preload' | 'bg/prefetch' }>;

/** How long a download sent ahead waits for its request (the page's answer takes milliseconds). */
const PREFETCH_KEEP_MS = 10_000;

/** Downloads started with the menu click, before the request that needs them: each is taken once, or closed. */
class Prefetches {
  private readonly pending = new Map<string, { decoding: Promise<DecodedImage | Error>; timer: ReturnType<typeof setTimeout> }>();

  start(url: string): void {
    if (this.pending.has(url)) return;
    const decoding = decodeImage(url).catch((e: Error) => e);
    // Not taken in time (the page named another picture): closed. take() clears the timer.
    const timer = setTimeout(() => {
      this.pending.delete(url);
      void decoding.then((d) => { if (!(d instanceof Error)) d.bitmap.close(); });
    }, PREFETCH_KEEP_MS);
    this.pending.set(url, { decoding, timer });
  }

  /** The download for `url` (the caller then owns its bitmap), or null if none was started. */
  take(url: string): Promise<DecodedImage | Error> | null {
    const p = this.pending.get(url);
    if (!p) return null;
    this.pending.delete(url);
    clearTimeout(p.timer);
    return p.decoding;
  }
}

/** What other features add to a classification, without classify knowing them. */
export interface ClassifyExtensions {
  /** The user's own classes: the layer their head reads (null: no head trained), and its predictions from it. */
  custom?: {
    featureLayer(model: NetLensModel): Promise<string | null>;
    predict(model: NetLensModel, input: tf.Tensor4D, features: tf.Tensor): Promise<ClassifyResult['custom']>;
  };
  /** Runs after the answer, at the back of the queue (e.g. remembering what the toggled layers did). */
  afterAnswer?(req: ClassifyReq, model: NetLensModel, record: { url: string; thumbnail: string }): void;
}

export function classifyHandlers(session: Session, ext: ClassifyExtensions = {}): Handlers<ClassifyMessages> {
  const prefetches = new Prefetches();
  async function classifyDecoded(req: ClassifyReq, img: DecodedImage, t0: number): Promise<Replies['bg/classify']> {
    const { model, backend, choice, loaded } = await session.prepare(req, req.requestId);
    // After a model load the user watched progress: say what comes next at once. Warm, it is over in a blink.
    const say = () => session.progress(req.requestId, 'classify', `Classifying with ${model.entry.name}…`);
    const quiet = loaded ? (say(), () => undefined) : progressIfSlow(say);
    const t1 = performance.now();
    const input = toModelInput(img.bitmap, model.entry);
    const wantCustom = req.mode === 'custom' || req.mode === 'both';
    // With a head of the user's classes, its feature layer comes out of the same forward pass.
    const featureLayer = wantCustom && ext.custom ? await ext.custom.featureLayer(model).catch(() => null) : null;
    let predictions, features: tf.Tensor | null = null;
    try {
      const out = featureLayer ? model.inferWithLayer(input, featureLayer) : { probs: model.infer(input), features: null };
      features = out.features;
      try { predictions = topK(await out.probs.data(), 5, model.labels); } finally { out.probs.dispose(); }
    } catch (e) {
      input.dispose();
      features?.dispose();
      throw e;
    } finally {
      quiet();
    }
    const elapsedMs = performance.now() - t1;
    let custom: ClassifyResult['custom'];
    if (wantCustom) {
      custom = features && ext.custom ? await ext.custom.predict(model, input, features).catch(() => null).finally(() => features!.dispose()) : null;
    }
    session.keepInput(req.requestId, model, input);
    const thumbnail = await thumbnailDataUrl(img.bitmap);
    // In a task of its own: queued work starts synchronously (a forward pass) and would hold the reply back.
    if (ext.afterAnswer) setTimeout(() => ext.afterAnswer!(req, model, { url: displayUrl(req.source.url), thumbnail }), 0);
    return {
      ok: true as const,
      choice,
      result: {
        requestId: req.requestId,
        modelId: model.entry.id,
        modelName: model.entry.name,
        backend: backend.backend,
        backendReason: backend.reason,
        threads: backend.threads,
        predictions,
        elapsedMs: Math.round(elapsedMs * 10) / 10,
        totalMs: Math.round(performance.now() - t0),
        image: { width: img.width, height: img.height, originalWidth: img.originalWidth, originalHeight: img.originalHeight },
        thumbnail,
        source: { kind: req.source.kind, url: displayUrl(req.source.url) },
        at: Date.now(),
        ...(req.mode ? { mode: req.mode } : {}),
        ...(custom !== undefined ? { custom } : {}),
      },
    };
  }

  return {
    'bg/preload': (req) => session.serve(async () => {
      const { backend, choice } = await session.prepare(req);
      return { ok: true as const, backend: { backend: backend.backend, reason: backend.reason }, choice };
    }),

    'bg/prefetch': async (req) => {
      prefetches.start(req.url);
      return { ok: true as const };
    },

    'bg/classify': (req) => {
      const t0 = performance.now();
      const quiet = progressIfSlow(() => session.progress(req.requestId, 'capture', 'Fetching the image…'));
      // The download the menu click started, else one started now; settled into a value so an early failure is
      // never an unhandled rejection.
      const decoding = (prefetches.take(req.source.url) ?? decodeImage(req.source.url).catch((e: Error) => e)).finally(quiet);
      const ahead = session.queue.depth;
      if (ahead > 0) session.progress(req.requestId, 'queued', `Waiting for ${ahead} earlier image${ahead > 1 ? 's' : ''}…`);
      return session.serve(async () => {
        const img = await decoding;
        if (img instanceof Error) throw img;
        try {
          return await classifyDecoded(req, img, t0);
        } catch (e) {
          if (!session.noteDeviceLoss(e)) throw e;
          return await classifyDecoded(req, img, t0);
        } finally {
          img.bitmap.close();
        }
      });
    },
  };
}
