// Grad-CAM++: like Grad-CAM, but each position's positive gradient is weighted so several object parts count.
// Chattopadhyay et al. 2018, "Grad-CAM++", https://arxiv.org/abs/1710.11063
import * as tf from '@tensorflow/tfjs';
import { camExplainer } from './cam';

/**
 * α_c = Σ_ij a_ij·relu(G_ij) with a_ij = G² / (2G² + Σ_ab A_ab·G³) — the closed form for an exponential of the
 * score, as in the paper's eq. 19 (and pytorch-grad-cam).
 */
export const gradCamPlusPlusWeights = (A: tf.Tensor4D, G: tf.Tensor4D) => tf.tidy(() => {
  const g2 = tf.square(G);
  const g3 = tf.mul(g2, G);
  const sumA = tf.sum(A, [1, 2], true);
  const denom = tf.add(tf.mul(g2, 2), tf.mul(sumA, g3));
  const alpha = tf.div(g2, tf.where(tf.notEqual(denom, 0), denom, tf.onesLike(denom)));
  return tf.sum(tf.mul(alpha, tf.relu(G)), [0, 1, 2]) as tf.Tensor1D;
});

export const gradCamPlusPlus = camExplainer({ id: 'grad-cam-plus-plus', gradients: true, weights: (c) => gradCamPlusPlusWeights(c.A, c.G!) });
