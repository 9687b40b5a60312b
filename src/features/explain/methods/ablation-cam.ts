// Ablation-CAM: switch one channel off at a time and measure how much the class score falls; the relative drop
// is the channel's weight. No gradients: robust where gradients saturate.
// Desai & Ramaswamy 2020, "Ablation-CAM", https://doi.org/10.1109/WACV45572.2020.9093360
import * as tf from '@tensorflow/tfjs';
import { camExplainer, type CamContext } from './cam';
import { chunks, column, throwIfAbortedAsync } from '../util';

/** w_k = (y − y_k) / y, with y the target's score from A and y_k the score with channel k zeroed. */
export async function ablationCamWeights(c: CamContext): Promise<tf.Tensor1D> {
  const { A, head, target, opts } = c;
  const C = A.shape[3];
  const yT = tf.tidy(() => column(head(A), target.index));
  const y = (await yT.data())[0]!;
  yT.dispose();
  const weights = new Float32Array(C);
  // Only the head runs here (the layers after the cut), so many channels fit in one batch.
  for (const [a, b] of chunks(C, Math.max(16, (opts.batchSize ?? 8) * 8))) {
    await throwIfAbortedAsync(opts.signal);
    const s = tf.tidy(() => {
      const keep = tf.sub(1, tf.oneHot(tf.range(a, b, 1, 'int32'), C)).reshape([b - a, 1, 1, C]);
      return column(head(tf.mul(A, keep) as tf.Tensor4D), target.index);
    });
    const sv = await s.data();
    s.dispose();
    for (let k = a; k < b; k++) weights[k] = (y - sv[k - a]!) / (Math.abs(y) > 1e-7 ? y : 1e-7);
    opts.onProgress?.(b / C);
  }
  return tf.tensor1d(weights);
}

export const ablationCam = camExplainer({ id: 'ablation-cam', gradients: false, weights: ablationCamWeights });
