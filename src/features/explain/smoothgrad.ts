// SmoothGrad and its variants: aggregate a gradient method's attributions over noisy copies of the image.
// A wrapper, not a method: it turns any GradientExplainer into a smoothed one.
//   mean     — SmoothGrad: Smilkov et al. 2017, https://arxiv.org/abs/1706.03825
//   square   — SmoothGrad²: the mean of squared attributions, Hooker et al. 2019, https://arxiv.org/abs/1806.10758
//   variance — VarGrad: the attributions' variance, Adebayo et al. 2018, https://arxiv.org/abs/1810.03307
import * as tf from '@tensorflow/tfjs';
import type { Explainer, GradientExplainer, Params } from './types';
import { gaussianNoise } from './noise';
import { chunks, reduceChannels, throwIfAbortedAsync, toMap } from './util';

interface SmoothParams extends Params { samples: number; sigma: number }
export type Aggregate = 'mean' | 'square' | 'variance';
const PREFIX: Record<Aggregate, string> = { mean: 'smoothgrad', square: 'smoothgrad-sq', variance: 'vargrad' };

/** σ is a fraction of the input's value range (the paper's 10–20 %), so it means the same for every model. */
export function smoothGrad<P extends Params>(base: GradientExplainer<P>, aggregate: Aggregate = 'mean', seed = 7): Explainer<P & SmoothParams> {
  return {
    id: `${PREFIX[aggregate]}:${base.id}`,
    async explain(model, input, target, params, opts = {}) {
      const n = Math.max(1, Math.round(params.samples));
      const std = params.sigma * 255 * model.preprocess.scale;
      let sum = tf.zerosLike(input) as tf.Tensor4D;
      // SmoothGrad itself needs only the mean; the squares are for SmoothGrad² and VarGrad.
      let sumSq = aggregate === 'mean' ? null : tf.zerosLike(input) as tf.Tensor4D;
      try {
        for (const [a, b] of chunks(n, opts.batchSize ?? 8)) {
          await throwIfAbortedAsync(opts.signal);
          const shape = [b - a, ...input.shape.slice(1)] as [number, number, number, number];
          const noisy = tf.tidy(() => tf.add(input, tf.tensor4d(gaussianNoise(tf.util.sizeFromShape(shape), std, seed + a), shape)) as tf.Tensor4D);
          const attr = await base.attribute(model, noisy, target, params, { ...opts, onProgress: undefined }).finally(() => noisy.dispose());
          const s = tf.tidy(() => tf.add(sum, attr.sum(0, true)) as tf.Tensor4D);
          sum.dispose(); sum = s;
          if (sumSq) { const prev = sumSq; sumSq = tf.tidy(() => tf.add(prev, tf.square(attr).sum(0, true)) as tf.Tensor4D); prev.dispose(); }
          attr.dispose();
          opts.onProgress?.(b / n);
        }
        const map = tf.tidy(() => {
          const mean = tf.div(sum, n) as tf.Tensor4D;
          if (!sumSq) return reduceChannels(mean, base.reduce);
          const sq = tf.div(sumSq, n) as tf.Tensor4D;
          // Both are ≥ 0 per channel, so the channels add up: an unsigned map.
          return reduceChannels((aggregate === 'square' ? sq : tf.relu(tf.sub(sq, tf.square(mean)))) as tf.Tensor4D, 'sum');
        });
        return await toMap(map, this.id, target, aggregate === 'mean' && base.reduce === 'sum');
      } finally {
        sum.dispose(); sumSq?.dispose();
      }
    },
  };
}
