// The model host's runtime state: one backend, one loaded model, one queue, and the caches that belong to the
// loaded model (preprocessed inputs, the explanation adapter). Requests are served in arrival order, strictly
// one at a time. When the model or backend changes, everything tied to the old one is dropped, and features
// that keep their own caches hear about it through onModelChange.
import * as tf from '@tensorflow/tfjs';
import { findModel, getModel } from '../shared/catalog';
import type { Backend, BackendChoice, BackendPref, Failure, ImageSource, Phase } from '../shared/protocol';
import { LayersAdapter } from './adapter';
import { configureWasmThreads, ensureBackend, fallbackAfter, wasmThreadCount } from './backends';
import { decodeImage, ImageError } from './image';
import { Cancelled, throwIfAborted, toFailure, type Job, type OpenJob } from './jobs';
import { ModelLoadError, NetLensModel, type ReadFile } from './model';
import { toModelInput } from './preprocess';
import { SerialQueue } from './queue';

/** Which model, on which backend: what every request names. */
interface ModelRequest { modelId: string; backend: BackendPref; remembered: BackendChoice | null; threads?: number }
/** A classified image: its input is cached by request id, and the source re-fetches it if not. */
interface ImageRef { requestId: string; source: ImageSource | null }
export interface LoadProgress { requestId: string | null; phase: Phase; message: string; progress: number | null; queueDepth: number }
interface BackendState { backend: Backend; reason: string; pref: BackendPref; /** compute threads (wasm; 1 elsewhere) */ threads: number }

/** Preprocessed inputs of recent classifications, so explaining one needs no second download. */
const INPUT_CACHE = 6;

/** Threads a backend computes with: wasm's pool, else the one calling thread. */
const threadsOn = (b: Backend): number => (b === 'wasm' ? wasmThreadCount() : 1);

/** Keeps the `limit` most recently set entries; `drop` is called on the ones pushed out. */
export function remember<V>(cache: Map<string, V>, key: string, value: V, limit: number, drop?: (v: V) => void): void {
  cache.delete(key);
  cache.set(key, value);
  while (cache.size > limit) {
    const [k, v] = cache.entries().next().value as [string, V];
    cache.delete(k);
    drop?.(v);
  }
}

const DEVICE_LOST = /device.*lost|lost.*device|mapAsync|GPUBuffer/i;

export class Session {
  readonly queue = new SerialQueue();
  model: NetLensModel | null = null;
  backend: BackendState | null = null;
  /** Set when the GPU device behind the current backend is lost; the next request moves to another backend. */
  private lost: string | null = null;
  private readonly inputs = new Map<string, tf.Tensor4D>();
  private explainAdapter: LayersAdapter | null = null;
  private readonly listeners: (() => void)[] = [];

  constructor(private readonly read: ReadFile, private readonly emit: (p: LoadProgress) => void = () => {}) {}

  /** `drop` runs whenever the model (or its backend) is replaced: caches tied to the old one must go. */
  onModelChange(drop: () => void): void { this.listeners.push(drop); }

  /** Runs `work` in the queue; whatever it throws becomes the failure reply the user reads. */
  serve<T>(work: () => Promise<T>): Promise<T | Failure> {
    return this.queue.run(async () => {
      try { return await work(); } catch (e) { return toFailure(e); }
    });
  }

  /** Like serve, for a cancellable job: cancelled while queued, it answers at once and never runs; it is closed after. */
  serveJob<T>(job: OpenJob, work: (job: Job) => Promise<T>): Promise<T | Failure> {
    let started = false;
    const run = this.serve(() => { throwIfAborted(job.signal); started = true; return work(job); }).finally(job.close);
    // A job cancelled while it still waits answers at once; its turn in the queue then passes without work.
    const waiting = new Promise<Failure>((resolve) => job.signal.addEventListener('abort', () => { if (!started) resolve(toFailure(new Cancelled())); }, { once: true }));
    return Promise.race([run, waiting]);
  }

  progress(requestId: string | null, phase: Phase, message: string, progress: number | null = null): void {
    this.emit({ requestId, phase, message, progress, queueDepth: this.queue.depth });
  }

  /** The explanation view of the current model (pre-softmax scores, cuts at a layer); one per loaded model. */
  adapter(model: NetLensModel): LayersAdapter {
    this.explainAdapter ??= new LayersAdapter(model.model, model.entry, model.blocks ?? undefined);
    return this.explainAdapter;
  }

