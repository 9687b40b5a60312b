// The model host's side of teaching: embeddings from the frozen backbone, augmentation on images, training the
// head, saving it (IndexedDB through TF.js) and predicting the user's classes.
import * as tf from '@tensorflow/tfjs';
import { seededRandom } from '../../shared/codecs';
import { throwIfAborted } from '../../engine/jobs';
import { readiness, type TrainSummary } from './contract';
import type { NetLensModel } from '../../engine/model';
import { toModelInput } from '../../engine/preprocess';
import type { Prediction } from '../classify/contract';
import { addExample, getHead, listClasses, listExamples, putEmbeddings, putHead, replaceDataset, type HeadInfo } from '../../shared/db';
import { packArchive, unpackArchive, ArchiveError, type HeadArtifacts } from './archive';
import { DEFAULT_TRAIN, trainHead, TooLittleData, type Sample } from './head';

export { TooLittleData, ArchiveError };
const headUrl = (modelId: string) => `indexeddb://netlens-head-${modelId}`;
/** Augmented copies per example each training run (random crop, flip, colour jitter). */
const AUGMENTS = 2;

interface TrainProgress { phase: 'embedding' | 'training'; progress: number; epoch?: number; loss?: number; valLoss?: number; valAccuracy?: number }

export class Teacher {
  private heads = new Map<string, { info: HeadInfo; model: tf.LayersModel } | null>();

  /** The backbone's pooled features: the spatial mean of the catalog's Grad-CAM layer (the last conv features). */
  embed(model: NetLensModel, batch: tf.Tensor4D): tf.Tensor2D {
    return tf.tidy(() => pool(model.layerOutput(batch, embeddingLayer(model))));
  }

  forget(modelId?: string) {
    if (modelId) { const h = this.heads.get(modelId); h?.model.dispose(); this.heads.delete(modelId); return; }
    this.heads.forEach((h) => h?.model.dispose());
    this.heads.clear();
  }

  async addExample(model: NetLensModel, bitmap: ImageBitmap, classId: string, url: string, thumbnail: (b: ImageBitmap) => Promise<string>): Promise<number> {
    const x = toModelInput(bitmap, model.entry);
    const e = this.embed(model, x);
    const embedding = Float32Array.from(await e.data());
    x.dispose(); e.dispose();
    return addExample({ id: crypto.randomUUID(), classId, url, at: Date.now(), thumbnail: await thumbnail(bitmap), embeddings: { [model.entry.id]: embedding } });
  }

  /**
   * The training samples of every class with examples: each example's embedding and those of its augmented
   * copies (row 0 is the image itself; its embedding is kept per backbone, so switching models recomputes it once).
   */
  async samples(model: NetLensModel, opts: { signal?: AbortSignal; onProgress?: (f: number) => void } = {}) {
    const all = await listClasses();
    const ready = readiness(all);
    if (!ready.ok) throw new TooLittleData(ready.message);
    const classes = all.filter((c) => c.count > 0);
    const examples = (await listExamples()).filter((e) => classes.some((c) => c.id === e.classId));
    const labelOf = new Map(classes.map((c, i) => [c.id, i]));
    const samples: Sample[] = [];
    const updates: { id: string; modelId: string; embedding: Float32Array }[] = [];
    for (let i = 0; i < examples.length; i++) {
      throwIfAborted(opts.signal);
      const ex = examples[i]!;
      const bmp = await createImageBitmap(await (await fetch(ex.thumbnail)).blob());
      const batch = tf.tidy(() => augmentBatch(toModelInput(bmp, model.entry), AUGMENTS, i + 1, model.entry.preprocess));
      bmp.close();
      const emb = this.embed(model, batch);
      const rows = await emb.array();
      batch.dispose(); emb.dispose();
      const label = labelOf.get(ex.classId)!;
      if (!ex.embeddings[model.entry.id]) updates.push({ id: ex.id, modelId: model.entry.id, embedding: Float32Array.from(rows[0]!) });
      rows.forEach((r, k) => samples.push({ group: i, label, x: Float32Array.from(r), original: k === 0 }));
      opts.onProgress?.((i + 1) / examples.length);
      await new Promise((r) => setTimeout(r, 0));
    }
    if (updates.length) await putEmbeddings(updates);
    return { classes, examples, samples };
  }

  async train(model: NetLensModel, opts: { hidden: number; learningRate?: number; signal?: AbortSignal; onProgress?: (p: TrainProgress) => void }): Promise<TrainSummary> {
    const t0 = performance.now();
    const { classes, examples, samples } = await this.samples(model, { signal: opts.signal, onProgress: (f) => opts.onProgress?.({ phase: 'embedding', progress: f }) });
    const embedMs = performance.now() - t0;
    const r = await trainHead(samples, classes.length, {
      hidden: opts.hidden, signal: opts.signal, ...(opts.learningRate ? { learningRate: opts.learningRate } : {}),
      onEpoch: (e) => opts.onProgress?.({ phase: 'training', progress: Math.min(1, e.epoch / 80), epoch: e.epoch, loss: e.loss, valLoss: e.valLoss, valAccuracy: e.valAccuracy }),
    });
    const info: HeadInfo = {
      modelId: model.entry.id, classIds: classes.map((c) => c.id), classNames: classes.map((c) => c.name), embeddingLayer: model.entry.layers.gradCam!,
      dims: samples[0]!.x.length, hidden: opts.hidden, trainedAt: Date.now(), examples: examples.length, valAccuracy: r.valAccuracy, confusion: r.confusion, epochs: r.epochs,
    };
    await r.head.save(headUrl(model.entry.id));
    await putHead(info);
    this.heads.get(model.entry.id)?.model.dispose();
    this.heads.set(model.entry.id, { info, model: r.head });
    return { classNames: info.classNames, examples: info.examples, valAccuracy: r.valAccuracy, confusion: r.confusion, epochs: r.epochs, ms: Math.round(performance.now() - t0), embedMs: Math.round(embedMs), learningRate: opts.learningRate ?? DEFAULT_TRAIN.learningRate, history: r.history };
  }

