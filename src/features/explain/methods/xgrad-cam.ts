// XGrad-CAM: each channel's gradient averaged with its own activations as weights, which makes the CAM satisfy
// the sensitivity and conservation axioms for ReLU networks.
// Fu et al. 2020, "Axiom-based Grad-CAM", https://arxiv.org/abs/2008.02312
import * as tf from '@tensorflow/tfjs';
import { camExplainer } from './cam';

/** α_c = Σ_ij A_ij·G_ij / Σ_ij A_ij (0 for a channel that is silent everywhere) */
export const xGradCamWeights = (A: tf.Tensor4D, G: tf.Tensor4D) => tf.tidy(() => {
  const sumA = tf.sum(A, [0, 1, 2]);
  return tf.div(tf.sum(tf.mul(A, G), [0, 1, 2]), tf.where(tf.greater(tf.abs(sumA), 1e-12), sumA, tf.onesLike(sumA))) as tf.Tensor1D;
});

export const xGradCam = camExplainer({ id: 'xgrad-cam', gradients: true, weights: (c) => xGradCamWeights(c.A, c.G!) });
