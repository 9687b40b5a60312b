// The explanation vocabulary: one Explainer interface, plain-value targets, plain-data results. What the UI
// says about a method (name, summary, paper, parameters) is in the TF-free catalog.ts.
import type * as tf from '@tensorflow/tfjs';
import type { ExplainModel, PatchedLogits, RunOptions } from '../../engine/adapter';
import type { Params, SaliencyMap, Target } from './contract';

export type { ExplainModel, PatchedLogits, Params, RunOptions, SaliencyMap, Target };

export interface Explainer<P extends Params = Params> {
  /** the method's id in the catalog (catalog.ts), which holds its name, paper and default parameters */
  readonly id: string;
  explain(model: ExplainModel, input: tf.Tensor4D, target: Target, params: P, opts?: RunOptions): Promise<SaliencyMap>;
}

/** Methods built on input gradients: SmoothGrad can wrap any of them. */
export interface GradientExplainer<P extends Params = Params> extends Explainer<P> {
  /** Per-input attributions [B, H, W, C] for a batch of inputs (tidy; caller owns the result). */
  attribute(model: ExplainModel, inputs: tf.Tensor4D, target: Target, params: P, opts?: RunOptions): Promise<tf.Tensor4D>;
  /** how [H, W, C] attributions become one value per pixel */
  readonly reduce: 'max-abs' | 'sum';
}
