import * as tf from '@tensorflow/tfjs';
import type { ExplainModel, SaliencyMap, Target } from './types';
export { throwIfAbortedAsync } from '../../engine/jobs';

/**
 * The target's column of a [B, classes] score matrix. slice, not gather: gather's gradient needs
 * UnsortedSegmentSum, which the wasm backend does not have; slice's gradient is a pad.
 */
export function column(scores: tf.Tensor2D, index: number): tf.Tensor1D {
  return tf.slice(scores, [0, index], [-1, 1]).reshape([-1]) as tf.Tensor1D;
}

/** Σ over the batch of the target's pre-softmax score: its gradient is each input's own gradient. */
export function targetScore(model: ExplainModel, x: tf.Tensor4D, target: Target): tf.Scalar {
  return tf.tidy(() => column(model.logits(x), target.index).sum() as tf.Scalar);
}

/** d(target score)/d(input) for every input of the batch. Caller owns the result. */
export function inputGradients(model: ExplainModel, x: tf.Tensor4D, target: Target): tf.Tensor4D {
  return tf.tidy(() => tf.grad((xs: tf.Tensor) => targetScore(model, xs as tf.Tensor4D, target))(x) as tf.Tensor4D);
}

/** [B, H, W, C] attributions of one input (B = 1) → [H, W] per-pixel values. */
export function reduceChannels(attr: tf.Tensor4D, mode: 'max-abs' | 'sum'): tf.Tensor2D {
  return tf.tidy(() => {
    const a = attr.squeeze([0]) as tf.Tensor3D;
    return (mode === 'sum' ? a.sum(2) : a.abs().max(2)) as tf.Tensor2D;
  });
}

/** Reads a [h, w] map into plain data (and disposes it). */
export async function toMap(t: tf.Tensor2D, method: string, target: Target, signed: boolean, notes?: Record<string, number>): Promise<SaliencyMap> {
  const [height, width] = t.shape;
  const values = (await t.data()) as Float32Array;
  t.dispose();
  let min = Infinity, max = -Infinity;
  for (const v of values) { if (v < min) min = v; if (v > max) max = v; }
  return { method, target, width, height, values: Float32Array.from(values), min, max, signed, ...(notes ? { notes } : {}) };
}

/**
 * [0, n) cut into as few consecutive ranges of at most `size` as can be, of sizes that differ by one at most: 25
 * samples in batches of 8 run as 6 + 6 + 6 + 7, not 8 + 8 + 8 + 1 (a lone sample costs more than one in a batch).
 */
export function chunks(n: number, size: number): [number, number][] {
  const out: [number, number][] = [];
  const k = Math.ceil(n / Math.max(1, Math.floor(size)));
  for (let j = 0; j < k; j++) out.push([Math.floor((j * n) / k), Math.floor(((j + 1) * n) / k)]);
  return out;
}

