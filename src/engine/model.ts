// One model of the catalog, loaded and ready: load() is the only factory; infer() returns tensors the caller
// owns; classify() returns plain objects. Runs the same in the offscreen document and in Node (unit tests):
// the caller supplies how to read a file.
import * as tf from '@tensorflow/tfjs';
import { FusedBlocks, plainChain, runChain } from './kernels/fused-blocks';
import type { ModelEntry } from '../shared/catalog';
import { sha256Hex } from '../shared/codecs';
import type { Prediction } from '../features/classify/contract';
import { toModelInput, type PixelSource } from './preprocess';
import { topK } from './topk';

/** Reads a catalog file (path relative to the models root) as bytes. */
export type ReadFile = (path: string) => Promise<ArrayBuffer>;

interface LoadOptions {
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


/**
 * TF.js Layers computes Keras's "relu6" as minimum(6, relu(x)); on wasm that broadcast-scalar Minimum runs about
 * 7× slower than a clamp and was a large share of MobileNet's forward pass. tf.relu6 is a single clamp kernel
 * with identical values, so each relu6 activation is switched to it. (Plain-chain models mostly run through the
 * fused blocks instead; this covers the rest: MobileNet v2, the layer views' sub-models, cuts inside a block.)
 */
function useClampForRelu6(model: tf.LayersModel): void {
  for (const layer of model.layers) {
    const act = (layer as unknown as { activation?: { getClassName(): string; apply(x: tf.Tensor): tf.Tensor } }).activation;
    if (act?.getClassName() === 'relu6') act.apply = (x) => tf.relu6(x);
  }
}

export class NetLensModel {
  /**
   * For plain-chain models: the conv blocks with batch norm folded in, each run as one fused kernel. Inference
   * goes through them (MobileNet v1: three kernels a block become one), and the explanation adapter shares them.
   */
  readonly blocks: FusedBlocks | null;
  private readonly chain: tf.layers.Layer[] | null;
  /** sub-models by their output layers; they share the model's weights (nothing to dispose) */
  private readonly subModels = new Map<string, tf.LayersModel>();

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
    return tf.tidy(() => this.probabilities(this.chain ? runChain(this.blocks!, this.chain, batch, 0, this.chain.length - 1) : this.model.predict(batch) as tf.Tensor));
  }

  /**
   * Class probabilities and the output of `layer` from one pass (a plain chain is simply run on from the layer);
   * a branched model takes two. The caller owns both.
   */
  inferWithLayer(batch: tf.Tensor4D, layer: string): { probs: tf.Tensor2D; features: tf.Tensor } {
    if (!this.chain) return { probs: this.infer(batch), features: this.layerOutput(batch, layer) };
    return tf.tidy(() => {
      const k = this.chainIndex(layer);
      const features = runChain(this.blocks!, this.chain!, batch, 0, k);
      return { probs: this.probabilities(runChain(this.blocks!, this.chain!, features, k + 1, this.chain!.length - 1)), features };
    });
  }

  /** One layer's output for a batch: through the fused blocks on a plain chain, else a sub-model sharing the weights. */
  layerOutput(batch: tf.Tensor4D, layer: string): tf.Tensor {
    return tf.tidy(() => {
      if (this.chain) return runChain(this.blocks!, this.chain, batch, 0, this.chainIndex(layer));
      return this.subModel([layer]).predict(batch) as tf.Tensor;
    });
  }

  /**
   * Several layers' outputs from one pass, in the order asked: a plain chain runs once, through its fused
   * blocks, keeping the output at each cut; a branched model uses one multi-output sub-model. The caller owns them.
   */
  layerOutputs(batch: tf.Tensor4D, layers: readonly string[]): tf.Tensor[] {
    if (!layers.length) return [];
    if (!this.chain) { const ys = this.subModel(layers).predict(batch) as tf.Tensor | tf.Tensor[]; return Array.isArray(ys) ? ys : [ys]; }
    // the input layer is not in the chain: index −1, the batch itself
    const indexOf = (n: string) => (this.model.layers[0]?.getClassName() === 'InputLayer' && this.model.layers[0].name === n ? -1 : this.chainIndex(n));
    return tf.tidy(() => {
      const cuts = [...new Set(layers.map(indexOf))].sort((a, b) => a - b);
      const at = new Map<number, tf.Tensor>([[-1, batch]]);
      let y: tf.Tensor = batch, from = 0;
      for (const k of cuts) { if (k < 0) continue; y = runChain(this.blocks!, this.chain!, y, from, k); at.set(k, y); from = k + 1; }
      return layers.map((n) => at.get(indexOf(n))!.clone());
    });
  }

  /**
   * The network from its input to the given layers' outputs, as one model (one forward pass for all of them).
   * Built once per set of layers; it shares this model's layers and weights, so it is never disposed on its own.
   */
  subModel(layers: readonly string[]): tf.LayersModel {
    const key = layers.join('|');
    let sub = this.subModels.get(key);
    if (!sub) {
      sub = tf.model({ inputs: this.model.inputs, outputs: layers.map((n) => this.model.getLayer(n).output as tf.SymbolicTensor) });
      this.subModels.set(key, sub);
    }
    return sub;
  }

  private chainIndex(layer: string): number {
    const k = this.chain!.findIndex((l) => l.name === layer);
    if (k < 0) throw new Error(`${this.entry.name} has no layer "${layer}"`);
    return k;
  }

  private probabilities(out: tf.Tensor): tf.Tensor2D {
    const flat = out.reshape([out.shape[0]!, -1]) as tf.Tensor2D;
    return this.entry.output === 'logits' ? tf.softmax(flat) : flat;
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
