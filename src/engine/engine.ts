// The model host's brain: one backend, one loaded model, one queue. Requests are served in arrival order;
// image downloads start at once (so a slow server does not hold up the queue's turn-taking any longer than
// needed) but inference happens strictly one request at a time. Every tensor is disposed (see model.ts).
import * as tf from '@tensorflow/tfjs';
import { getModel, findModel } from '../shared/catalog';
import { fail, type Backend, type BackgroundToHost, type HostToBackground, type Replies } from '../shared/messages';
import { ensureBackend, fallbackAfter } from './backends';
import { decodeImage, displayUrl, ImageError, thumbnailDataUrl, type DecodedImage } from './image';
import { ModelLoadError, NetLensModel, type ReadFile } from './model';
import { SerialQueue } from './queue';
import { toModelInput } from './preprocess';
import { topK } from './topk';
import { LayersAdapter } from './adapter';
import { CustomHeadAdapter } from '../features/teach/custom-adapter';
import { faithfulness } from '../features/explain/metrics';
import { getMethod } from '../features/explain/registry';
import { compareMaps, SANITY_THRESHOLD, withRandomisedTop } from '../features/explain/sanity';
import { Cancelled, type SaliencyMap } from '../features/explain/types';
import { floatsToBase64 } from '../shared/codecs';
import type { ClassifyResult as ClassifyResultT, TrainSummary, ExplainResult, FeatureVis, LayerActivations, WireMap } from '../shared/messages';
import { computeActivations, describeLayers } from '../features/layers/activations';
import { visualiseChannel } from '../features/layers/feature-vis';
import { ArchiveError, embeddingLayer, Teacher, TooLittleData, type TrainProgress } from '../features/teach/teacher';

function bytesToBase64(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i += 0x8000) s += String.fromCharCode(...b.subarray(i, i + 0x8000));
  return btoa(s);
}

type Progress = Omit<Extract<HostToBackground, { type: 'offscreen/progress' }>, 'type'>;
type ClassifyReq = Extract<BackgroundToHost, { type: 'bg/classify' }>;
type PreloadReq = Extract<BackgroundToHost, { type: 'bg/preload' }>;
type ExplainReq = Extract<BackgroundToHost, { type: 'bg/explain' }>;
type ActivationsReq = Extract<BackgroundToHost, { type: 'bg/activations' }>;
type FeatureVisReq = Extract<BackgroundToHost, { type: 'bg/feature-vis' }>;
type AddExampleReq = Extract<BackgroundToHost, { type: 'bg/add-example' }>;
type TrainReq = Extract<BackgroundToHost, { type: 'bg/train' }>;
type TrainEvent = Omit<TrainProgress, 'phase'> & { jobId: string; phase: TrainProgress['phase'] | 'done' | 'error'; summary?: TrainSummary; error?: string };

/** Where finished feature visualisations are kept (IndexedDB in the model host); optional so tests can skip it. */
export interface VisCache { get(key: string): Promise<FeatureVis | undefined>; put(key: string, v: FeatureVis): Promise<void> }
/** Per-image record of what the toggled layers' channels did, for "images that excite this channel most". */
export type { SeenImage } from '../shared/db';
import type { SeenImage } from '../shared/db';
export interface SeenStore { add(entry: SeenImage): Promise<void> }

/** Turns RGBA pixels into a PNG data URL (needs a canvas; injected by the model host). */
export type EncodePng = (pixels: Uint8ClampedArray, width: number, height: number) => Promise<string>;
type JobProgress = { jobId: string; progress: number; message: string };

/** Preprocessed inputs of recent classifications, so explaining one needs no second download. */
const INPUT_CACHE = 6;
/** Saliency maps computed recently, so "Check" and the sanity check reuse the map the user is looking at. */
const MAP_CACHE = 8;

function toWire(m: SaliencyMap): WireMap {
  return { method: m.method, classTarget: m.target, width: m.width, height: m.height, min: m.min, max: m.max, signed: m.signed, ...(m.notes ? { notes: m.notes } : {}), values: floatsToBase64(m.values) };
}

