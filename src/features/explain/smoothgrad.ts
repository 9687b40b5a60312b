// SmoothGrad: average a gradient method's attributions over noisy copies of the image, to remove speckle.
// Smilkov et al. 2017, "SmoothGrad: removing noise by adding noise", https://arxiv.org/abs/1706.03825
// A wrapper, not a method: it turns any GradientExplainer into a smoothed one.
import * as tf from '@tensorflow/tfjs';
import type { Explainer, GradientExplainer, Params } from './types';
import { chunks, reduceChannels, throwIfAbortedAsync, toMap } from './util';

interface SmoothParams extends Params { samples: number; sigma: number }

/** σ is a fraction of the input's value range (the paper's 10–20 %), so it means the same for every model. */
export function smoothGrad<P extends Params>(base: GradientExplainer<P>, seed = 7): Explainer<P & SmoothParams> {
  return {
    id: `smoothgrad:${base.id}`,
    async explain(model, input, target, params, opts = {}) {
      const n = Math.max(1, Math.round(params.samples));
      const range = 255 * model.preprocess.scale;
      const std = params.sigma * range;
      let sum = tf.zerosLike(input) as tf.Tensor4D;
      try {
        for (const [a, b] of chunks(n, opts.batchSize ?? 8)) {
          await throwIfAbortedAsync(opts.signal);
          const noisy = tf.tidy(() => tf.add(input.tile([b - a, 1, 1, 1]), tf.randomNormal([b - a, ...input.shape.slice(1)], 0, std, 'float32', seed + a)) as tf.Tensor4D);
          const inner = { ...opts, onProgress: undefined };
          const attr = await base.attribute(model, noisy, target, params, inner).finally(() => noisy.dispose());
          const next = tf.tidy(() => tf.add(sum, attr.sum(0, true)) as tf.Tensor4D);
          attr.dispose();
          sum.dispose();
          sum = next;
          opts.onProgress?.(b / n);
        }
        const mean = tf.tidy(() => reduceChannels(tf.div(sum, n) as tf.Tensor4D, base.reduce));
        return await toMap(mean, this.id, target, base.reduce === 'sum');
      } finally {
        sum.dispose();
      }
    },
  };
}
