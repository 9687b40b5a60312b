// Eigen-CAM: the activations projected on their first principal component — what the layer varies along most,
// with no gradients and no class (the same map for every class).
// Muhammad & Yeasin 2020, "Eigen-CAM", https://arxiv.org/abs/2008.00299
import * as tf from '@tensorflow/tfjs';
import { camExplainer } from './cam';

/**
 * The first principal direction v [C] of the h·w activation vectors, and −mean·v, so that Σ_c A_c·v_c + shift is
 * the centred projection. Power iteration on the small h·w × h·w Gram matrix (h·w ≤ C for late layers). The sign
 * is chosen so v points along the mean activation: bright means "more of what this layer sees here".
 */
export async function firstComponent(A: tf.Tensor4D, iterations = 200): Promise<{ weights: tf.Tensor1D; shift: number }> {
  const [, h, w, c] = A.shape;
  const n = h * w;
  const v = tf.tidy(() => {
    const X = A.reshape([n, c]);
    const mean = X.mean(0, true);
    const Xc = tf.sub(X, mean);
    const K = tf.matMul(Xc, Xc, false, true); // [n, n]
    let u: tf.Tensor = tf.div(tf.ones([n, 1]), Math.sqrt(n));
    for (let i = 0; i < iterations; i++) {
      const next = tf.matMul(K, u);
      u = tf.div(next, tf.add(tf.norm(next), 1e-30));
    }
    const dir = tf.matMul(Xc, u, true, false).reshape([c]); // Xcᵀu ∝ the principal direction
    const unit = tf.div(dir, tf.add(tf.norm(dir), 1e-30));
    const sign = tf.sign(tf.add(tf.sum(tf.mul(unit, mean.reshape([c]))), 1e-30));
    const vv = tf.mul(unit, sign);
    return tf.concat([vv, tf.neg(tf.sum(tf.mul(vv, mean.reshape([c])))).reshape([1])]);
  });
  const all = (await v.data()) as Float32Array;
  v.dispose();
  return { weights: tf.tensor1d(all.subarray(0, c)), shift: all[c]! };
}

export const eigenCam = camExplainer({ id: 'eigen-cam', gradients: false, weights: (c) => firstComponent(c.A) });
