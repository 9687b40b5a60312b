// Integrated Gradients: (x − baseline) × the average gradient along the straight path from baseline to x.
// Sundararajan, Taly & Yan 2017, "Axiomatic Attribution for Deep Networks", https://arxiv.org/abs/1703.01365
import * as tf from '@tensorflow/tfjs';
import { gaussianBlur } from '../blur';
import type { ExplainModel, GradientExplainer, Params, RunOptions, Target } from '../types';
import { chunks, column, inputGradients, reduceChannels, throwIfAbortedAsync, toMap } from '../util';

interface IgParams extends Params { steps: number; baseline: 'black' | 'blurred'; rule: 'gauss-legendre' | 'trapezoid' }

/**
 * Gauss–Legendre nodes and weights on [0, 1] (Newton's method on the Legendre polynomial). Exact for
 * polynomials of degree 2m − 1 (Captum's default); on ReLU networks' kinked paths it was not uniformly better
 * than the trapezoid rule, so it is an option, not the default.
 */
export function gaussLegendre(m: number): { nodes: number[]; weights: number[] } {
  const nodes: number[] = [], weights: number[] = [];
  for (let i = 1; i <= m; i++) {
    let x = Math.cos(Math.PI * (i - 0.25) / (m + 0.5));
    let dp = 0;
    for (let iter = 0; iter < 100; iter++) {
      let p0 = 1, p1 = x;
      for (let k = 2; k <= m; k++) { const p2 = ((2 * k - 1) * x * p1 - (k - 1) * p0) / k; p0 = p1; p1 = p2; }
      const p = m === 1 ? x : p1;
      const pPrev = m === 1 ? 1 : p0;
      dp = m * (x * p - pPrev) / (x * x - 1);
      const dx = p / dp;
      x -= dx;
      if (Math.abs(dx) < 1e-15) break;
    }
    nodes.push((1 - x) / 2);
    weights.push(1 / ((1 - x * x) * dp * dp)); // 2/((1−x²)P′²) on [−1, 1], halved for [0, 1]
  }
  return { nodes, weights };
}

/** The trapezoid rule over m steps: m + 1 points, the end points weighted ½. */
export function trapezoid(m: number): { nodes: number[]; weights: number[] } {
  const nodes = Array.from({ length: m + 1 }, (_, k) => k / m);
  return { nodes, weights: nodes.map((_, k) => (k === 0 || k === m ? 0.5 : 1) / m) };
}

export function igBaseline(model: ExplainModel, x: tf.Tensor4D, kind: IgParams['baseline']): tf.Tensor4D {
  return tf.tidy(() => kind === 'blurred'
    ? gaussianBlur(x, Math.max(1, 10 * x.shape[1] / 224))
    : tf.fill(x.shape, model.preprocess.offset) as tf.Tensor4D);
}

/**
 * IG for one input [1, H, W, C]: path points go through the model `batchSize` at a time. The baseline is the
 * caller's (it also checks completeness with it: a blurred one costs as much as a batch of gradients).
 */
async function integrate(model: ExplainModel, x: tf.Tensor4D, baseline: tf.Tensor4D, target: Target, p: IgParams, opts: RunOptions, done: number, total: number) {
  const m = Math.max(1, Math.round(p.steps));
  const diff = tf.sub(x, baseline) as tf.Tensor4D;
  const { nodes: alphas, weights } = p.rule === 'gauss-legendre' ? gaussLegendre(m) : trapezoid(m);
  let sum = tf.zerosLike(x) as tf.Tensor4D;
  try {
    for (const [a, b] of chunks(alphas.length, opts.batchSize ?? 8)) {
      await throwIfAbortedAsync(opts.signal);
      const next = tf.tidy(() => {
        const al = tf.tensor1d(alphas.slice(a, b)).reshape([-1, 1, 1, 1]);
        const points = tf.add(baseline, tf.mul(al, diff)) as tf.Tensor4D;
        const g = inputGradients(model, points, target);
        const w = tf.tensor1d(weights.slice(a, b)).reshape([-1, 1, 1, 1]);
        return tf.add(sum, tf.sum(tf.mul(g, w), 0, true)) as tf.Tensor4D;
      });
      sum.dispose();
      sum = next;
      opts.onProgress?.((done + b / alphas.length) / total);
    }
    return tf.tidy(() => tf.mul(diff, sum) as tf.Tensor4D);
  } finally {
    sum.dispose(); diff.dispose();
  }
}

export const integratedGradients: GradientExplainer<IgParams> = {
  id: 'integrated-gradients',
  reduce: 'sum',
  async attribute(model, inputs, target, params, opts = {}) {
    const n = inputs.shape[0];
    const parts: tf.Tensor4D[] = [];
    try {
      for (let i = 0; i < n; i++) {
        const xi = tf.slice(inputs, [i, 0, 0, 0], [1, -1, -1, -1]) as tf.Tensor4D;
        const baseline = igBaseline(model, xi, params.baseline);
        try { parts.push(await integrate(model, xi, baseline, target, params, opts, i, n)); } finally { xi.dispose(); baseline.dispose(); }
      }
      return tf.concat(parts, 0) as tf.Tensor4D;
    } finally {
      parts.forEach((t) => t.dispose());
    }
  },
  async explain(model, input, target, params, opts = {}) {
    const baseline = igBaseline(model, input, params.baseline);
    try {
      const a = await integrate(model, input, baseline, target, params, opts, 0, 1);
      // Completeness: Σ attributions should equal f(x) − f(baseline); shown to the user as a check.
      // The image and its baseline go through the model as one batch of two.
      const [sumT, scoresT] = tf.tidy(() => [a.sum(), column(model.logits(tf.concat([input, baseline])), target.index)]);
      const [[total], [fx, fb]] = await Promise.all([sumT, scoresT].map(async (t) => { const v = (await t.data()) as Float32Array; t.dispose(); return Array.from(v); })) as [number[], number[]];
      const delta = fx! - fb!;
      const notes = { attributionSum: total!, scoreDelta: delta, completenessError: Math.abs(total! - delta) / Math.max(1e-6, Math.abs(delta)) };
      return toMap(tf.tidy(() => reduceChannels(a, this.reduce)), this.id, target, true, notes).finally(() => a.dispose());
    } finally {
      baseline.dispose();
    }
  },
};
