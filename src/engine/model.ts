// One model of the catalog, loaded and ready: load() is the only factory; infer() returns tensors the caller
// owns; classify() returns plain objects. Runs the same in the offscreen document and in Node (unit tests):
// the caller supplies how to read a file.
import * as tf from '@tensorflow/tfjs';
import { FusedBlocks, plainChain, runChain } from '../explain/fused-blocks';
import type { ModelEntry } from '../shared/catalog';
import type { Prediction } from '../shared/messages';
import { toModelInput, type PixelSource } from './preprocess';
import { topK } from './topk';

/** Reads a catalog file (path relative to the models root) as bytes. */
export type ReadFile = (path: string) => Promise<ArrayBuffer>;

export interface LoadOptions {
  read: ReadFile;
  /** fraction of bytes loaded so far, 0..1 */
  onProgress?: (fraction: number) => void;
  /** verify every file's sha256 against the catalog (needs crypto.subtle) */
  verify?: boolean;
  /** run one forward pass on zeros so the first real request does not pay for shader compilation */
  warmUp?: boolean;
}

export class ModelLoadError extends Error {
  constructor(readonly modelId: string, message: string) { super(message); this.name = 'ModelLoadError'; }
}

async function sha256Hex(buf: ArrayBuffer): Promise<string> {
  const d = await crypto.subtle.digest('SHA-256', buf);
  return [...new Uint8Array(d)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * TF.js Layers computes Keras's "relu6" as minimum(6, relu(x)); on wasm that broadcast-scalar Minimum runs about
 * 7× slower than a clamp and was a large share of MobileNet's forward pass. tf.relu6 is a single clamp kernel
 * with identical values, so each relu6 activation is switched to it. Returns how many were switched.
 */
export function useClampForRelu6(model: tf.LayersModel): number {
  let n = 0;
  for (const layer of model.layers) {
    const act = (layer as unknown as { activation?: { getClassName(): string; apply(x: tf.Tensor): tf.Tensor } }).activation;
    if (act?.getClassName() === 'relu6') { act.apply = (x) => tf.relu6(x); n++; }
  }
  return n;
}

export class NetLensModel {
  /**
   * For plain-chain models: the conv blocks with batch norm folded in, each run as one fused kernel. Inference
   * goes through them (MobileNet v1: three kernels a block become one), and the explanation adapter shares them.
   */
  readonly blocks: FusedBlocks | null;
  private readonly chain: tf.layers.Layer[] | null;

  private constructor(
    readonly entry: ModelEntry,
    readonly labels: readonly string[],
    readonly model: tf.LayersModel,
    readonly loadMs: number,
  ) {
    this.chain = plainChain(model);
    this.blocks = this.chain ? new FusedBlocks() : null;
    if (this.chain) tf.tidy(() => this.blocks!.prepare(this.chain!, this.chain!.length - 1));
  }

  static async load(entry: ModelEntry, opts: LoadOptions): Promise<NetLensModel> {
    const t0 = performance.now();
    const total = entry.files.reduce((s, f) => s + f.bytes, 0);
    let loaded = 0;
    const files = new Map<string, ArrayBuffer>();
    // Files are read in parallel but progress counts finished bytes, so the bar only moves forward.
    await Promise.all(entry.files.map(async (f) => {
      let buf: ArrayBuffer;
      try {
        buf = await opts.read(f.path);
      } catch (e) {
        throw new ModelLoadError(entry.id, `${entry.name}: file ${f.path} is missing from this build (${(e as Error).message}). Reinstall the models with "npm run models" and rebuild.`);
      }
      if (opts.verify) {
        const got = await sha256Hex(buf);
        if (got !== f.sha256) throw new ModelLoadError(entry.id, `${entry.name}: file ${f.path} is corrupt (sha256 ${got.slice(0, 12)}… instead of ${f.sha256.slice(0, 12)}…). Reinstall the models with "npm run models" and rebuild.`);
      }
      files.set(f.path, buf);
      loaded += f.bytes;
      opts.onProgress?.(total ? loaded / total : 1);
    }));

    const dir = entry.modelFile.slice(0, entry.modelFile.lastIndexOf('/') + 1);
    let model: tf.LayersModel;
    try {
      const json = JSON.parse(new TextDecoder().decode(files.get(entry.modelFile)!));
      const groups = json.weightsManifest as { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
      const parts = groups.flatMap((g) => g.paths.map((p) => {
        const b = files.get(dir + p);
        if (!b) throw new Error(`weight file ${dir + p} is not listed in the catalog`);
        return new Uint8Array(b);
      }));
      const weightData = new Uint8Array(parts.reduce((s, p) => s + p.byteLength, 0));
      let off = 0;
      for (const p of parts) { weightData.set(p, off); off += p.byteLength; }
      model = await tf.loadLayersModel(tf.io.fromMemory({
        modelTopology: json.modelTopology,
        weightSpecs: groups.flatMap((g) => g.weights),
        weightData: weightData.buffer,
      }));
    } catch (e) {
      if (e instanceof ModelLoadError) throw e;
      throw new ModelLoadError(entry.id, `${entry.name} could not be loaded: ${(e as Error).message}`);
    }

    useClampForRelu6(model);

    let labels: string[] = [];
    if (entry.labels) {
      try {
        const bytes = files.get(entry.labels.file);
        if (!bytes) throw new Error(`label file ${entry.labels.file} is not listed in the catalog`);
        labels = JSON.parse(new TextDecoder().decode(bytes)) as string[];
        if (!Array.isArray(labels) || labels.length !== entry.labels.count) {
          throw new Error(`label file has ${Array.isArray(labels) ? labels.length : 'no'} names, expected ${entry.labels.count}`);
        }
      } catch (e) {
        model.dispose(); // the weights are already on the backend: free them before giving up
        throw new ModelLoadError(entry.id, `${entry.name}: ${(e as Error).message}`);
      }
    }
    const m = new NetLensModel(entry, labels, model, 0);
    if (opts.warmUp) await m.warmUp();
    (m as { loadMs: number }).loadMs = performance.now() - t0;
    return m;
  }

  async warmUp(): Promise<void> {
    const y = tf.tidy(() => this.infer(tf.zeros([1, this.entry.input.height, this.entry.input.width, 3])));
    await y.data();
    y.dispose();
  }

  /** Class probabilities [batch, classes] for a preprocessed batch. The caller owns (and disposes) the result. */
  infer(batch: tf.Tensor4D): tf.Tensor2D {
    return tf.tidy(() => {
      const out = this.chain ? runChain(this.blocks!, this.chain, batch, 0, this.chain.length - 1) : this.model.predict(batch) as tf.Tensor;
      const flat = out.reshape([out.shape[0]!, -1]) as tf.Tensor2D;
      return this.entry.output === 'logits' ? tf.softmax(flat) : flat;
    });
  }

  /** Top-k classes for one image, as plain objects. */
  async classify(pixels: PixelSource, k = 5): Promise<Prediction[]> {
    const probs = tf.tidy(() => this.infer(toModelInput(pixels, this.entry)));
    try {
      return topK(await probs.data(), k, this.labels);
    } finally {
      probs.dispose();
    }
  }

  dispose(): void { this.blocks?.dispose(); this.model.dispose(); }
}