export class Engine {
  readonly queue = new SerialQueue();
  model: NetLensModel | null = null;
  backend: { backend: Backend; reason: string; pref: string } | null = null;

  private readonly inputs = new Map<string, tf.Tensor4D>();
  private readonly maps = new Map<string, SaliencyMap>();
  private readonly jobs = new Map<string, AbortController>();
  private adapter: LayersAdapter | null = null;
  // Multi-output models per set of layers. They share the model's layers and weights: never dispose them, drop them.
  private readonly multi = new Map<string, tf.LayersModel>();
  readonly teacher = new Teacher();
  /** where training progress goes (the background keeps it for the popup) */
  emitTrain: (p: TrainEvent) => void = () => {};
  visCache: VisCache | null = null;
  seen: SeenStore | null = null;
  encodePng: EncodePng | null = null;

  constructor(
    private readonly read: ReadFile,
    private readonly emit: (p: Progress) => void,
    private readonly emitJob: (p: JobProgress) => void = () => {},
  ) {}

  private remember<V>(cache: Map<string, V>, key: string, value: V, limit: number, drop?: (v: V) => void) {
    cache.delete(key);
    cache.set(key, value);
    while (cache.size > limit) {
      const [k, v] = cache.entries().next().value as [string, V];
      cache.delete(k);
      drop?.(v);
    }
  }

  private forgetModelState() {
    this.inputs.forEach((t) => t.dispose());
    this.inputs.clear();
    this.maps.clear();
    this.multi.clear();
    this.teacher.forget();
    this.adapter?.dispose();
    this.adapter = null;
  }

  /** Adds the image to one of the user's classes: thumbnail + embedding, in one IndexedDB transaction. */
  addExample(req: AddExampleReq): Promise<Replies['bg/add-example']> {
    const decoding: Promise<DecodedImage | Error> = decodeImage(req.source.url).catch((e: Error) => e);
    return this.queue.run(async () => {
      const img = await decoding;
      if (img instanceof Error) return this.toFailure(img);
      try {
        const { model } = await this.prepare(req.modelId, req.backend, req.remembered, null);
        const count = await this.teacher.addExample(model, img.bitmap, req.classId, displayUrl(req.source.url), (b) => thumbnailDataUrl(b, 224, true));
        return { ok: true as const, count };
      } catch (e) {
        return this.toFailure(e);
      } finally {
        img.bitmap.close();
      }
    });
  }

  exportClasses(modelId: string): Promise<Replies['bg/export']> {
    return this.queue.run(async () => {
      try {
        return { ok: true as const, data: bytesToBase64(await this.teacher.exportArchive(modelId)) };
      } catch (e) {
        return this.toFailure(e);
      }
    });
  }

  importClasses(modelId: string, data: string): Promise<Replies['bg/import']> {
    return this.queue.run(async () => {
      try {
        const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
        return { ok: true as const, ...(await this.teacher.importArchive(bytes, modelId, findModel(modelId)?.name ?? modelId)) };
      } catch (e) {
        if (e instanceof ArchiveError) return fail('bad-request', e.message);
        return this.toFailure(e);
      }
    });
  }

  /** Trains the head for the current backbone; progress goes out as it happens (the popup may be closed). */
  train(req: TrainReq): Promise<Replies['bg/train']> {
    const ctrl = new AbortController();
    this.jobs.set(req.jobId, ctrl);
    return this.queue.run(async () => {
      try {
        const { model } = await this.prepare(req.modelId, req.backend, req.remembered, null);
        const summary = await this.teacher.train(model, { hidden: req.hidden, signal: ctrl.signal, onProgress: (p) => this.emitTrain({ jobId: req.jobId, ...p }) });
        this.emitTrain({ jobId: req.jobId, phase: 'done', progress: 1, summary });
        return { ok: true as const, summary };
      } catch (e) {
        const r = e instanceof TooLittleData ? fail('bad-request', e.message) : this.toFailure(e);
        if (!r.ok) this.emitTrain({ jobId: req.jobId, phase: 'error', progress: 1, error: r.error.message });
        return r;
      } finally {
        this.jobs.delete(req.jobId);
      }
    });
  }

