// The explanation vocabulary: one Explainer interface, plain-value targets, plain-data results.
import type * as tf from '@tensorflow/tfjs';

/** What to explain. A plain value so it can cross messages and be persisted. */
export type Target = { kind: 'class'; index: number };

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
}

export interface SaliencyMap {
  method: string;
  target: Target;
  width: number;
  height: number;
  /** row-major, width × height; for signed methods, positive = evidence for the target */
  values: Float32Array;
  min: number;
  max: number;
  signed: boolean;
  /** extra numbers a method wants to show (e.g. IG's completeness check) */
  notes?: Record<string, number>;
}

export interface RunOptions {
  signal?: AbortSignal;
  /** 0..1 */
  onProgress?: (fraction: number) => void;
  /** how many inputs per forward/backward pass (1 = unbatched) */
  batchSize?: number;
}

export type Params = Record<string, number | string | boolean>;

export interface Explainer<P extends Params = Params> {
  readonly id: string;
  readonly name: string;
  /** one line for the UI */
  readonly summary: string;
  readonly paper: string;
  readonly defaults: P;
  explain(model: ExplainModel, input: tf.Tensor4D, target: Target, params: P, opts?: RunOptions): Promise<SaliencyMap>;
}

/** Methods built on input gradients: SmoothGrad can wrap any of them. */
export interface GradientExplainer<P extends Params = Params> extends Explainer<P> {
  /** Per-input attributions [B, H, W, C] for a batch of inputs (tidy; caller owns the result). */
  attribute(model: ExplainModel, inputs: tf.Tensor4D, target: Target, params: P, opts?: RunOptions): Promise<tf.Tensor4D>;
  /** how [H, W, C] attributions become one value per pixel */
  readonly reduce: 'max-abs' | 'sum';
}

export class Cancelled extends Error {
  constructor() { super('cancelled'); this.name = 'Cancelled'; }
}

export function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw new Cancelled();
}
