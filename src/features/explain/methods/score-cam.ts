// Score-CAM: each channel, upsampled and scaled to [0, 1], masks the image; the class probability of that masked
// image (above a blank one's) is the channel's weight. No gradients. Faster Score-CAM keeps the N channels of
// highest variance and gives the rest weight 0.
// Wang et al. 2020, "Score-CAM", https://arxiv.org/abs/1910.01279
import * as tf from '@tensorflow/tfjs';
import { camExplainer, type CamContext, type CamParams } from './cam';
import { chunks, column, throwIfAbortedAsync } from '../util';

export interface ScoreCamParams extends CamParams { channels: number }

/** The `n` channels with the largest spatial variance, most varied first. */
export async function topVarianceChannels(A: tf.Tensor4D, n: number): Promise<number[]> {
  const v = tf.tidy(() => tf.moments(A, [0, 1, 2]).variance);
  const vars = await v.data();
  v.dispose();
  return Array.from(vars.keys()).sort((a, b) => (vars[b]! - vars[a]!) || (a - b)).slice(0, Math.max(1, Math.min(n, vars.length)));
}

/** c_k = p(X ∘ H_k) − p(X ∘ 0) for the chosen channels (0 for the others): the paper's "increase of confidence". */
export async function scoreCamWeights(c: CamContext<ScoreCamParams>): Promise<tf.Tensor1D> {
  const { A, input, model, target, opts } = c;
  const C = A.shape[3];
  const [h, w] = model.inputShape;
  const chosen = await topVarianceChannels(A, Math.round(c.params.channels || C));
  const prob = (x: tf.Tensor4D) => column(tf.softmax(model.logits(x)), target.index);
  const weights = new Float32Array(C);
  const blank = tf.tidy(() => prob(tf.mul(input, 0) as tf.Tensor4D));
  const p0 = (await blank.data())[0]!;
  blank.dispose();
  for (const [a, b] of chunks(chosen.length, opts.batchSize ?? 8)) {
    await throwIfAbortedAsync(opts.signal);
    const ids = chosen.slice(a, b);
    const p = tf.tidy(() => {
      const maps = tf.transpose(tf.gather(A.squeeze([0]), ids, 2), [2, 0, 1]).expandDims(3) as tf.Tensor4D; // [k, h', w', 1]
      const up = tf.image.resizeBilinear(maps, [h, w], false, true);
      const lo = tf.min(up, [1, 2, 3], true), hi = tf.max(up, [1, 2, 3], true);
      // A flat map (hi = lo) gives up − lo = 0: dividing it by 1 makes its mask 0. (A tf.where over the whole
      // [k, h, w, 1] broadcast its condition with tf.tile: 27 ms a batch on wasm.)
      const range = tf.sub(hi, lo);
      const masks = tf.div(tf.sub(up, lo), tf.where(tf.greater(range, 0), range, tf.onesLike(range)));
      return prob(tf.mul(input, masks) as tf.Tensor4D);
    });
    const pv = await p.data();
    p.dispose();
    ids.forEach((k, i) => { weights[k] = pv[i]! - p0; });
    opts.onProgress?.(b / chosen.length);
  }
  return tf.tensor1d(weights);
}

export const scoreCam = camExplainer<ScoreCamParams>({ id: 'score-cam', gradients: false, weights: scoreCamWeights });
