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

/** The image with every pixel replaced by its segment's mean colour ([H·W·C], as `pixels`). */
export function segmentMeanImage(pixels: Float32Array, labels: Int32Array, d: number, c: number): Float32Array {
  const sums = new Float64Array(d * c), counts = new Float64Array(d);
  labels.forEach((l, p) => { counts[l]!++; for (let k = 0; k < c; k++) sums[l * c + k]! += pixels[p * c + k]!; });
  return Float32Array.from({ length: labels.length * c }, (_, i) => { const l = labels[Math.floor(i / c)]!; return sums[l * c + i % c]! / Math.max(counts[l]!, 1); });
}

/**
 * Samples `from`..`to` of Z as images: each pixel is the image's where its segment is on, the mean image's where
 * it is off, picked in JS (a matMul to expand the segments and broadcast blends took ~50 ms a batch on wasm).
 */
function sampleImages(Z: Float32Array, d: number, from: number, to: number, labels: Int32Array, pixels: Float32Array, means: Float32Array, c: number): Float32Array {
  const size = labels.length * c, out = new Float32Array((to - from) * size);
  for (let i = from; i < to; i++) {
    const o = (i - from) * size;
    for (let p = 0; p < labels.length; p++) {
      const src = Z[i * d + labels[p]!] ? pixels : means;
      for (let k = 0; k < c; k++) out[o + p * c + k] = src[p * c + k]!;
    }
  }
  return out;
}

export const lime: Explainer<LimeParams> = {
  id: 'lime',
  async explain(model, input, target, params, opts = {}) {
    const [h, w] = model.inputShape;
    const pixels = await input.data() as Float32Array, c = input.shape[3];
    const { labels, count: d } = slic(pixels, w, h, { segments: Math.round(params.segments) });
    const n = Math.max(d + 1, Math.round(params.samples));
    const rand = seededRandom(99);
    // The first sample is the image itself, as in LIME.
    const Z = new Float32Array(n * d);
    for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) Z[i * d + j] = i === 0 || rand() < 0.5 ? 1 : 0;
    const means = segmentMeanImage(pixels, labels, d, c);
    const probs = new Float64Array(n);
    for (const [a, b] of chunks(n, Math.max(8, (opts.batchSize ?? 8) * 2))) {
      await throwIfAbortedAsync(opts.signal);
      const x = sampleImages(Z, d, a, b, labels, pixels, means, c);
      const p = tf.tidy(() => column(tf.softmax(model.logits(tf.tensor4d(x, [b - a, h, w, c]))), target.index));
      (await p.data()).forEach((v, i) => { probs[a + i] = v; });
      p.dispose();
      opts.onProgress?.(b / n);
    }
    const weights = Float64Array.from({ length: n }, (_, i) => limeKernel(cosineDistanceToOnes(Z.subarray(i * d, (i + 1) * d))));
    const { coef, intercept } = weightedRidge(Z, n, d, probs, weights, 1);
    const map = Float32Array.from(labels, (l) => coef[l]!);
    return toMap(tf.tensor2d(map, [h, w]), this.id, target, true, { segments: d, intercept });
  },
};
