// Class activation maps: a weighted sum of a conv layer's channels, ReLU'd. The CAM variants differ only in how
// they weight the channels (the `weights` function: from gradients, from masked or ablated scores, or from the
// activations alone); cutting the model, the weighted sum and the upsampling are shared here.
import * as tf from '@tensorflow/tfjs';
import type { Explainer, ExplainModel, Params, RunOptions, Target } from '../types';
import { column, toMap } from '../util';

export interface CamParams extends Params { layer: string }

/** What a weighting can look at: the feature map A [1, h, w, C], its gradient (when asked for), the cut model. */
export interface CamContext<P extends CamParams = CamParams> {
  A: tf.Tensor4D;
  /** ∂score/∂A, or null for gradient-free weightings */
  G: tf.Tensor4D | null;
  model: ExplainModel;
  head: (features: tf.Tensor4D) => tf.Tensor2D;
  input: tf.Tensor4D;
  target: Target;
  params: P;
  opts: RunOptions;
}

/**
 * Weights: [C] per channel, or [1, h, w, C] per position and channel (HiRes-CAM, LayerCAM). `shift` is added to
 * the weighted sum before the ReLU (Eigen-CAM's centring). The caller disposes the tensor.
 */
export type CamWeighting<P extends CamParams = CamParams> = (c: CamContext<P>) => tf.Tensor | { weights: tf.Tensor; shift: number } | Promise<tf.Tensor | { weights: tf.Tensor; shift: number }>;

export interface CamSpec<P extends CamParams = CamParams> { id: string; gradients: boolean; weights: CamWeighting<P> }

/** The CAM at feature resolution [h, w] (before upsampling), for tests and for the full explain(). Caller owns it. */
export async function camMap<P extends CamParams>(model: ExplainModel, input: tf.Tensor4D, target: Target, layer: string, spec: CamSpec<P>, params: P = { layer } as P, opts: RunOptions = {}): Promise<tf.Tensor2D> {
  const { features, head } = model.split(layer);
  const A = tf.tidy(() => features(input));
  const G = spec.gradients ? tf.tidy(() => tf.grad((a: tf.Tensor) => column(head(a as tf.Tensor4D), target.index).sum())(A) as tf.Tensor4D) : null;
  try {
    const out = await spec.weights({ A, G, model, head, input, target, params, opts });
    const { weights, shift } = out instanceof tf.Tensor ? { weights: out, shift: 0 } : out;
    try {
      return tf.tidy(() => {
        const a = A.squeeze([0]) as tf.Tensor3D;
        const w = weights.rank === 1 ? weights : weights.reshape(a.shape);
        return tf.relu(tf.add(tf.sum(tf.mul(a, w), 2), shift)) as tf.Tensor2D;
      });
    } finally {
      weights.dispose();
    }
  } finally {
    A.dispose();
    G?.dispose();
  }
}

/** The CAM upsampled to the input size, so every method's map lines up with the image pixel for pixel. */
export async function camUpsampled<P extends CamParams>(model: ExplainModel, input: tf.Tensor4D, target: Target, spec: CamSpec<P>, params: P, opts: RunOptions = {}): Promise<tf.Tensor2D> {
  const layer = params.layer || model.defaultCamLayer;
  if (!layer) throw new Error('this model has no layer for class activation maps');
  const [h, w] = model.inputShape;
  const small = await camMap(model, input, target, layer, spec, params, opts);
  const up = tf.tidy(() => tf.image.resizeBilinear(small.expandDims(2) as tf.Tensor3D, [h, w], false, true).squeeze([2]) as tf.Tensor2D);
  small.dispose();
  return up;
}

export function camExplainer<P extends CamParams = CamParams>(spec: CamSpec<P>): Explainer<P> {
  return {
    id: spec.id,
    async explain(model, input, target, params, opts) {
      return toMap(await camUpsampled(model, input, target, spec, params, opts), spec.id, target, false, undefined);
    },
  };
}
