// Faithfulness: does the map point at what the model actually uses? Deletion and insertion curves as defined
// for RISE (Petsiuk, Das & Saenko 2018, https://arxiv.org/abs/1806.07421): rank pixels by saliency, move them
// from a start image to a finish image in steps, and follow the target's probability. The perturbation (what
// "deleted" and "not yet inserted" look like) is a parameter.
import * as tf from '@tensorflow/tfjs';
import { seededRandom } from '../../shared/codecs';
import { gaussianBlur } from './blur';
import { ROAD_LEVELS, roadImpute } from './road';
import type { ExplainModel, RunOptions, SaliencyMap, Target } from './types';
import { chunks, column, throwIfAbortedAsync } from './util';

interface Perturbation {
  name: string;
  /** the image the curve starts from and the image it ends at (both [1, H, W, C]) */
  endpoints(model: ExplainModel, input: tf.Tensor4D): { start: tf.Tensor4D; finish: tf.Tensor4D };
}

/**
 * What a deleted pixel becomes. The verdict depends on it (a black substrate is far from natural images, so any
 * deletion hurts), which is why the substrate is a choice and is always shown next to the numbers.
 */
export { SUBSTRATE_NAMES as SUBSTRATES } from './contract';
import { SUBSTRATE_NAMES as SUBSTRATES } from './contract';
export type Substrate = (typeof SUBSTRATES)[number];

/** The insertion start and the blur substrate: σ ≈ 5 px at 224 px. */
const blurred = (input: tf.Tensor4D) => gaussianBlur(input, 5 * input.shape[1] / 224);

export function substrateImage(model: ExplainModel, input: tf.Tensor4D, s: Substrate): tf.Tensor4D {
  const { scale, offset } = model.preprocess;
  if (s === 'blur') return blurred(input);
  return tf.fill(input.shape, (s === 'grey' ? 127.5 : 0) * scale + offset) as tf.Tensor4D;
}

/** Deletion: the most salient pixels are replaced by the substrate first. */
export const deletion = (s: Substrate = 'grey'): Perturbation => ({
  name: `deletion (${s})`,
  endpoints: (m, input) => ({ start: input.clone(), finish: substrateImage(m, input, s) }),
});