  /** Puts the right backend and model in place (call inside the queue, so never concurrently). */
  async prepare(req: ModelRequest, requestId: string | null = null): Promise<{ model: NetLensModel; backend: BackendState; choice: BackendChoice | null; /** a backend was set up or a model loaded (the user watched progress) */ loaded: boolean }> {
    const entry = findModel(req.modelId);
    if (!entry || entry.task !== 'classifier') throw new ModelLoadError(req.modelId, `Unknown model "${req.modelId}"`);
    let choice: BackendChoice | null = null, loaded = false;
    if (this.lost && this.backend) {
      loaded = true;
      // Weights and tensors died with the device: drop everything and take the next backend down the list.
      const from = this.backend.backend, why = this.lost;
      this.lost = null;
      this.dropModel(true);
      this.progress(requestId, 'backend', `${from} stopped working; switching backend…`);
      const next = await fallbackAfter(from);
      this.backend = { backend: next, reason: `${from} failed (${why}); fell back to ${next}`, pref: req.backend, threads: threadsOn(next) };
      this.watchDevice(next);
    }
    if (!this.backend || this.backend.pref !== req.backend) {
      loaded = true;
      this.progress(requestId, 'backend', 'Choosing the fastest backend…');
      // Before wasm first starts (once per document; the background recreates the document when it changes).
      configureWasmThreads(req.threads ?? 0);
      const before = tf.getBackend();
      const b = await ensureBackend(req.backend, req.remembered);
      choice = b.choice;
      // Weights live on a backend: after a switch the model is loaded again on the new one.
      if (before !== b.backend && this.model) this.dropModel();
      this.backend = { backend: b.backend, reason: b.reason, pref: req.backend, threads: threadsOn(b.backend) };
      this.watchDevice(b.backend);
    }
    if (this.model?.entry.id !== req.modelId) {
      loaded = true;
      this.dropModel();
      this.progress(requestId, 'model', `Loading ${entry.name}…`, 0);
      this.model = await NetLensModel.load(getModel(req.modelId), {
        read: this.read, verify: true, warmUp: true,
        onProgress: (f) => this.progress(requestId, 'model', `Loading ${entry.name}…`, f),
      });
    }
    return { model: this.model, backend: this.backend, choice, loaded };
  }

  /**
   * A lost GPU device can surface as a failed read before its `lost` promise resolves. True when `e` looks like
   * that: the caller may retry once, and prepare() then moves to the next backend.
   */
  noteDeviceLoss(e: unknown): boolean {
    if (this.backend?.backend !== 'webgpu' || !DEVICE_LOST.test(String((e as Error)?.message))) return false;
    this.lost ??= String((e as Error).message);
    return true;
  }

  /** The cached model input of a classification (owned by the session: do not dispose). */
  cachedInput(requestId: string, model: NetLensModel): tf.Tensor4D | undefined {
    return this.inputs.get(`${requestId}|${model.entry.id}`);
  }

  /** Keeps a classification's model input for later requests about it; the session now owns it. */
  keepInput(requestId: string, model: NetLensModel, input: tf.Tensor4D): void {
    remember(this.inputs, `${requestId}|${model.entry.id}`, input, INPUT_CACHE, (t) => t.dispose());
  }

  /** The classified image's model input: cached since classification, else fetched and preprocessed again. */
  async inputFor(image: ImageRef, model: NetLensModel): Promise<tf.Tensor4D> {
    const cached = this.cachedInput(image.requestId, model);
    if (cached) return cached;
    if (!image.source) throw new ImageError('not-an-image', 'This image is no longer available. Right-click it again.');
    const img = await decodeImage(image.source.url);
    try {
      const input = toModelInput(img.bitmap, model.entry);
      this.keepInput(image.requestId, model, input);
      return input;
    } finally {
      img.bitmap.close();
    }
  }

  private watchDevice(backend: Backend) {
    if (backend !== 'webgpu') return;
    const device = (tf.backend() as unknown as { device?: { lost?: Promise<{ message?: string }> } }).device;
    void device?.lost?.then((info) => { if (this.backend?.backend === 'webgpu') this.lost = info?.message || 'the WebGPU device was lost'; });
  }

  private dropModel(deviceGone = false) {
    this.inputs.forEach((t) => t.dispose());
    this.inputs.clear();
    this.explainAdapter?.dispose();
    this.explainAdapter = null;
    this.listeners.forEach((drop) => drop());
    try { this.model?.dispose(); } catch (e) { if (!deviceGone) throw e; /* its GPU buffers went with the device */ }
    this.model = null;
  }
}
