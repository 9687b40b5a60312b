// Class activation maps from gradients: a weighted sum of a conv layer's channels, ReLU'd. The CAM variants
// differ only in how they weight the channels (the `weights` function); everything else is shared here.
import * as tf from '@tensorflow/tfjs';
import type { Explainer, ExplainModel, Params, Target } from '../types';
import { column, toMap } from '../util';

interface CamParams extends Params { layer: string }

/** Channel weights [C] from the feature map A [1, h, w, C] and the score's gradient G = ∂score/∂A. */
export type ChannelWeights = (A: tf.Tensor4D, G: tf.Tensor4D) => tf.Tensor1D;

/** The CAM at feature resolution [h, w] (before upsampling), for tests and for the full explain(). */
export function camMap(model: ExplainModel, input: tf.Tensor4D, target: Target, layer: string, weights: ChannelWeights): tf.Tensor2D {
  return tf.tidy(() => {
    const { features, head } = model.split(layer);
    const A = features(input);
    const G = tf.grad((a: tf.Tensor) => column(head(a as tf.Tensor4D), target.index).sum())(A) as tf.Tensor4D;
    const w = weights(A, G);
    return tf.relu(tf.sum(tf.mul(A.squeeze([0]), w), 2)) as tf.Tensor2D;
  });
}

export function camExplainer(spec: { id: string; weights: ChannelWeights }): Explainer<CamParams> {
  return {
    id: spec.id,
    async explain(model, input, target, params) {
      const layer = params.layer || model.defaultCamLayer;
      if (!layer) throw new Error('this model has no layer for class activation maps');
      const [h, w] = model.inputShape;
      // Upsampled to the input size, so every method's map lines up with the image pixel for pixel.
      const map = tf.tidy(() => tf.image.resizeBilinear(camMap(model, input, target, layer, spec.weights).expandDims(2) as tf.Tensor3D, [h, w], false, true).squeeze([2]) as tf.Tensor2D);
      return toMap(map, spec.id, target, false, undefined);
    },
  };
}
