// ROAD, Remove And Debias (Rong et al. 2022, https://arxiv.org/abs/2202.00449): removed pixels are not painted a
// constant colour, which leaks where they were and favours blurry maps (arXiv 2304.13836); each is filled from
// its neighbours by linear imputation instead, plus a little noise, so the model sees a plausible image with
// the information gone.
import * as tf from '@tensorflow/tfjs';

/** Neighbour weights of the imputation: 1/6 for the 4 direct neighbours, 1/12 for the 4 diagonal ones. */
export const ROAD_KERNEL = [[1 / 12, 1 / 6, 1 / 12], [1 / 6, 0, 1 / 6], [1 / 12, 1 / 6, 1 / 12]] as const;

/** The MoRF percentiles at which ROAD is measured. */
export const ROAD_LEVELS = [0.2, 0.4, 0.6, 0.8] as const;

/**
 * A first guess for the removed pixels by push–pull: average the known pixels down a pyramid, then fill each
 * level's unknown share from the coarser level. Large holes get a smooth fill that Jacobi alone would need
 * thousands of iterations to reach.
 */
function pushPull(v: tf.Tensor4D, w: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const vs = [v], ws = [w];
    while (vs[vs.length - 1]!.shape[1] > 4 && vs[vs.length - 1]!.shape[2] > 4) {
      vs.push(tf.avgPool(vs[vs.length - 1]!, 2, 2, 'same'));
      ws.push(tf.avgPool(ws[ws.length - 1]!, 2, 2, 'same'));
    }
    const top = vs.length - 1;
    const mean = tf.div(tf.sum(vs[top]!, [1, 2], true), tf.maximum(tf.sum(ws[top]!, [1, 2], true), 1e-6));
    let est: tf.Tensor4D = tf.add(vs[top]!, tf.mul(tf.sub(1, ws[top]!), mean)) as tf.Tensor4D;
    for (let l = top - 1; l >= 0; l--) {
      const up = tf.image.resizeBilinear(est, [vs[l]!.shape[1], vs[l]!.shape[2]], false, true);
      est = tf.add(vs[l]!, tf.mul(tf.sub(1, ws[l]!), up)) as tf.Tensor4D;
    }
    return est;
  });
}

/** [B, H, W, 1] → [B, H, W, c], by a broadcast multiply: on wasm, tf.tile took ~30 ms for a [4, 224, 224, 3]. */
const channels = (t: tf.Tensor4D, c: number): tf.Tensor4D => tf.mul(t, tf.ones([1, 1, 1, c]));

/**
 * Fills the pixels where `removed` is 1 ([B, H, W, 1]) so that each equals the weighted mean of its neighbours
 * (ROAD_KERNEL, renormalised at the image border), the known pixels of `x` ([1, H, W, C]) staying as they are:
 * Jacobi iterations on that linear system from a push–pull start. `noise` (σ in input units, seeded) is then
 * added to the filled pixels. Caller owns the result [B, H, W, C].
 */
export function roadImpute(x: tf.Tensor4D, removed: tf.Tensor4D, opts: { iterations?: number; noise?: number; seed?: number } = {}): tf.Tensor4D {
  const [, , , c] = x.shape;
  const k = tf.tidy(() => tf.tensor2d(ROAD_KERNEL.flat(), [3, 3]).reshape([3, 3, 1, 1]) as tf.Tensor4D);
  const kc = tf.tidy(() => tf.tile(k, [1, 1, c, 1]) as tf.Tensor4D);
  const known = tf.tidy(() => tf.sub(1, removed) as tf.Tensor4D);
  const fixed = tf.tidy(() => tf.mul(x, known) as tf.Tensor4D);
  // A removed pixel's share of its neighbours' weighted sum, removed / (the sum of its in-image neighbour weights:
  // 1 inside, less at the border), as a whole [B, H, W, C] tensor: the loop's elementwise ops then need no
  // broadcast, which on wasm is several times slower than same-shape ops.
  const weight = tf.tidy(() => channels(tf.div(removed, tf.depthwiseConv2d(tf.onesLike(removed), k, 1, 'same')), c));
  let y = tf.tidy(() => tf.add(fixed, tf.mul(removed, pushPull(fixed, channels(known, c)))) as tf.Tensor4D);
  try {
    for (let i = 0; i < (opts.iterations ?? 60); i++) {
      const next = tf.tidy(() => tf.add(fixed, tf.mul(tf.depthwiseConv2d(y, kc, 1, 'same'), weight)) as tf.Tensor4D);
      y.dispose();
      y = next;
    }
    if (!opts.noise) return y;
    const noisy = tf.tidy(() => tf.add(y, tf.mul(removed, tf.randomNormal(y.shape, 0, opts.noise, 'float32', opts.seed ?? 5))) as tf.Tensor4D);
    y.dispose();
    return noisy;
  } finally {
    [k, kc, known, fixed, weight].forEach((t) => t.dispose());
  }
}
