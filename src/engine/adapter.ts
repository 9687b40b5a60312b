// Turns a loaded catalog model into an ExplainModel: pre-softmax scores and "cut at layer L" for CAM.
// All classifiers in the catalog are plain chains (each layer feeds the next), so the network from any
// layer onwards is re-applied layer by layer; the adapter refuses graphs with branches.
//
// Conv blocks (conv + batch norm + activation) run as one fused kernel with a hand-written input gradient
// (fused-blocks.ts). A layer outside a block, e.g. a batch norm right after a cut, is applied from its weights
// as plain ops when a gradient is wanted: Keras Conv2D runs TF.js's fused conv, whose custom gradient eagerly
// computes the *filter* gradient too, and BatchNorm's gradient tiles its statistics. Only input gradients are
// ever wanted here, so the weights enter as constants and never get a gradient.
import * as tf from '@tensorflow/tfjs';
import type { ModelEntry } from '../shared/catalog';
import { FusedBlocks, plainChain, runChain } from './kernels/fused-blocks';
import { PatchedImage, windowedPays } from './kernels/windowed';

/** What a method needs from a model; implemented by the real model adapter and by analytic fakes in tests. */
export interface ExplainModel {
  /** [height, width, channels] of one input */
  readonly inputShape: readonly [number, number, number];
  readonly numClasses: number;
  /** Pre-softmax class scores [batch, classes] for a preprocessed batch. Caller owns the result. */
  logits(x: tf.Tensor4D): tf.Tensor2D;
  /** The model cut at a conv layer: its feature map, and the rest of the network from there to the logits. */
  split(layer: string): { features(x: tf.Tensor4D): tf.Tensor4D; head(features: tf.Tensor4D): tf.Tensor2D };
  /** Layers with a spatial [h, w, c] output, from input to output: where CAM methods can look. */
  convLayers(): string[];
  readonly defaultCamLayer: string | null;
  /** pixel (0..255) → model input value: x·scale + offset */
  readonly preprocess: { readonly scale: number; readonly offset: number };
  /**
   * Optional: logits of many copies of one image [1, H, W, 3], each with one rectangle painted over, computed
   * only where the rectangle reaches (see kernels/windowed.ts). Same values as logits() of the painted batch.
   */
  patched?(input: tf.Tensor4D): PatchedLogits | null;
}

/** Logits [B, classes] of the image with a size[0]×size[1] rectangle at each origin (row, column) set to `fill`. */
export interface PatchedLogits {
  logits(origins: readonly (readonly [number, number])[], size: readonly [number, number], fill: number): tf.Tensor2D;
  dispose(): void;
}

export interface RunOptions {
  signal?: AbortSignal;
  /** 0..1 */
  onProgress?: (fraction: number) => void;
  /** how many inputs per forward/backward pass (1 = unbatched) */
  batchSize?: number;
}

interface ConvConfig { strides: [number, number]; padding: 'same' | 'valid'; dilationRate: [number, number] | number; useBias: boolean }
type WithActivation = { activation?: { apply(x: tf.Tensor): tf.Tensor; getClassName(): string } };

/** One layer in inference mode, with its weights as constants (see the note at the top). */
function applyInference(layer: tf.layers.Layer, x: tf.Tensor): tf.Tensor {
  // Outside a gradient (occlusion, faithfulness curves) the layer's own fused kernels are fastest.
  if ((tf.engine().state as unknown as { gradientDepth: number }).gradientDepth === 0) return layer.apply(x, { training: false }) as tf.Tensor;
  const kind = layer.getClassName();
  if (kind === 'Conv2D') {
    const c = layer.getConfig() as unknown as ConvConfig;
    const [kernel, bias] = layer.getWeights();
    const d = c.dilationRate;
    let y: tf.Tensor = tf.conv2d(x as tf.Tensor4D, kernel as tf.Tensor4D, c.strides, c.padding, 'NHWC', typeof d === 'number' ? [d, d] : d);
    if (c.useBias && bias) y = tf.add(y, bias);
    const act = (layer as unknown as WithActivation).activation;
    return act && act.getClassName() !== 'linear' ? act.apply(y) : y;
  }
  if (kind === 'BatchNormalization') {
    const c = layer.getConfig() as unknown as { epsilon: number; center: boolean; scale: boolean; axis: number };
    if (c.axis === -1 || c.axis === 3) {
      const w = layer.getWeights();
      let i = 0;
      const gamma = c.scale ? w[i++]! : null;
      const beta = c.center ? w[i++]! : null;
      const [mean, variance] = [w[i++]!, w[i++]!];
      // y = (x − mean)/√(var + ε)·γ + β = x·a + b, with a and b constants
      const a = tf.tidy(() => { const inv = tf.rsqrt(tf.add(variance, c.epsilon)); return gamma ? tf.mul(inv, gamma) : inv; });
      const b = tf.tidy(() => { const m = tf.neg(tf.mul(mean, a)); return beta ? tf.add(m, beta) : m; });
      return tf.add(tf.mul(x, a), b);
    }
  }
  return layer.apply(x, { training: false }) as tf.Tensor;
}