  layers(req: { modelId: string; backend: ClassifyReq['backend']; remembered: ClassifyReq['remembered'] }): Promise<Replies['bg/layers']> {
    return this.queue.run(async () => {
      try {
        const { model } = await this.prepare(req.modelId, req.backend, req.remembered, null);
        return { ok: true as const, modelId: model.entry.id, modelName: model.entry.name, layers: describeLayers(model.model, model.entry), defaults: model.entry.layers.show };
      } catch (e) {
        return this.toFailure(e);
      }
    });
  }

  /** All requested layers' activations for the classified image, from one forward pass. */
  activations(req: ActivationsReq): Promise<Replies['bg/activations']> {
    return this.queue.run(async () => {
      try {
        const t0 = performance.now();
        const { model } = await this.prepare(req.modelId, req.backend, req.remembered, null);
        const input = await this.inputFor(req, model);
        const activations: LayerActivations[] = await computeActivations(model.model, model.entry, input, req.layers, { classIndex: req.classIndex }, this.multi);
        const bytes = JSON.stringify(activations).length;
        return { ok: true as const, activations, ms: Math.round(performance.now() - t0), bytes };
      } catch (e) {
        return this.toFailure(e);
      }
    });
  }

  /** Activation maximisation for one channel; cached per (model, layer, channel, steps). */
  featureVis(req: FeatureVisReq): Promise<Replies['bg/feature-vis']> {
    const ctrl = new AbortController();
    this.jobs.set(req.jobId, ctrl);
    let last = 0;
    const onProgress = (f: number) => {
      const now = performance.now();
      if (now - last < 150 && f < 1) return;
      last = now;
      this.emitJob({ jobId: req.jobId, progress: f, message: 'Optimising the image…' });
    };
    return this.queue.run(async () => {
      try {
        if (ctrl.signal.aborted) throw new Cancelled();
        const key = `${req.modelId}|${req.layer}|${req.channel}|${req.steps}`;
        const hit = await this.visCache?.get(key).catch(() => undefined);
        if (hit) return { ok: true as const, vis: { ...hit, cached: true } };
        const t0 = performance.now();
        const { model } = await this.prepare(req.modelId, req.backend, req.remembered, null);
        this.adapter ??= new LayersAdapter(model.model, model.entry, model.blocks ?? undefined);
        const adapter = this.adapter;
        const idx = model.model.layers.findIndex((l) => l.name === req.layer);
        if (idx < 0) return fail('bad-request', `${model.entry.name} has no layer "${req.layer}"`);
        const layer = model.model.layers[idx]!;
        const shape = layer.outputShape as number[];
        if (shape.length !== 4) return fail('bad-request', `"${req.layer}" has no spatial channels to visualise`);
        if (req.channel >= (shape[3] ?? 0)) return fail('bad-request', `"${req.layer}" has ${shape[3]} channels`);
        // A ReLU-type activation caps and flattens the signal: optimise the value just before it instead.
        const isActivation = /Activation|ReLU/.test(layer.getClassName());
        const objective = isActivation && idx > 0 ? model.model.layers[idx - 1]!.name : req.layer;
        const r = await visualiseChannel(adapter, adapter.split(objective).features, req.channel, { steps: req.steps, signal: ctrl.signal, onProgress }, adapter.split(req.layer).features);
        if (!this.encodePng) throw new Error('no PNG encoder in this model host');
        const vis: FeatureVis = {
          layer: req.layer, channel: req.channel, steps: req.steps, image: await this.encodePng(r.pixels, r.width, r.height),
          startActivation: r.startActivation, finalActivation: r.finalActivation, ms: Math.round(performance.now() - t0), cached: false,
        };
        await this.visCache?.put(key, vis).catch(() => undefined);
        return { ok: true as const, vis };
      } catch (e) {
        if (e instanceof Cancelled) return fail('cancelled', 'Cancelled.');
        return this.toFailure(e);
      } finally {
        this.jobs.delete(req.jobId);
      }
    });
  }

