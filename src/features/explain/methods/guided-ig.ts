// Guided IG: an adaptive path from the baseline to the image. At each step the features whose gradient is
// smallest in magnitude move first, so the path avoids the steep, noisy regions that make IG speckled; the
// attribution is still Σ gradient × movement, so completeness holds.
// Kapishnikov et al. 2021, "Guided Integrated Gradients", https://arxiv.org/abs/2106.09788
import * as tf from '@tensorflow/tfjs';
import { gradientMethod } from './gradient';
import { igBaseline } from './integrated-gradients';
import { inputGradients, throwIfAbortedAsync } from '../util';
import type { Params } from '../types';

interface GuidedIgParams extends Params { steps: number; fraction: number; band: number; baseline: 'black' | 'blurred' }

/**
 * One input's Guided IG in plain arrays: x moves from b to t in `steps` steps; step k brings the L1 distance to t
 * down to (1 − k/steps) of the start. Each feature's progress α (0 at b, 1 at t) stays within ±band of k/steps.
 * Within a step, rounds move the `fraction` of still-free features with the smallest |gradient| up to the band's
 * top, the last round only part of the way. `grad` returns ∂score/∂x at a point.
 */
export async function guidedPath(b: Float32Array, t: Float32Array, steps: number, fraction: number, band: number, grad: (x: Float32Array) => Promise<Float32Array>, signal?: AbortSignal, onStep?: (k: number) => void): Promise<Float32Array> {
  const n = b.length;
  const span = Float32Array.from(t, (v, i) => v - b[i]!);
  const absSpan = span.map(Math.abs);
  const alpha = Float32Array.from(span, (s) => (s === 0 ? 1 : 0));
  const attr = new Float32Array(n);
  const x = Float32Array.from(b);
  let now = absSpan.reduce((a, v) => a + v, 0);
  const total = now;
  if (total === 0) return attr;
  const move = (i: number, to: number, g: Float32Array) => {
    const d = (to - alpha[i]!) * span[i]!;
    attr[i]! += d * g[i]!;
    x[i]! += d;
    now -= absSpan[i]! * (to - alpha[i]!);
    alpha[i] = to;
  };
  // Free features keyed by |gradient|: |g|'s float bits (ordered like the values, for values ≥ 0) in the high
  // word and the index in the low word make a float64 whose numeric order is that order, ties by index. A round
  // needs only the next smallest run of keys, so each is selected in place (linear time) rather than sorted.
  const keys = new Float64Array(n), words = new Uint32Array(keys.buffer), bits = new Uint32Array(1), mag = new Float32Array(bits.buffer);
  const index = (p: number) => words[2 * p]!;
  const value = (p: number) => { bits[0] = words[2 * p + 1]!; return mag[0]!; };
  for (let k = 1; k <= steps; k++) {
    await throwIfAbortedAsync(signal);
    const g = await grad(x);
    const goal = k === steps ? 0 : total * (1 - k / steps);
    const lo = Math.max(0, k / steps - band), hi = k === steps ? 1 : Math.min(1, k / steps + band);
    for (let i = 0; i < n; i++) if (alpha[i]! < lo) move(i, lo, g);
    let free = 0;
    for (let i = 0; i < n; i++) {
      if (alpha[i]! >= hi) continue;
      mag[0] = Math.abs(g[i]!);
      words[2 * free] = i; words[2 * free + 1] = bits[0]!; // little-endian: the high word is second
      free++;
    }
    // Round: the `fraction` of the features not yet moved (counted from `start`) with the smallest |g|, and any
    // tied with the last of them; keys[done, last) are this round's, keys[0, done) those moved to the top.
    for (let start = 0, done = 0; start < free && now > goal + 1e-9 * total;) {
      const end = start + Math.max(1, Math.ceil(fraction * (free - start)));
      if (end <= done) { start = end; continue; } // its cut was a tie already taken
      selectSmallest(keys, done, free, end - done);
      let cut = -Infinity;
      for (let p = done; p < end; p++) cut = Math.max(cut, value(p));
      let last = end;
      for (let p = end; p < free; p++) if (value(p) <= cut) { const t = keys[p]!; keys[p] = keys[last]!; keys[last++] = t; }
      let reach = 0;
      for (let p = done; p < last; p++) { const i = index(p); reach += absSpan[i]! * (hi - alpha[i]!); }
      if (reach <= 0) { start = end; continue; }
      const gamma = Math.min(1, (now - goal) / reach);
      for (let p = done; p < last; p++) { const i = index(p); move(i, gamma === 1 ? hi : alpha[i]! + gamma * (hi - alpha[i]!), g); }
      if (gamma < 1) break;
      done = last;
      start = end;
    }
    onStep?.(k);
  }
  return attr;
}

/** Puts the `count` smallest of a[from, to) (distinct values) first in that range, in any order (Hoare's select). */
export function selectSmallest(a: Float64Array, from: number, to: number, count: number): void {
  const target = from + count - 1;
  let l = from, r = to - 1;
  while (l < r) {
    const [x, y, z] = [a[l]!, a[(l + r) >> 1]!, a[r]!];
    const pivot = Math.max(Math.min(x, y), Math.min(Math.max(x, y), z)); // median of three
    let i = l, j = r;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) { const t = a[i]!; a[i++] = a[j]!; a[j--] = t; }
    }
    if (target <= j) r = j;
    else if (target >= i) l = i;
    else return;
  }
}

export const guidedIg = gradientMethod<GuidedIgParams>({
  id: 'guided-ig',
  reduce: 'sum',
  async attribute(model, inputs, target, params, opts) {
    const shape = [1, ...inputs.shape.slice(1)] as [number, number, number, number];
    const out: Float32Array[] = [];
    for (let i = 0; i < inputs.shape[0]; i++) {
      const xi = tf.slice(inputs, [i, 0, 0, 0], [1, -1, -1, -1]) as tf.Tensor4D;
      const bT = igBaseline(model, xi, params.baseline);
      const [t, b] = [(await xi.data()) as Float32Array, (await bT.data()) as Float32Array];
      xi.dispose(); bT.dispose();
      const steps = Math.max(2, Math.round(params.steps));
      out.push(await guidedPath(Float32Array.from(b), Float32Array.from(t), steps, params.fraction, params.band, async (x) => {
        const g = tf.tidy(() => inputGradients(model, tf.tensor4d(x, shape), target));
        const v = (await g.data()) as Float32Array;
        g.dispose();
        return v;
      }, opts.signal, (k) => opts.onProgress?.((i + k / steps) / inputs.shape[0])));
    }
    const all = new Float32Array(out.reduce((s, a) => s + a.length, 0));
    out.forEach((a, i) => all.set(a, i * a.length));
    return tf.tensor4d(all, [inputs.shape[0], ...inputs.shape.slice(1)] as [number, number, number, number]);
  },
});
