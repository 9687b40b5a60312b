// Eigen-CAM: the activations projected on their first principal component — what the layer varies along most,
// with no gradients and no class (the same map for every class).
// Muhammad & Yeasin 2020, "Eigen-CAM", https://arxiv.org/abs/2008.00299
import * as tf from '@tensorflow/tfjs';
import { camExplainer } from './cam';

/**
 * The first principal direction v [C] of the h·w activation vectors, and −mean·v, so that Σ_c A_c·v_c + shift is
 * the centred projection. Power iteration, in JS (as TF.js kernels its 600 tiny ops cost 50 ms on wasm), on the
 * smaller of the h·w × h·w Gram matrix (late layers) and the C × C covariance (early ones). The sign is chosen so
 * v points along the mean activation: bright means "more of what this layer sees here".
 */
export async function firstComponent(A: tf.Tensor4D, iterations = 200): Promise<{ weights: tf.Tensor1D; shift: number }> {
  const [, h, w, c] = A.shape;
  const n = h * w;
  const gram = n <= c;
  const [XcT, meanT, KT] = tf.tidy(() => {
    const X = A.reshape([n, c]);
    const mean = X.mean(0, true);
    const Xc = tf.sub(X, mean);
    return [Xc, mean, gram ? tf.matMul(Xc, Xc, false, true) : tf.matMul(Xc, Xc, true, false)];
  });
  try {
    const K = (await KT.data()) as Float32Array;
    const m = gram ? n : c;
    let u = new Float64Array(m).fill(1 / Math.sqrt(m));
    for (let it = 0; it < iterations; it++) {
      const next = new Float64Array(m);
      let norm = 0;
      for (let i = 0; i < m; i++) { let s = 0; for (let j = 0; j < m; j++) s += K[i * m + j]! * u[j]!; next[i] = s; norm += s * s; }
      norm = Math.sqrt(norm) + 1e-30;
      u = next.map((x) => x / norm);
    }
    const v = tf.tidy(() => {
      const top = tf.tensor2d(Float32Array.from(u), [m, 1]);
      // with the Gram matrix, Xcᵀu ∝ the principal direction; with the covariance, u is it
      const dir = (gram ? tf.matMul(XcT, top, true, false) : top).reshape([c]);
      const unit = tf.div(dir, tf.add(tf.norm(dir), 1e-30));
      const sign = tf.sign(tf.add(tf.sum(tf.mul(unit, meanT.reshape([c]))), 1e-30));
      const vv = tf.mul(unit, sign);
      return tf.concat([vv, tf.neg(tf.sum(tf.mul(vv, meanT.reshape([c])))).reshape([1])]);
    });
    const all = (await v.data()) as Float32Array;
    v.dispose();
    return { weights: tf.tensor1d(all.subarray(0, c)), shift: all[c]! };
  } finally {
    XcT.dispose(); meanT.dispose(); KT.dispose();
  }
}

export const eigenCam = camExplainer({ id: 'eigen-cam', gradients: false, weights: (c) => firstComponent(c.A) });
