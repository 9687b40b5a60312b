// Blur IG: Integrated Gradients along a path of ever less blurred images (from a heavy Gaussian blur to the
// image), so the baseline is the image without detail rather than an arbitrary black or grey.
// Xu, Venugopalan & Sundararajan 2020, "Attribution in Scale and Space", https://arxiv.org/abs/2004.03383
import * as tf from '@tensorflow/tfjs';
import { gaussianBlur } from '../blur';
import { gradientMethod } from './gradient';
import { chunks, inputGradients, throwIfAbortedAsync } from '../util';
import type { Params } from '../types';

interface BlurIgParams extends Params { steps: number; maxSigma: number }

/** x blurred with σ = 0, s, 2s … maxSigma (px at 224 px): m + 1 path points, the image first. */
export function blurPath(x: tf.Tensor4D, m: number, maxSigma: number): tf.Tensor4D {
  return tf.tidy(() => {
    const scale = x.shape[1] / 224;
    const points = Array.from({ length: m + 1 }, (_, i) => (i === 0 ? x.clone() : gaussianBlur(x, (i * maxSigma * scale) / m)));
    return tf.concat(points, 0) as tf.Tensor4D;
  });
}

export const blurIg = gradientMethod<BlurIgParams>({
  id: 'blur-ig',
  reduce: 'sum',
  async attribute(model, inputs, target, params, opts) {
    const m = Math.max(2, Math.round(params.steps));
    const parts: tf.Tensor4D[] = [];
    try {
      for (let i = 0; i < inputs.shape[0]; i++) {
        const path = tf.tidy(() => blurPath(tf.slice(inputs, [i, 0, 0, 0], [1, -1, -1, -1]) as tf.Tensor4D, m, params.maxSigma));
        const grads: tf.Tensor4D[] = [];
        try {
          for (const [a, b] of chunks(m + 1, opts.batchSize ?? 8)) {
            await throwIfAbortedAsync(opts.signal);
            grads.push(tf.tidy(() => inputGradients(model, tf.slice(path, [a, 0, 0, 0], [b - a, -1, -1, -1]) as tf.Tensor4D, target)));
            opts.onProgress?.((i + b / (m + 1)) / inputs.shape[0]);
          }
          // Trapezoid along the path from the most blurred point (m) to the image (0): Σ ½(g_k + g_k+1)·(x_k − x_k+1)
          parts.push(tf.tidy(() => {
            const g = tf.concat(grads, 0);
            const x0 = tf.slice(path, [0, 0, 0, 0], [m, -1, -1, -1]), x1 = tf.slice(path, [1, 0, 0, 0], [m, -1, -1, -1]);
            const g0 = tf.slice(g, [0, 0, 0, 0], [m, -1, -1, -1]), g1 = tf.slice(g, [1, 0, 0, 0], [m, -1, -1, -1]);
            return tf.sum(tf.mul(tf.mul(tf.add(g0, g1), 0.5), tf.sub(x0, x1)), 0, true) as tf.Tensor4D;
          }));
        } finally {
          path.dispose(); grads.forEach((t) => t.dispose());
        }
      }
      return tf.concat(parts, 0) as tf.Tensor4D;
    } finally {
      parts.forEach((t) => t.dispose());
    }
  },
});