export class LayersAdapter implements ExplainModel {
  readonly inputShape: readonly [number, number, number];
  readonly numClasses: number;
  readonly defaultCamLayer: string | null;
  readonly preprocess: { scale: number; offset: number };
  private readonly chain: tf.layers.Layer[];
  private readonly logitsIndex: number;
  private readonly denseLinear: boolean;
  /** conv + batch norm + activation as one kernel (see fused-blocks.ts); owned unless shared by the model */
  private readonly blocks: FusedBlocks;
  private readonly ownsBlocks: boolean;

  /** `shared`: the loaded model's own folded blocks, to avoid a second copy of the weights (not disposed here). */
  constructor(readonly model: tf.LayersModel, readonly entry: ModelEntry, shared?: FusedBlocks) {
    const chain = plainChain(model);
    if (!chain) throw new Error(`${entry.name} is not a plain chain of layers; explanations need one`);
    this.chain = chain;
    const pre = entry.layers.preSoftmax;
    if (!pre) throw new Error(`${entry.name} has no class scores to explain`);
    this.logitsIndex = this.indexOf(pre.layer);
    this.denseLinear = pre.how === 'dense-linear';
    this.inputShape = [entry.input.height, entry.input.width, 3];
    this.numClasses = entry.labels?.count ?? 0;
    this.defaultCamLayer = entry.layers.gradCam;
    this.preprocess = entry.preprocess;
    this.ownsBlocks = !shared;
    this.blocks = shared ?? new FusedBlocks();
    this.blocks.prepare(this.chain, this.logitsIndex);
  }

  private indexOf(name: string): number {
    const i = this.chain.findIndex((l) => l.name === name);
    if (i < 0) throw new Error(`${this.entry.name} has no layer "${name}"`);
    return i;
  }

  /** Applies chain[from..to] (inclusive) in inference mode; the logits layer is applied linearly if needed. */
  private run(x: tf.Tensor, from: number, to: number): tf.Tensor {
    return runChain(this.blocks, this.chain, x, from, to, (i, y) => {
      const layer = this.chain[i]!;
      if (i === this.logitsIndex && this.denseLinear) {
        const [kernel, bias] = layer.getWeights();
        const s = tf.matMul(y as tf.Tensor2D, kernel as tf.Tensor2D);
        return bias ? tf.add(s, bias) : s;
      }
      return applyInference(layer, y);
    });
  }

  logits(x: tf.Tensor4D): tf.Tensor2D {
    return tf.tidy(() => {
      const y = this.run(x, 0, this.logitsIndex);
      return y.reshape([x.shape[0], -1]) as tf.Tensor2D;
    });
  }

  split(layer: string) {
    const k = this.indexOf(layer);
    if (k >= this.logitsIndex) throw new Error(`"${layer}" is not before the class scores`);
    return {
      features: (x: tf.Tensor4D) => tf.tidy(() => this.run(x, 0, k) as tf.Tensor4D),
      head: (f: tf.Tensor4D) => tf.tidy(() => this.run(f, k + 1, this.logitsIndex).reshape([f.shape[0], -1]) as tf.Tensor2D),
    };
  }

  patched(input: tf.Tensor4D): PatchedLogits | null {
    const up = this.patchedUpTo(input, this.chain[this.logitsIndex]!.name);
    if (!up) return null;
    return { logits: (origins, size, fill) => tf.tidy(() => up.run(origins, size, fill).reshape([origins.length, -1]) as tf.Tensor2D), dispose: up.dispose };
  }

  /** Like patched(), but the output of `layer` (for heads built on the backbone). */
  patchedUpTo(input: tf.Tensor4D, layer: string): { run: (...a: Parameters<PatchedLogits['logits']>) => tf.Tensor; dispose(): void } | null {
    if (!windowedPays(tf.getBackend())) return null;
    const to = this.indexOf(layer);
    // the windowed part stops before the logits layer, which the adapter may apply its own way
    const image = new PatchedImage(this.blocks, this.chain, input, Math.min(to, this.logitsIndex - 1));
    return {
      run: (origins, size, fill) => tf.tidy(() => { const { y, next } = image.run(origins, size, fill); return this.run(y, next, to); }),
      dispose: () => image.dispose(),
    };
  }

  convLayers(): string[] {
    return this.chain.slice(0, this.logitsIndex)
      .filter((l) => { const s = l.outputShape as number[]; return Array.isArray(s) && s.length === 4 && (s[1] ?? 0) > 1; })
      .map((l) => l.name);
  }

  /** The backbone from `after` (exclusive; null = the input) up to and including `to`, for heads built on it. */
  runBetween(x: tf.Tensor, after: string | null, to: string): tf.Tensor {
    return this.run(x, after === null ? 0 : this.indexOf(after) + 1, this.indexOf(to));
  }

  /** Frees the folded weights this adapter keeps for gradients (the model itself is not touched). */
  dispose(): void {
    if (this.ownsBlocks) this.blocks.dispose();
  }

  /** Layers whose weights the sanity check re-initialises, from the logits downwards. */
  weightedLayersFromTop(): tf.layers.Layer[] {
    return this.chain.slice(0, this.logitsIndex + 1).filter((l) => l.getWeights().length > 0).reverse();
  }
}
