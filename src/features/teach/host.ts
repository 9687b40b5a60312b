// The model host's side of teaching: examples (thumbnail + embedding), training the head with progress and
// cancellation, zip export/import; and what teaching adds to classification and explanation (the user's
// own classes).
import { decodeImage, displayUrl, thumbnailDataUrl, type DecodedImage } from '../../engine/image';
import type { JobRegistry } from '../../engine/jobs';
import type { Session } from '../../engine/session';
import { findModel } from '../../shared/catalog';
import { base64ToBytes, bytesToBase64 } from '../../shared/codecs';
import type { BackgroundToHost, Handlers, HostToBackground } from '../../shared/messages';
import type { ClassifyExtensions } from '../classify/host';
import type { CustomHeads } from '../explain/host';
import { CustomHeadAdapter } from './custom-adapter';
import * as tf from '@tensorflow/tfjs';
import { embeddingLayer, Teacher } from './teacher';
import { lrRangeTest } from './lr-finder';
import { applyPixelLinear, pixelVector, trainPixelLinear, type PixelModel } from './pixel-linear';

type TeachMessages = Extract<BackgroundToHost, { type: 'bg/add-example' | 'bg/train' | 'bg/export' | 'bg/import' | 'bg/lr-find' | 'bg/pixel-linear' }>;
type TrainEvent = Omit<Extract<HostToBackground, { type: 'offscreen/train-progress' }>, 'type'>;

interface TeachHost {
  handlers: Handlers<TeachMessages>;
  /** the user's classes in a classification */
  classify: NonNullable<ClassifyExtensions['custom']>;
  /** the user's classes as an explainable model */
  customHeads: CustomHeads;
  /** the user's class names, in the order of their head's outputs */
  customNames(modelId: string): Promise<string[]>;
}

export function teachHost(session: Session, jobs: JobRegistry, emitTrain: (p: TrainEvent) => void): TeachHost {
  const teacher = new Teacher();
  /** the last pixels-only model (in memory: it is a demonstration, retrained in seconds) */
  let pixel: PixelModel | null = null;
  session.onModelChange(() => teacher.forget());

  const handlers: Handlers<TeachMessages> = {
    /** Adds the image to one of the user's classes: thumbnail + embedding, in one IndexedDB transaction. */
    'bg/add-example': (req) => {
      const decoding: Promise<DecodedImage | Error> = decodeImage(req.source.url).catch((e: Error) => e);
      return session.serve(async () => {
        const img = await decoding;
        if (img instanceof Error) throw img;
        try {
          const { model } = await session.prepare(req);
          const count = await teacher.addExample(model, img.bitmap, req.classId, displayUrl(req.source.url), (b) => thumbnailDataUrl(b, 224, true));
          return { ok: true as const, count };
        } finally {
          img.bitmap.close();
        }
      });
    },

    /** Trains the head for the current backbone; progress goes out as it happens (the popup may be closed). */
    'bg/train': async (req) => {
      const r = await session.serveJob(jobs.open(req.jobId, 0), async (job) => {
        const { model } = await session.prepare(req);
        const summary = await teacher.train(model, { hidden: req.hidden, ...(req.learningRate ? { learningRate: req.learningRate } : {}), signal: job.signal, onProgress: (p) => emitTrain({ jobId: req.jobId, ...p }) });
        emitTrain({ jobId: req.jobId, phase: 'done', progress: 1, summary });
        return { ok: true as const, summary };
      });
      if (!r.ok) emitTrain({ jobId: req.jobId, phase: r.error.code === 'cancelled' ? 'cancelled' : 'error', progress: 1, error: r.error.message });
      return r;
    },

    /** A learning-rate range test on this backbone's samples (a fresh head each time; nothing is saved). */
    'bg/lr-find': (req) => session.serveJob(jobs.open(req.jobId), async (job) => {
      const t0 = performance.now();
      const { model } = await session.prepare(req);
      const { classes, samples } = await teacher.samples(model, { signal: job.signal, onProgress: (f) => job.progress(0.6 * f, 'Embedding your images…') });
      const r = await lrRangeTest(samples, classes.length, { hidden: req.hidden, signal: job.signal, onProgress: (f) => job.progress(0.6 + 0.4 * f, 'Trying learning rates…') });
      return { ok: true as const, result: { ...r, ms: Math.round(performance.now() - t0) } };
    }),

    /** The pixels-only linear model: trained on the examples' pixels, or applied to the classified image. */
    'bg/pixel-linear': (req) => session.serveJob(jobs.open(req.jobId), async (job) => {
      if (req.task === 'train' || !pixel) {
        const h = await teacher.head(req.modelId).catch(() => null);
        pixel?.head.dispose();
        pixel = null;
        pixel = await trainPixelLinear({ signal: job.signal, onProgress: (f) => job.progress(f, 'Training on pixels…'), headValAccuracy: h?.info.valAccuracy ?? null });
      }
      if (req.task === 'apply' && req.image) {
        const { model } = await session.prepare(req);
        const input = await session.inputFor(req.image, model);
        const { scale, offset } = model.entry.preprocess;
        const v = pixelVector(tf.tidy(() => tf.div(tf.sub(input, offset), scale).squeeze([0]) as tf.Tensor3D));
        try { return { ok: true as const, result: { ...pixel.result, applied: await applyPixelLinear(pixel, v) } }; } finally { v.dispose(); }
      }
      return { ok: true as const, result: pixel.result };
    }),

    'bg/export': (req) => session.serve(async () => ({ ok: true as const, data: bytesToBase64(await teacher.exportArchive(req.modelId)) })),

    'bg/import': (req) => session.serve(async () => (
      { ok: true as const, ...(await teacher.importArchive(base64ToBytes(req.data), req.modelId, findModel(req.modelId)?.name ?? req.modelId)) }
    )),
  };

  return {
    handlers,
    classify: {
      featureLayer: async (model) => ((await teacher.head(model.entry.id)) ? embeddingLayer(model) : null),
      predict: async (model, input, features) => {
        const c = await teacher.predict(model, input, 5, features);
        return c ? { predictions: c.predictions, valAccuracy: c.info.valAccuracy, trainedAt: c.info.trainedAt } : null;
      },
    },
    customNames: async (modelId) => (await teacher.head(modelId))?.info.classNames ?? [],
    customHeads: async (backbone, modelId) => {
      const h = await teacher.head(modelId);
      return h ? new CustomHeadAdapter(backbone, h.model, h.info.embeddingLayer) : null;
    },
  };
}
