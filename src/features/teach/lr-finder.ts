// A learning-rate range test (Smith 2017, "Cyclical Learning Rates for Training Neural Networks",
// https://arxiv.org/abs/1506.01186): train a fresh head for a few dozen mini-batches while the learning rate
// grows exponentially, and watch the loss. Too small a rate barely moves it, too large a one blows it up. The
// suggested rate is a tenth of the rate at the smoothed loss's minimum: safely on the falling side of the curve
// (the steepest point is the textbook choice, but with a few dozen noisy mini-batches its estimate jumps around).
import * as tf from '@tensorflow/tfjs';
import { seededRandom } from '../../shared/codecs';
import { throwIfAborted } from '../../engine/jobs';
import { buildHead, DEFAULT_TRAIN, packSamples, shuffled, splitByExample, type Sample } from './head';

export interface LrFinderResult { rates: number[]; losses: number[]; smoothed: number[]; suggested: number }

/** A tenth of the rate where the smoothed loss is lowest (never below the first rate tried). */
export function suggestRate(rates: number[], smoothed: number[]): number {
  const lowest = smoothed.indexOf(Math.min(...smoothed));
  return Math.max(rates[0]!, rates[lowest]! / 10);
}

export async function lrRangeTest(samples: Sample[], numClasses: number, opts: { hidden: number; minLr?: number; maxLr?: number; steps?: number; batchSize?: number; signal?: AbortSignal; onProgress?: (f: number) => void }): Promise<LrFinderResult> {
  const minLr = opts.minLr ?? 1e-5, maxLr = opts.maxLr ?? 1, steps = opts.steps ?? 60, batch = opts.batchSize ?? 16;
  const { train } = splitByExample(samples.filter((s) => s.original), DEFAULT_TRAIN.valFraction, DEFAULT_TRAIN.seed);
  const set = samples.filter((s) => train.has(s.group));
  const [x, y] = packSamples(set, set[0]!.x.length, numClasses);
  const head = buildHead(x, numClasses, { hidden: opts.hidden, seed: DEFAULT_TRAIN.seed, standardise: true });
  const optimizer = tf.train.adam(minLr);
  const rand = seededRandom(5);
  const rates: number[] = [], losses: number[] = [], smoothed: number[] = [];
  let avg = 0;
  try {
    let order: number[] = [];
    for (let i = 0; i < steps; i++) {
      throwIfAborted(opts.signal);
      const lr = minLr * (maxLr / minLr) ** (i / (steps - 1));
      (optimizer as unknown as { learningRate: number }).learningRate = lr;
      if (order.length < batch) order = [...order, ...shuffled(set.length, rand)];
      const idx = tf.tensor1d(order.splice(0, batch), 'int32');
      const cost = optimizer.minimize(() => tf.tidy(() => {
        const p = head.apply(tf.gather(x, idx), { training: true }) as tf.Tensor2D;
        return tf.losses.softmaxCrossEntropy(tf.gather(y, idx), tf.log(tf.clipByValue(p, 1e-7, 1))) as tf.Scalar;
      }), true);
      idx.dispose();
      const loss = (await cost!.data())[0]!;
      cost!.dispose();
      avg = 0.8 * avg + 0.2 * loss;
      const s = avg / (1 - 0.8 ** (i + 1));
      rates.push(lr); losses.push(loss); smoothed.push(s);
      opts.onProgress?.((i + 1) / steps);
      if (!Number.isFinite(loss) || (i > 5 && s > 4 * Math.min(...smoothed))) break; // diverged: stop early
      if (i % 8 === 7) await new Promise((r) => setTimeout(r, 0));
    }
    return { rates, losses, smoothed, suggested: suggestRate(rates, smoothed) };
  } finally {
    head.dispose(); optimizer.dispose(); x.dispose(); y.dispose();
  }
}