/** Insertion: the most salient pixels are revealed first, over a blurred copy (as RISE defines it). */
export const insertion: Perturbation = {
  name: 'insertion',
  endpoints: (_m, input) => ({ start: blurred(input), finish: input.clone() }),
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

/**
 * A batch of curve images, pixel by pixel in JS: each is the start image with the `count` first pixels of its
 * map's order taken from the finish image, exactly (no arithmetic). As broadcast TF.js ops (gather, less, cast,
 * two multiplies and an add over [B, H, W, C]) one batch of 11 took ~100 ms on wasm; this takes a few.
 */
function curveImages(start: Float32Array, finish: Float32Array, orders: readonly Uint32Array[], part: readonly (readonly [number, number])[], counts: (k: number) => number, c: number): Float32Array {
  const size = start.length, out = new Float32Array(part.length * size);
  part.forEach(([m, k], b) => {
    const order = orders[m]!, o = b * size;
    out.set(start, o);
    for (let i = 0, n = counts(k); i < n; i++) {
      const q = order[i]! * c;
      for (let j = 0; j < c; j++) out[o + q + j] = finish[q + j]!;
    }
  });
  return out;
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

/** Steps of a deletion or insertion curve. */
export const CURVE_STEPS = 32;

/** The target's probability on a curve's first and last image, which no map changes. */
export interface CurveEnds { start: number; finish: number }

type CurveOptions = RunOptions & { steps?: number; /** already scored (the random baseline's): not scored again */ ends?: CurveEnds };

/**
 * The perturbation curves of several maps at once, each given as its pixel order (rankPixels): step k of a map
 * moves the first k·n/steps pixels of its order from the start image to the finish image. Steps 0 and `steps` are the start and finish images themselves, the same
 * for every map: they are scored once. The other (map, step) images share batches.
 */
export async function causalCurves(model: ExplainModel, input: tf.Tensor4D, orders: readonly Uint32Array[], target: Target, perturbation: Perturbation, opts: CurveOptions = {}): Promise<Curve[]> {
  const steps = opts.steps ?? CURVE_STEPS;
  const [h, w] = model.inputShape;
  const { start, finish } = perturbation.endpoints(model, input);
  const jobs = orders.flatMap((_, m) => Array.from({ length: steps - 1 }, (_, k) => [m, k + 1] as const));
  const probs: number[] = [];
  try {
    let ends = opts.ends;
    if (!ends) {
      const p = tf.tidy(() => column(tf.softmax(model.logits(tf.concat([start, finish]) as tf.Tensor4D)), target.index));
      const [a, b] = await p.data();
      p.dispose();
      ends = { start: a!, finish: b! };
    }
    const [startPx, finishPx] = await Promise.all([start.data() as Promise<Float32Array>, finish.data() as Promise<Float32Array>]);
    const c = start.shape[3];
    for (const [a, b] of chunks(jobs.length, opts.batchSize ?? 11)) {
      await throwIfAbortedAsync(opts.signal);
      const part = jobs.slice(a, b);
      const pixels = curveImages(startPx, finishPx, orders, part, (k) => Math.round((k * h * w) / steps), c);
      const p = tf.tidy(() => column(tf.softmax(model.logits(tf.tensor4d(pixels, [part.length, h, w, c]))), target.index));
      probs.push(...(await p.data()));
      p.dispose();
      opts.onProgress?.(b / jobs.length);
    }
    return orders.map((_, m) => {
      const ys = [ends.start, ...probs.slice(m * (steps - 1), (m + 1) * (steps - 1)), ends.finish];
      return { perturbation: perturbation.name, probs: ys, auc: trapezoidAuc(ys) };
    });
  } finally {
    start.dispose(); finish.dispose();
  }
}

/**
 * ROAD: the target's probability with the top 20/40/60/80 % of each map's pixels (its order, from rankPixels)
 * removed and imputed from their neighbours (road.ts); the score is their mean (lower = the map found what the model needs).
 */
export async function roadCurves(model: ExplainModel, input: tf.Tensor4D, orders: readonly Uint32Array[], target: Target, opts: RunOptions & { noise?: number } = {}): Promise<{ levels: number[]; score: number }[]> {
  const [h, w] = model.inputShape;
  const noise = opts.noise ?? 0.01 * 255 * model.preprocess.scale;
  const out: { levels: number[]; score: number }[] = [];
  for (const [i, order] of orders.entries()) {
    await throwIfAbortedAsync(opts.signal);
    // 1 where a pixel is removed: the first 20/40/60/80 % of the map's order, one level per image
    const mask = new Float32Array(ROAD_LEVELS.length * h * w);
    ROAD_LEVELS.forEach((l, b) => { for (let i = 0, n = Math.round(l * h * w); i < n; i++) mask[b * h * w + order[i]!] = 1; });
    const p = tf.tidy(() => {
      const removed = tf.tensor4d(mask, [ROAD_LEVELS.length, h, w, 1]);
      const filled = roadImpute(input, removed, { noise, seed: 11 + i });
      return column(tf.softmax(model.logits(filled)), target.index);
    });
    const levels = Array.from(await p.data());
    p.dispose();
    out.push({ levels, score: levels.reduce((a, b) => a + b, 0) / levels.length });
    opts.onProgress?.((i + 1) / orders.length);
  }
  return out;
}

/** Uniform noise with a fixed seed, so "random map" numbers are reproducible. */
export function randomMap(n: number, seed: number): Float32Array {
  const rand = seededRandom(seed);
  return Float32Array.from({ length: n }, rand);
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
/** sample standard deviation */
const sd = (xs: readonly number[]) => (xs.length < 2 ? 0 : Math.sqrt(xs.reduce((a, x) => a + (x - mean(xs)) ** 2, 0) / (xs.length - 1)));

export interface Stat { mean: number; sd: number }
export interface RandomBaseline { seeds: number; substrate: Substrate; deletion: Stat; insertion: Stat; road: Stat; deletionCurve: number[]; insertionCurve: number[] }

/** How many seeded random maps the baseline averages: one map's AUC varies by 0.02–0.05 from seed to seed. */
export const RANDOM_SEEDS = 10;

/** The random-map baseline of an image and class: independent of the method, so it is computed once and reused. */
export async function randomBaseline(model: ExplainModel, input: tf.Tensor4D, target: Target, substrate: Substrate, opts: RunOptions = {}, seeds = RANDOM_SEEDS): Promise<RandomBaseline> {
  const [h, w] = model.inputShape;
  // each map's pixel order, sorted once for all three measures
  const orders = Array.from({ length: seeds }, (_, i) => rankPixels(randomMap(w * h, i + 1)));
  const part = (from: number, share: number): RunOptions => ({ ...opts, onProgress: (f) => opts.onProgress?.(from + share * f) });
  const del = await causalCurves(model, input, orders, target, deletion(substrate), part(0, 0.45));
  const ins = await causalCurves(model, input, orders, target, insertion, part(0.45, 0.45));
  const road = await roadCurves(model, input, orders, target, part(0.9, 0.1));
  const meanCurve = (cs: Curve[]) => cs[0]!.probs.map((_, i) => mean(cs.map((c) => c.probs[i]!)));
  const stat = (xs: number[]): Stat => ({ mean: mean(xs), sd: sd(xs) });
  return {
    seeds, substrate,
    deletion: stat(del.map((c) => c.auc)), insertion: stat(ins.map((c) => c.auc)), road: stat(road.map((r) => r.score)),
    deletionCurve: meanCurve(del), insertionCurve: meanCurve(ins),
  };
}

export interface Faithfulness {
  substrate: Substrate;
  deletion: Curve;
  insertion: Curve;
  road: { levels: number[]; score: number };
  random: RandomBaseline;
}

/** Deletion, insertion and ROAD for a map, with the random baseline (computed here unless one is given). */
export async function faithfulness(model: ExplainModel, input: tf.Tensor4D, map: SaliencyMap, target: Target, opts: RunOptions & { substrate?: Substrate; baseline?: RandomBaseline } = {}): Promise<Faithfulness> {
  const [h, w] = model.inputShape;
  const substrate = opts.baseline?.substrate ?? opts.substrate ?? 'grey';
  const order = rankPixels(resizeMap(map, w, h)); // sorted once for all three measures
  const share = opts.baseline ? 1 : 0.3;
  const part = (from: number, f: number): RunOptions => ({ ...opts, onProgress: (x) => opts.onProgress?.(from + f * x) });
  // the random baseline's curves already went through both ends of each perturbation, on this image and class
  const ends = (curve: number[] | undefined) => (curve?.length === CURVE_STEPS + 1 ? { ends: { start: curve[0]!, finish: curve[CURVE_STEPS]! } } : {});
  const [del] = await causalCurves(model, input, [order], target, deletion(substrate), { ...part(0, share * 0.45), ...ends(opts.baseline?.deletionCurve) });
  const [ins] = await causalCurves(model, input, [order], target, insertion, { ...part(share * 0.45, share * 0.45), ...ends(opts.baseline?.insertionCurve) });
  const [road] = await roadCurves(model, input, [order], target, part(share * 0.9, share * 0.1));
  const random = opts.baseline ?? await randomBaseline(model, input, target, substrate, part(share, 1 - share));
  return { substrate, deletion: del!, insertion: ins!, road: road!, random };
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
