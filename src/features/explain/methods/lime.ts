// LIME: cut the image into superpixels, show the model copies with random sets of them greyed out (replaced by
// their mean colour), and fit a linear model of the class probability, weighted towards copies close to the
// original. A superpixel's coefficient is its saliency.
// Ribeiro, Singh & Guestrin 2016, "Why Should I Trust You?", https://arxiv.org/abs/1602.04938
import * as tf from '@tensorflow/tfjs';
import { seededRandom } from '../../../shared/codecs';
import { cosineDistanceToOnes, limeKernel, weightedRidge } from '../ridge';
import { slic } from '../slic';
import type { Explainer, Params } from '../types';
import { chunks, column, throwIfAbortedAsync, toMap } from '../util';

interface LimeParams extends Params { samples: number; segments: number }

/** Per-segment mean image [1, H, W, C], and the segments as one-hot planes [H·W, d]. */
function segmentTensors(input: tf.Tensor4D, labels: Int32Array, d: number) {
  return tf.tidy(() => {
    const [, h, w, c] = input.shape;
    const onehot = tf.oneHot(tf.tensor1d(labels, 'int32'), d).toFloat() as tf.Tensor2D; // [H·W, d]
    const pixels = input.reshape([h * w, c]) as tf.Tensor2D;
    const sums = tf.matMul(onehot, pixels, true, false); // [d, C]
    const means = tf.div(sums, tf.maximum(onehot.sum(0).reshape([d, 1]), 1));
    return { onehot, meanImage: tf.matMul(onehot, means).reshape([1, h, w, c]) as tf.Tensor4D };
  });
}

export const lime: Explainer<LimeParams> = {
  id: 'lime',
  async explain(model, input, target, params, opts = {}) {
    const [h, w] = model.inputShape;
    const { labels, count: d } = slic(await input.data(), w, h, { segments: Math.round(params.segments) });
    const n = Math.max(d + 1, Math.round(params.samples));
    const rand = seededRandom(99);
    // The first sample is the image itself, as in LIME.
    const Z = new Float32Array(n * d);
    for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) Z[i * d + j] = i === 0 || rand() < 0.5 ? 1 : 0;
    const { onehot, meanImage } = segmentTensors(input, labels, d);
    const probs = new Float64Array(n);
    try {
      for (const [a, b] of chunks(n, Math.max(8, (opts.batchSize ?? 8) * 2))) {
        await throwIfAbortedAsync(opts.signal);
        const p = tf.tidy(() => {
          const z = tf.tensor2d(Z.subarray(a * d, b * d), [b - a, d]);
          const keep = tf.matMul(z, onehot, false, true).reshape([b - a, h, w, 1]); // 1 where the segment is on
          const x = tf.add(tf.mul(input, keep), tf.mul(meanImage, tf.sub(1, keep))) as tf.Tensor4D;
          return column(tf.softmax(model.logits(x)), target.index);
        });
        (await p.data()).forEach((v, i) => { probs[a + i] = v; });
        p.dispose();
        opts.onProgress?.(b / n);
      }
    } finally {
      onehot.dispose(); meanImage.dispose();
    }
    const weights = Float64Array.from({ length: n }, (_, i) => limeKernel(cosineDistanceToOnes(Z.subarray(i * d, (i + 1) * d))));
    const { coef, intercept } = weightedRidge(Z, n, d, probs, weights, 1);
    const map = Float32Array.from(labels, (l) => coef[l]!);
    return toMap(tf.tensor2d(map, [h, w]), this.id, target, true, { segments: d, intercept });
  },
};