  /** Everything taught on this backbone, as one zip file. */
  async exportArchive(modelId: string): Promise<Uint8Array> {
    const classes = (await listClasses()).map(({ count: _count, ...c }) => c);
    const examples = await listExamples();
    const h = await this.head(modelId);
    let head = null;
    if (h) {
      let artifacts: HeadArtifacts | null = null;
      await h.model.save(tf.io.withSaveHandler(async (a) => {
        artifacts = { modelTopology: a.modelTopology, weightSpecs: a.weightSpecs as HeadArtifacts['weightSpecs'], weightData: a.weightData as ArrayBuffer };
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }));
      head = { info: h.info, artifacts: artifacts! };
    }
    return packArchive({ modelId, classes, examples, head });
  }

  /**
   * Replaces the taught classes with a file's. Everything is checked first (structure, checksums, backbone, and
   * that the head really loads with one output per class); only then is anything written.
   */
  async importArchive(bytes: Uint8Array, modelId: string, modelName: string): Promise<{ classes: number; examples: number }> {
    const b = await unpackArchive(bytes, modelId, modelName);
    let newHead: tf.LayersModel | null = null;
    if (b.head) {
      try {
        const a = b.head.artifacts;
        newHead = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: a.modelTopology as object, weightSpecs: a.weightSpecs as tf.io.WeightsManifestEntry[], weightData: a.weightData }));
      } catch {
        throw new ArchiveError('This NetLens file is damaged: its trained head cannot be loaded.');
      }
      const units = (newHead.outputs[0]!.shape as number[]).at(-1);
      if (units !== b.head.info.classIds.length) { newHead.dispose(); throw new ArchiveError('This NetLens file is damaged: the head does not match its classes.'); }
    }
    // Keep the current head to put it back if writing the dataset fails.
    const old = await this.head(modelId);
    try {
      if (newHead) await newHead.save(headUrl(modelId));
      await replaceDataset(b.classes, b.examples, b.head?.info ?? null);
    } catch (e) {
      if (old) await old.model.save(headUrl(modelId)).catch(() => undefined);
      newHead?.dispose();
      throw e;
    }
    this.heads.get(modelId)?.model.dispose();
    this.heads.set(modelId, newHead && b.head ? { info: b.head.info, model: newHead } : null);
    return { classes: b.classes.length, examples: b.examples.length };
  }

  /** The saved head for a backbone, loaded once (null if the user never trained one for it). */
  async head(modelId: string): Promise<{ info: HeadInfo; model: tf.LayersModel } | null> {
    if (this.heads.has(modelId)) return this.heads.get(modelId)!;
    const info = await getHead(modelId);
    const loaded = info ? { info, model: await tf.loadLayersModel(headUrl(modelId)) } : null;
    this.heads.set(modelId, loaded);
    return loaded;
  }

  /** The user's classes for an input; `features`, when the caller already has the embedding layer's output. */
  async predict(model: NetLensModel, input: tf.Tensor4D, k = 5, features?: tf.Tensor): Promise<{ predictions: Prediction[]; info: HeadInfo } | null> {
    const h = await this.head(model.entry.id);
    if (!h) return null;
    const probs = tf.tidy(() => h.model.predict(features ? pool(features) : this.embed(model, input)) as tf.Tensor2D);
    const p = Array.from(await probs.data());
    probs.dispose();
    const predictions = p.map((prob, index) => ({ index, className: h.info.classNames[index] ?? `class ${index}`, prob })).sort((a, b) => b.prob - a.prob).slice(0, k);
    return { predictions, info: h.info };
  }
}

/** The layer a backbone's embedding is taken from. */
export function embeddingLayer(model: NetLensModel): string {
  const layer = model.entry.layers.gradCam;
  if (!layer) throw new Error(`${model.entry.name} has no feature layer to learn from`);
  return layer;
}

/** [B, H, W, C] features → [B, C]: the spatial mean. */
const pool = (features: tf.Tensor): tf.Tensor2D => features.mean([1, 2]) as tf.Tensor2D;

/**
 * [1, H, W, 3] model input → [1 + n, H, W, 3]: the image and n augmented copies (random crop of 80–100 %,
 * horizontal flip, ±10 % brightness and contrast), seeded so a run is reproducible.
 */
function augmentBatch(x: tf.Tensor4D, n: number, seed: number, pre: { scale: number; offset: number }): tf.Tensor4D {
  return tf.tidy(() => {
    const [, h, w] = x.shape;
    const r = seededRandom(seed * 7919);
    const copies: tf.Tensor4D[] = [x];
    for (let i = 0; i < n; i++) {
      const size = 0.8 + 0.2 * r();
      const y0 = r() * (1 - size), x0 = r() * (1 - size);
      let c = tf.image.cropAndResize(x, [[y0, x0, y0 + size, x0 + size]], [0], [h, w]);
      if (r() < 0.5) c = tf.reverse(c, 2);
      // jitter in pixel space, then back to the model's range
      const px = tf.div(tf.sub(c, pre.offset), pre.scale);
      const mean = px.mean();
      const jittered = tf.clipByValue(tf.add(tf.mul(tf.sub(px, mean), 0.9 + 0.2 * r()), tf.mul(mean, 0.9 + 0.2 * r())), 0, 255);
      copies.push(tf.add(tf.mul(jittered, pre.scale), pre.offset) as tf.Tensor4D);
    }
    return tf.concat(copies, 0);
  });
}