  private progress(requestId: string | null, phase: Progress['phase'], message: string, progress: number | null = null) {
    this.emit({ requestId, phase, message, progress, queueDepth: this.queue.depth });
  }

  /** Set when the GPU device behind the current backend is lost; the next request moves to another backend. */
  private lost: string | null = null;

  private watchDevice(backend: Backend) {
    if (backend !== 'webgpu') return;
    const device = (tf.backend() as unknown as { device?: { lost?: Promise<{ message?: string }> } }).device;
    void device?.lost?.then((info) => { if (this.backend?.backend === 'webgpu') this.lost = info?.message || 'the WebGPU device was lost'; });
  }

  /** Puts the right backend and model in place (inside the queue, so never concurrently). */
  private async prepare(modelId: string, pref: ClassifyReq['backend'], remembered: ClassifyReq['remembered'], requestId: string | null) {
    const entry = findModel(modelId);
    if (!entry || entry.task !== 'classifier') throw new ModelLoadError(modelId, `Unknown model "${modelId}"`);
    let choice = null;
    if (this.lost && this.backend) {
      // Weights and tensors died with the device: drop everything and take the next backend down the list.
      const from = this.backend.backend, why = this.lost;
      this.lost = null;
      this.forgetModelState();
      try { this.model?.dispose(); } catch { /* its GPU buffers went with the device */ }
      this.model = null;
      this.progress(requestId, 'backend', `${from} stopped working; switching backend…`);
      const next = await fallbackAfter(from);
      this.backend = { backend: next, reason: `${from} failed (${why}); fell back to ${next}`, pref };
      this.watchDevice(next);
    }
    if (!this.backend || this.backend.pref !== pref) {
      this.progress(requestId, 'backend', 'Choosing the fastest backend…');
      const before = tf.getBackend();
      const b = await ensureBackend(pref, remembered);
      choice = b.choice;
      // Weights live on a backend: after a switch the model is loaded again on the new one.
      if (before !== b.backend && this.model) { this.forgetModelState(); this.model.dispose(); this.model = null; }
      this.backend = { backend: b.backend, reason: b.reason, pref };
      this.watchDevice(b.backend);
    }
    if (this.model?.entry.id !== modelId) {
      this.forgetModelState();
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
        return await this.classifyDecoded(req, img, t0);
      } catch (e) {
        // A lost GPU device can surface as a failed read before its `lost` promise resolves: note it, retry once
        // (prepare() then moves to the next backend).
        if (this.backend?.backend === 'webgpu' && /device.*lost|lost.*device|mapAsync|GPUBuffer/i.test(String((e as Error)?.message))) {
          this.lost ??= String((e as Error).message);
          try { return await this.classifyDecoded(req, img, t0); } catch (e2) { return this.toFailure(e2); }
        }
        return this.toFailure(e);
      } finally {
        img.bitmap.close();
      }
    });
  }

  private async classifyDecoded(req: ClassifyReq, img: DecodedImage, t0: number): Promise<Replies['bg/classify']> {
    const { model, backend, choice } = await this.prepare(req.modelId, req.backend, req.remembered, req.requestId);
    this.progress(req.requestId, 'classify', `Classifying with ${model.entry.name}…`);
    const t1 = performance.now();
    const input = toModelInput(img.bitmap, model.entry);
    const wantCustom = req.mode === 'custom' || req.mode === 'both';
    // With a head of the user's classes, the embedding layer comes out of the same forward pass.
    const featureLayer = wantCustom && await this.teacher.head(model.entry.id).catch(() => null) ? embeddingLayer(model) : null;
    let predictions, features: tf.Tensor | null = null;
    try {
      const out = featureLayer ? model.inferWithLayer(input, featureLayer) : { probs: model.infer(input), features: null };
      features = out.features;
      try { predictions = topK(await out.probs.data(), 5, model.labels); } finally { out.probs.dispose(); }
    } catch (e) {
      input.dispose();
      features?.dispose();
      throw e;
    }
    const elapsedMs = performance.now() - t1;
    let custom: ClassifyResultT['custom'];
    if (wantCustom) {
      const c = features ? await this.teacher.predict(model, input, 5, features).catch(() => null).finally(() => features!.dispose()) : null;
      custom = c ? { predictions: c.predictions, valAccuracy: c.info.valAccuracy, trainedAt: c.info.trainedAt } : null;
    }
    this.remember(this.inputs, `${req.requestId}|${model.entry.id}`, input, INPUT_CACHE, (t) => t.dispose());
    const thumbnail = await thumbnailDataUrl(img.bitmap);
    if (req.layers?.length && this.seen) {
      // After the answer, at the back of the queue: one pass over the toggled layers, means per channel.
      const layers = req.layers, modelId = model.entry.id, key = `${req.requestId}|${modelId}`;
      const record = { id: req.requestId, modelId, at: Date.now(), url: displayUrl(req.source.url), thumbnail };
      void this.queue.run(() => this.recordMeans(key, layers, record)).catch(() => undefined);
    }
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
        ...(req.mode ? { mode: req.mode } : {}),
        ...(custom !== undefined ? { custom } : {}),
      },
    };
  }

  private async recordMeans(inputKey: string, layers: string[], record: Omit<SeenImage, 'means'>): Promise<void> {
    const input = this.inputs.get(inputKey);
    const model = this.model;
    if (!input || !model || !this.seen) return;
    const present = layers.filter((n) => model.model.layers.some((l) => l.name === n && (l.outputShape as number[]).length === 4));
    if (!present.length) return;
    const key = present.join('|');
    let multi = this.multi.get(key);
    if (!multi) {
      multi = tf.model({ inputs: model.model.inputs, outputs: present.map((n) => model.model.getLayer(n).output as tf.SymbolicTensor) });
      this.multi.set(key, multi);
    }
    const means = tf.tidy(() => {
      const ys = multi!.predict(input) as tf.Tensor | tf.Tensor[];
      return (Array.isArray(ys) ? ys : [ys]).map((y) => y.mean([0, 1, 2]));
    });
    const values = await Promise.all(means.map(async (t) => Float32Array.from(await t.data())));
    means.forEach((t) => t.dispose());
    await this.seen.add({ ...record, means: Object.fromEntries(present.map((n, i) => [n, values[i]!])) });
  }

  cancel(jobId: string): boolean {
    const c = this.jobs.get(jobId);
    c?.abort();
    return Boolean(c);
  }

  /**
   * One explanation job: a map, a faithfulness check of it, or its sanity check. Jobs queue behind each other;
   * the popup cancels the job a newer request replaces (and all of them when it closes).
   */
  explain(req: ExplainReq): Promise<Replies['bg/explain']> {
    const ctrl = new AbortController();
    this.jobs.set(req.jobId, ctrl);
    const t0 = performance.now();
    let last = 0;
    const onProgress = (f: number) => {
      const now = performance.now();
      if (now - last < 100 && f < 1) return; // a few updates a second is plenty
      last = now;
      this.emitJob({ jobId: req.jobId, progress: Math.min(1, Math.max(0, f)), message: `${req.task === 'map' ? 'Computing' : req.task === 'check' ? 'Checking' : 'Randomising'}…` });
    };
    return this.queue.run(async () => {
      try {
        if (ctrl.signal.aborted) throw new Cancelled();
        const { model } = await this.prepare(req.modelId, req.backend, req.remembered, null);
        const input = await this.inputFor(req, model);
        this.adapter ??= new LayersAdapter(model.model, model.entry, model.blocks ?? undefined);
        let adapter: LayersAdapter | CustomHeadAdapter = this.adapter;
        if (req.head === 'custom') {
          const h = await this.teacher.head(model.entry.id);
          if (!h) return fail('no-result', 'No classes of yours are trained for this model yet: teach some in “My classes”.');
          adapter = new CustomHeadAdapter(this.adapter, h.model, h.info.embeddingLayer);
          if (req.task === 'sanity') return fail('bad-request', 'The sanity check randomises the ImageNet layers; run it on an ImageNet class.');
        }
        const method = getMethod(req.method);
        const params = { ...method.defaults, ...req.params };
        const target = req.classTarget;
        if (target.index >= adapter.numClasses) return fail('bad-request', `class #${target.index} does not exist in ${model.entry.name}`);
        const opts = { signal: ctrl.signal, onProgress, batchSize: 8 };
        const key = `${req.image.requestId}|${model.entry.id}|${req.head ?? 'imagenet'}|${req.method}|${JSON.stringify(Object.entries(params).sort())}|${target.index}`;
        const mapOf = async (o = opts) => {
          const cached = this.maps.get(key);
          if (cached) return cached;
          const m = await method.explain(adapter, input, target, params, o);
          this.remember(this.maps, key, m, MAP_CACHE);
          return m;
        };
        const result: ExplainResult = { jobId: req.jobId, method: req.method, ms: 0, camLayers: adapter.convLayers() };
        if (req.task === 'map') {
          result.map = toWire(await mapOf());
        } else if (req.task === 'check') {
          const map = await mapOf({ ...opts, onProgress: (f) => onProgress(f * 0.2) });
          const f = await faithfulness(adapter, input, map, target, { ...opts, batchSize: 11, onProgress: (x) => onProgress(0.2 + 0.8 * x) });
          result.faithfulness = {
            deletion: f.deletion.auc, insertion: f.insertion.auc, randomDeletion: f.random.deletion, randomInsertion: f.random.insertion,
            deletionCurve: f.deletion.probs, insertionCurve: f.insertion.probs, randomDeletionCurve: f.random.deletionCurve, randomInsertionCurve: f.random.insertionCurve,
          };
        } else {
          const original = await mapOf({ ...opts, onProgress: (f) => onProgress(f * 0.5) });
          const k = req.sanityLayers ?? 5;
          const { result: randomised, layers } = await withRandomisedTop(adapter as LayersAdapter, k, () => method.explain(adapter, input, target, params, { ...opts, onProgress: (f) => onProgress(0.5 + f * 0.5) }));
          const rho = compareMaps(original, randomised);
          result.sanity = { layers, spearman: rho, passes: rho < SANITY_THRESHOLD, map: toWire(randomised) };
        }
        result.ms = Math.round(performance.now() - t0);
        onProgress(1);
        return { ok: true as const, result };
      } catch (e) {
        if (e instanceof Cancelled) return fail('cancelled', 'Cancelled.');
        return this.toFailure(e);
      } finally {
        this.jobs.delete(req.jobId);
      }
    });
  }

  /** The classified image's model input: cached since classification, else fetched and preprocessed again. */
  private async inputFor(req: Pick<ExplainReq, 'image'>, model: NetLensModel): Promise<tf.Tensor4D> {
    const key = `${req.image.requestId}|${model.entry.id}`;
    const cached = this.inputs.get(key);
    if (cached) return cached;
    if (!req.image.source) throw new ImageError('not-an-image', 'This image is no longer available to explain. Right-click it again.');
    const img = await decodeImage(req.image.source.url);
    try {
      const input = toModelInput(img.bitmap, model.entry);
      this.remember(this.inputs, key, input, INPUT_CACHE, (t) => t.dispose());
      return input;
    } finally {
      img.bitmap.close();
    }
  }

  private toFailure(e: unknown) {
    if (e instanceof ImageError) return fail(e.code, e.message);
    if (e instanceof ModelLoadError) return fail('model-load-failed', e.message);
    console.error('NetLens engine error', e);
    return fail('internal', `Something went wrong inside the model host: ${(e as Error)?.message ?? String(e)}`);
  }
}
