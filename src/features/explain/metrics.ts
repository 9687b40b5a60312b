// Faithfulness: does the map point at what the model actually uses? Deletion and insertion curves as defined
// for RISE (Petsiuk, Das & Saenko 2018, https://arxiv.org/abs/1806.07421): rank pixels by saliency, move them
// from a start image to a finish image in steps, and follow the target's probability. The perturbation (what
// "deleted" and "not yet inserted" look like) is a parameter.
import * as tf from '@tensorflow/tfjs';
import { seededRandom } from '../../shared/codecs';
import { gaussianBlur } from './blur';
import type { ExplainModel, RunOptions, SaliencyMap, Target } from './types';
import { chunks, column, throwIfAbortedAsync } from './util';

interface Perturbation {
  name: string;
  /** the image the curve starts from and the image it ends at (both [1, H, W, C]) */
  endpoints(model: ExplainModel, input: tf.Tensor4D): { start: tf.Tensor4D; finish: tf.Tensor4D };
}

/** Deletion: the most salient pixels are set to zero (in the model's input space), first. */
export const deletion: Perturbation = {
  name: 'deletion',
  endpoints: (_m, input) => ({ start: input.clone(), finish: tf.zerosLike(input) }),
};

/** Insertion: the most salient pixels are revealed first, over a blurred copy (σ ≈ 5 px at 224 px). */
export const insertion: Perturbation = {
  name: 'insertion',
  endpoints: (_m, input) => ({ start: gaussianBlur(input, 5 * input.shape[1] / 224), finish: input.clone() }),
};

interface Curve { perturbation: string; probs: number[]; auc: number }

/** Trapezoid area under y over an evenly spaced [0, 1] axis. */
export function trapezoidAuc(ys: readonly number[]): number {
  if (ys.length < 2) return ys[0] ?? 0;
  let s = 0;
  for (let i = 1; i < ys.length; i++) s += (ys[i - 1]! + ys[i]!) / 2;
  return s / (ys.length - 1);
}

/** Pixel order, most salient first (ties keep their place, so results are deterministic). */
export function rankPixels(values: ArrayLike<number>): Uint32Array {
  const idx = Uint32Array.from({ length: values.length }, (_, i) => i);
  return idx.sort((a, b) => (values[b]! - values[a]!) || (a - b));
}

/** Nearest-neighbour resampling of a map to w×h (maps from different methods may differ in size). */
export function resizeMap(map: Pick<SaliencyMap, 'values' | 'width' | 'height'>, w: number, h: number): Float32Array {
  if (map.width === w && map.height === h) return map.values;
  const out = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    const sy = Math.min(map.height - 1, Math.floor((y + 0.5) * map.height / h));
    for (let x = 0; x < w; x++) out[y * w + x] = map.values[sy * map.width + Math.min(map.width - 1, Math.floor((x + 0.5) * map.width / w))]!;
  }
  return out;
}

async function causalCurve(model: ExplainModel, input: tf.Tensor4D, saliency: ArrayLike<number>, target: Target, perturbation: Perturbation, opts: RunOptions & { steps?: number } = {}): Promise<Curve> {
  const steps = opts.steps ?? 32;
  const [h, w] = model.inputShape;
  const order = rankPixels(saliency);
  // rank[p] = position of pixel p in the order; step k moves the pixels with rank < k·n/steps.
  const rank = new Float32Array(h * w);
  order.forEach((p, r) => { rank[p] = r; });
  const rankT = tf.tensor(rank, [1, h, w, 1]);
  const { start, finish } = perturbation.endpoints(model, input);
  const probs: number[] = [];
  try {
    const ks = Array.from({ length: steps + 1 }, (_, k) => k);
    for (const [a, b] of chunks(ks.length, opts.batchSize ?? 11)) {
      await throwIfAbortedAsync(opts.signal);
      const p = tf.tidy(() => {
        const thresholds = tf.tensor1d(ks.slice(a, b).map((k) => Math.round((k * h * w) / steps))).reshape([-1, 1, 1, 1]);
        const moved = tf.cast(tf.less(rankT, thresholds), 'float32'); // [B, H, W, 1]
        const imgs = tf.add(tf.mul(start, tf.sub(1, moved)), tf.mul(finish, moved)) as tf.Tensor4D;
        return column(tf.softmax(model.logits(imgs)), target.index);
      });
      probs.push(...(await p.data()));
      p.dispose();
      opts.onProgress?.(b / ks.length);
    }
  } finally {
    rankT.dispose(); start.dispose(); finish.dispose();
  }
  return { perturbation: perturbation.name, probs, auc: trapezoidAuc(probs) };
}

/** Uniform noise with a fixed seed, so "random map" numbers are reproducible. */
export function randomMap(n: number, seed: number): Float32Array {
  const rand = seededRandom(seed);
  return Float32Array.from({ length: n }, rand);
}

export interface Faithfulness {
  deletion: Curve;
  insertion: Curve;
  random: { deletion: number; insertion: number; deletionCurve: number[]; insertionCurve: number[] };
}

/** Deletion and insertion for a map, and the same for random maps (3 fixed seeds, averaged). */
export async function faithfulness(model: ExplainModel, input: tf.Tensor4D, map: SaliencyMap, target: Target, opts: RunOptions = {}): Promise<Faithfulness> {
  const [h, w] = model.inputShape;
  const values = resizeMap(map, w, h);
  const total = 8;
  let done = 0;
  const sub = (): RunOptions => ({ ...opts, onProgress: (f) => opts.onProgress?.((done + f) / total) });
  const del = await causalCurve(model, input, values, target, deletion, sub()); done++;
  const ins = await causalCurve(model, input, values, target, insertion, sub()); done++;
  const rd: Curve[] = [], ri: Curve[] = [];
  for (const seed of [1, 2, 3]) {
    const r = randomMap(w * h, seed);
    rd.push(await causalCurve(model, input, r, target, deletion, sub())); done++;
    ri.push(await causalCurve(model, input, r, target, insertion, sub())); done++;
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const meanCurve = (cs: Curve[]) => cs[0]!.probs.map((_, i) => mean(cs.map((c) => c.probs[i]!)));
  return {
    deletion: del,
    insertion: ins,
    random: { deletion: mean(rd.map((c) => c.auc)), insertion: mean(ri.map((c) => c.auc)), deletionCurve: meanCurve(rd), insertionCurve: meanCurve(ri) },
  };
}

/** Spearman rank correlation (ties get their average rank). */
export function spearman(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const ranks = (v: ArrayLike<number>) => {
    const idx = Array.from({ length: v.length }, (_, i) => i).sort((i, j) => v[i]! - v[j]!);
    const r = new Float64Array(v.length);
    for (let i = 0; i < idx.length;) {
      let j = i;
      while (j + 1 < idx.length && v[idx[j + 1]!] === v[idx[i]!]) j++;
      for (let k = i; k <= j; k++) r[idx[k]!] = (i + j) / 2;
      i = j + 1;
    }
    return r;
  };
  const ra = ranks(a), rb = ranks(b);
  const n = ra.length;
  const ma = ra.reduce((s, x) => s + x, 0) / n, mb = rb.reduce((s, x) => s + x, 0) / n;
  let num = 0, da = 0, db = 0;
  for (let i = 0; i < n; i++) { const x = ra[i]! - ma, y = rb[i]! - mb; num += x * y; da += x * x; db += y * y; }
  return da && db ? num / Math.sqrt(da * db) : 0;
}
