// The methods added for "every saliency method", checked on hand-built models whose answers are known in closed
// form: the CAM family's weights, Eigen-CAM's principal component, Score-CAM's masked scores, RISE and LIME on a
// model that looks at one region only, the path methods' completeness, the SmoothGrad variants on a linear model,
// ROAD's imputation and the ranking of "Compare all".
import { beforeAll, describe, expect, test } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { camMap } from '../../src/features/explain/methods/cam';
import { firstComponent } from '../../src/features/explain/methods/eigen-cam';
import { scoreCamWeights } from '../../src/features/explain/methods/score-cam';
import { ablationCamWeights } from '../../src/features/explain/methods/ablation-cam';
import { xGradCamWeights } from '../../src/features/explain/methods/xgrad-cam';
import { gradCamSpec } from '../../src/features/explain/methods/grad-cam';
import { hiResCamSpec } from '../../src/features/explain/methods/hires-cam';
import { guidedPath, selectSmallest } from '../../src/features/explain/methods/guided-ig';
import { getMethod } from '../../src/features/explain/registry';
import { maskedImages, riseMasks } from '../../src/features/explain/methods/rise';
import { segmentMeanImage } from '../../src/features/explain/methods/lime';
import { slic } from '../../src/features/explain/slic';
import { ROAD_KERNEL, roadImpute } from '../../src/features/explain/road';
import { compareCsv, rankRows } from '../../src/features/explain/ranking';
import { costLine, METHOD_INFO, METHODS_LIST } from '../../src/features/explain/catalog';
import type { ExplainModel, Target } from '../../src/features/explain/types';
import { seededRandom } from '../../src/shared/codecs';
import { initBackend } from './helpers';

const T0: Target = { kind: 'class', index: 0 };
beforeAll(async () => { await initBackend(); });

/** Features = the input itself; logits = GAP → dense ([C, 2]); also `logits` straight from the input. */
function gapModel(h: number, w: number, c: number, dense: number[][], logits?: (x: tf.Tensor4D) => tf.Tensor2D): ExplainModel {
  const D = tf.keep(tf.tensor2d(dense));
  const head = (f: tf.Tensor4D) => tf.tidy(() => tf.matMul(f.mean([1, 2]) as tf.Tensor2D, D) as tf.Tensor2D);
  return {
    inputShape: [h, w, c], numClasses: dense[0]!.length, preprocess: { scale: 1 / 127.5, offset: -1 }, defaultCamLayer: 'input', convLayers: () => ['input'],
    logits: logits ?? head, split: () => ({ features: (x) => x.clone(), head }),
  };
}

describe('the CAM family on a hand-built feature map', () => {
  const H = 3, W = 4, C = 2;
  const a = Array.from({ length: H * W * C }, (_, i) => ((i * 7) % 11) / 10);
  const dense = [[2, 0], [-1, 0]];
  test('XGrad-CAM: α_c = Σ A·G / Σ A, with G = dense[c]/(hw) for a GAP head → α_c = dense[c]/(hw)', async () => {
    const A = tf.tensor4d(a, [1, H, W, C]);
    const G = tf.tidy(() => tf.mul(tf.onesLike(A), tf.tensor1d([2 / (H * W), -1 / (H * W)])) as tf.Tensor4D);
    const w = await tf.tidy(() => xGradCamWeights(A, G)).data();
    expect(w[0]).toBeCloseTo(2 / (H * W), 6);
    expect(w[1]).toBeCloseTo(-1 / (H * W), 6);
    tf.dispose([A, G]);
  });
  test('HiRes-CAM equals Grad-CAM when the head is GAP → linear (the gradient is the same at every position)', async () => {
    const m = gapModel(H, W, C, dense);
    const A = tf.tensor4d(a, [1, H, W, C]);
    // the shipped weightings, not copies of them
    const maps = await Promise.all([hiResCamSpec, gradCamSpec].map(async (spec) => {
      const t = await camMap(m, A, T0, 'input', spec);
      const v = await t.data(); t.dispose(); return Array.from(v);
    }));
    maps[0]!.forEach((v, i) => expect(v).toBeCloseTo(maps[1]![i]!, 6));
    expect(Math.max(...maps[0]!)).toBeGreaterThan(0);
    A.dispose();
  });
  test('Ablation-CAM: w_k = (y − y_k)/y, with y_k the score with channel k zeroed', async () => {
    const m = gapModel(H, W, C, dense);
    const A = tf.tensor4d(a, [1, H, W, C]);
    const mean = [0, 1].map((k) => a.filter((_, i) => i % C === k).reduce((s, v) => s + v, 0) / (H * W));
    const y = 2 * mean[0]! - mean[1]!;
    const w = await (await ablationCamWeights({ A, G: null, model: m, head: m.split('input').head, input: A, target: T0, params: { layer: 'input' }, opts: {} })).data();
    expect(w[0]).toBeCloseTo((y - (-mean[1]!)) / y, 5);
    expect(w[1]).toBeCloseTo((y - 2 * mean[0]!) / y, 5);
    A.dispose();
  });
});

describe('Eigen-CAM', () => {
  test('equals the first principal component of the activation vectors, worked out by hand', async () => {
    // 6 positions of 2 channels along the direction (3, 4)/5 around the mean (1, 1), plus a small orthogonal part:
    // the covariance's top eigenvector is (0.6, 0.8) and the projection is the along-direction coordinate t.
    const ts = [-2, -1, 0, 0.5, 1, 1.5], os = [0.1, -0.2, 0.1, 0, 0, 0]; // Σo = 0 and Σt·o = 0: no cross-covariance
    const vals = ts.flatMap((t, i) => [1 + 0.6 * t - 0.8 * os[i]!, 1 + 0.8 * t + 0.6 * os[i]!]);
    const A = tf.tensor4d(vals, [1, 2, 3, 2]);
    const { weights, shift } = await firstComponent(A);
    const v = Array.from(await weights.data());
    expect(v[0]).toBeCloseTo(0.6, 4);
    expect(v[1]).toBeCloseTo(0.8, 4);
    const tMean = ts.reduce((s, t) => s + t, 0) / ts.length;
    const m = gapModel(2, 3, 2, [[1], [1]]);
    const cam = await camMap(m, A, T0, 'input', { id: 'eigen-cam', gradients: false, weights: () => ({ weights: weights.clone(), shift }) });
    const got = Array.from(await cam.data());
    ts.forEach((t, i) => expect(got[i]).toBeCloseTo(Math.max(0, t - tMean), 4));
    tf.dispose([A, weights, cam]);
  });
});

describe('Eigen-CAM on either side of h·w = C', () => {
  for (const shape of [[1, 2, 2, 9], [1, 4, 5, 3]] as const) {
    test(`${shape.join('×')} (${shape[1] * shape[2] <= shape[3] ? 'Gram matrix' : 'covariance'}): the weights are the covariance's top eigenvector`, async () => {
      const [, h, w, c] = shape;
      const n = h * w;
      const A = tf.randomUniform([...shape], 0, 2, 'float32', 11) as tf.Tensor4D;
      const x = Array.from(await A.data());
      const { weights } = await firstComponent(A);
      const v = Array.from(await weights.data());
      const mean = Array.from({ length: c }, (_, k) => x.filter((_, i) => i % c === k).reduce((p, q) => p + q, 0) / n);
      const cov = (a: number, b: number) => Array.from({ length: n }, (_, p) => (x[p * c + a]! - mean[a]!) * (x[p * c + b]! - mean[b]!)).reduce((p, q) => p + q, 0);
      const Cv = Array.from({ length: c }, (_, a) => v.reduce((s, vb, b) => s + cov(a, b) * vb, 0));
      const lambda = Cv.reduce((s, q, a) => s + q * v[a]!, 0);
      Cv.forEach((q, a) => expect(Math.abs(q - lambda * v[a]!)).toBeLessThan(1e-3 * lambda)); // C·v = λ·v
      for (let a = 0; a < c; a++) expect(lambda).toBeGreaterThanOrEqual(cov(a, a) - 1e-6); // λ is the largest
      expect(v.reduce((s, q) => s + q * q, 0)).toBeCloseTo(1, 5);
      tf.dispose([A, weights]);
    });
  }
});

describe('Score-CAM', () => {
  test('its weights equal the masked images\' class probabilities minus a blank image\'s', async () => {
    const H = 4, W = 4, C = 3;
    const rand = seededRandom(3);
    const vals = Array.from({ length: H * W * C }, () => rand() * 2 - 1);
    const logits = (x: tf.Tensor4D) => tf.tidy(() => tf.stack([tf.sum(tf.mul(x, tf.linspace(-1, 1, H * W * C).reshape([1, H, W, C])), [1, 2, 3]), tf.zeros([x.shape[0]])], 1) as tf.Tensor2D);
    const m = gapModel(H, W, C, [[1, 0], [0, 1], [1, 1]], logits);
    const x = tf.tensor4d(vals, [1, H, W, C]);
    const w = await (await scoreCamWeights({ A: x, G: null, model: m, head: m.split('input').head, input: x, target: T0, params: { layer: 'input', channels: C }, opts: { batchSize: 2 } })).data();
    const p = async (img: tf.Tensor4D) => { const t = tf.tidy(() => tf.softmax(logits(img)).slice([0, 0], [1, 1])); const v = (await t.data())[0]!; t.dispose(); return v; };
    const p0 = await p(tf.zerosLike(x) as tf.Tensor4D);
    for (let k = 0; k < C; k++) {
      const ch = vals.filter((_, i) => i % C === k);
      const lo = Math.min(...ch), hi = Math.max(...ch);
      const mask = tf.tensor4d(ch.map((v) => (v - lo) / (hi - lo)), [1, H, W, 1]);
      expect(w[k]).toBeCloseTo(await p(tf.mul(x, mask) as tf.Tensor4D) - p0, 5);
      mask.dispose();
    }
    x.dispose();
  });

  test('a flat channel masks the whole image out: its weight is 0, and no NaN', async () => {
    const H = 4, W = 4, C = 2;
    const vals = Array.from({ length: H * W * C }, (_, i) => (i % C ? 0.7 : (i % 5) / 5));
    const logits = (x: tf.Tensor4D) => tf.tidy(() => tf.stack([tf.sum(tf.mul(x, tf.linspace(-1, 1, H * W * C).reshape([1, H, W, C])), [1, 2, 3]), tf.zeros([x.shape[0]])], 1) as tf.Tensor2D);
    const m = gapModel(H, W, C, [[1, 0], [0, 1]], logits);
    const x = tf.tensor4d(vals, [1, H, W, C]);
    const w = await (await scoreCamWeights({ A: x, G: null, model: m, head: m.split('input').head, input: x, target: T0, params: { layer: 'input', channels: C }, opts: {} })).data();
    expect(w[1]).toBe(0);
    expect(Math.abs(w[0]!)).toBeGreaterThan(1e-3);
    x.dispose();
  });
});

/**
 * A model that looks only at rows 4..7, columns 8..11 of a 16×16 image: logit 0 = 4 × the mean of x² there. The
 * region is a ±1 checkerboard, so greying it (RISE) or painting it its mean colour (LIME) both remove the evidence.
 */
const H16 = 16;
const regionModel = () => {
  const mask = tf.keep(tf.tidy(() => tf.pad(tf.ones([4, 4, 3]), [[4, 8], [8, 4], [0, 0]]).expandDims(0)));
  return gapModel(H16, H16, 3, [[1, 0], [0, 1], [0, 0]], (x) => tf.tidy(() => tf.stack([tf.mul(tf.sum(tf.mul(tf.square(x), mask), [1, 2, 3]), 4 / 48), tf.zeros([x.shape[0]])], 1) as tf.Tensor2D));
};
const regionImage = () => tf.tidy(() => {
  const vals = Array.from({ length: H16 * H16 * 3 }, (_, i) => { const p = Math.floor(i / 3), y = Math.floor(p / H16), x = p % H16; return inRegion(p) ? ((x + y) % 2 ? 1 : -1) : 0.3 + 0.1 * ((x * 7 + y * 3) % 5) / 5; });
  return tf.tensor4d(vals, [1, H16, H16, 3]);
});
const inRegion = (i: number) => { const y = Math.floor(i / H16), x = i % H16; return y >= 4 && y < 8 && x >= 8 && x < 12; };

describe('perturbation methods find the one region a synthetic model uses', () => {
  for (const id of ['rise', 'lime']) {
    test(id, async () => {
      const m = regionModel();
      const x = regionImage();
      const before = tf.memory().numTensors;
      const map = await getMethod(id).explain(m, x, T0, id === 'rise' ? { masks: 400, grid: 4, keep: 0.5 } : { samples: 200, segments: 16 }, { batchSize: 8 });
      expect(tf.memory().numTensors).toBe(before);
      if (id === 'rise') {
        // Of the 16 most salient pixels, at least 12 are the region's 16.
        const top = Array.from(map.values.keys()).sort((a, b) => map.values[b]! - map.values[a]!).slice(0, 16);
        expect(top.filter(inRegion).length).toBeGreaterThanOrEqual(12);
      } else {
        // LIME scores whole superpixels: the one holding the region scores highest, the others near 0.
        const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
        expect(mean(Array.from(map.values).filter((_, i) => inRegion(i)))).toBeGreaterThan(0.8 * map.max);
        expect(mean(Array.from(map.values).filter((_, i) => !inRegion(i)))).toBeLessThan(0.3 * map.max);
      }
      x.dispose();
    }, 60_000);
  }
});

describe('the images RISE and LIME show the model', () => {
  test('RISE: image·m + grey·(1 − m), as the same formula in TF.js ops', async () => {
    const x = regionImage(), px = await x.data() as Float32Array;
    const masks = riseMasks(3, H16, H16, 4, 0.5, seededRandom(5));
    const got = maskedImages(px, masks, 3, 0.25);
    const want = tf.tidy(() => { const m = tf.tensor4d(masks, [3, H16, H16, 1]); return tf.add(tf.mul(x, m), tf.mul(tf.sub(1, m), 0.25)).dataSync(); });
    expect(got).toHaveLength(want.length);
    let worst = 0;
    got.forEach((v, i) => { worst = Math.max(worst, Math.abs(v - want[i]!)); });
    expect(worst).toBeLessThan(1e-6);
    expect(new Set(masks).size).toBeGreaterThan(100); // smooth masks: the blend is exercised, not just 0/1
    x.dispose();
  });

  test('LIME: each superpixel is wholly the image or wholly its mean colour; the first sample is the image', async () => {
    const m = regionModel(), x = regionImage(), px = await x.data() as Float32Array;
    const seen: Float32Array[] = [];
    const recording = { ...m, logits: (t: tf.Tensor4D) => { const v = t.dataSync() as Float32Array; for (let b = 0; b < t.shape[0]; b++) seen.push(v.slice(b * px.length, (b + 1) * px.length)); return m.logits(t); } };
    await getMethod('lime').explain(recording, x, T0, { samples: 40, segments: 16 }, { batchSize: 8 });
    const { labels, count } = slic(px, H16, H16, { segments: 16 });
    // the segment means, as the one-hot matMul that LIME used before
    const means = tf.tidy(() => {
      const onehot = tf.oneHot(tf.tensor1d(labels, 'int32'), count).toFloat() as tf.Tensor2D;
      const mu = tf.div(tf.matMul(onehot, x.reshape([H16 * H16, 3]) as tf.Tensor2D, true), tf.maximum(onehot.sum(0).reshape([count, 1]), 1));
      return tf.matMul(onehot, mu).dataSync() as Float32Array;
    });
    expect(segmentMeanImage(px, labels, count, 3).every((v, i) => Math.abs(v - means[i]!) < 1e-6)).toBe(true);
    expect(seen).toHaveLength(40);
    expect(seen[0]).toEqual(px);
    let offs = 0;
    for (const img of seen) {
      for (let l = 0; l < count; l++) {
        const ps = Array.from(labels.keys()).filter((p) => labels[p] === l).flatMap((p) => [p * 3, p * 3 + 1, p * 3 + 2]);
        const isImage = ps.every((i) => img[i] === px[i]), isMean = ps.every((i) => Math.abs(img[i]! - means[i]!) < 1e-6);
        expect(isImage || isMean).toBe(true);
        if (!isImage) offs++;
      }
    }
    expect(offs).toBeGreaterThan(0.3 * 39 * count); // about half the superpixels are off in the random samples
    x.dispose();
  });
});

describe('path methods keep completeness on analytic models', () => {
  test('Guided IG on a linear score: attributions are w·(x − b) exactly, whatever the path', async () => {
    const n = 50;
    const rand = seededRandom(5);
    const wv = Float32Array.from({ length: n }, () => rand() - 0.5);
    const b = new Float32Array(n), t = Float32Array.from({ length: n }, () => rand());
    const attr = await guidedPath(b, t, 8, 0.25, 0.1, async () => wv);
    attr.forEach((v, i) => expect(v).toBeCloseTo(wv[i]! * (t[i]! - b[i]!), 5));
  });
  test('Guided IG moves the smallest |gradient| first, ties with the round\'s last one included', async () => {
    // 8 features, each 1 from the target: step 1 of 4 must cover 2 of the 8. Round 1 takes ⌈¼·8⌉ = 2 features,
    // cut at |g| = 0.2, which three more share: all 4 with |g| ≤ 0.2 move half-way. Only step 1 has a gradient.
    const w = Float32Array.from([0.6, -0.2, 0.1, 0.8, 0.2, -0.5, -0.2, 0.7]);
    let calls = 0;
    const attr = await guidedPath(new Float32Array(8), new Float32Array(8).fill(1), 4, 0.25, 1, async () => (calls++ === 0 ? w : new Float32Array(8)));
    expect(Array.from(attr)).toEqual(Array.from(w, (v) => (Math.abs(v) <= 0.2 + 1e-6 ? Math.fround(v * 0.5) : 0)));
  });
  test('selectSmallest puts exactly the smallest values first, in place, and touches nothing outside its range', () => {
    const rand = seededRandom(3);
    for (const [n, from, to, count] of [[1000, 0, 1000, 250], [1000, 100, 900, 1], [1000, 100, 900, 800], [7, 2, 7, 3], [50000, 10, 49990, 12345]] as const) {
      const a = Float64Array.from({ length: n }, () => rand());
      const before = Float64Array.from(a);
      selectSmallest(a, from, to, count);
      const want = Array.from(before.subarray(from, to)).sort((p, q) => p - q);
      expect(Array.from(a.subarray(from, from + count)).sort((p, q) => p - q)).toEqual(want.slice(0, count));
      expect(Array.from(a.subarray(from, to)).sort((p, q) => p - q)).toEqual(want); // a permutation of the range
      expect(Array.from(a.subarray(0, from))).toEqual(Array.from(before.subarray(0, from)));
      expect(Array.from(a.subarray(to))).toEqual(Array.from(before.subarray(to)));
    }
  });
  test('Guided IG on Σ w·x²: Σ attributions ≈ f(x) − f(b), and the path ends at x', async () => {
    const n = 40;
    const rand = seededRandom(8);
    const wv = Float32Array.from({ length: n }, () => rand());
    const t = Float32Array.from({ length: n }, () => rand()), b = new Float32Array(n);
    const attr = await guidedPath(b, t, 64, 0.25, 0.1, async (x) => Float32Array.from(x, (v, i) => 2 * wv[i]! * v));
    const f = (x: Float32Array) => x.reduce((s, v, i) => s + wv[i]! * v * v, 0);
    const total = attr.reduce((s, v) => s + v, 0);
    expect(Math.abs(total - (f(t) - f(b))) / (f(t) - f(b))).toBeLessThan(0.05);
  });
  test('Blur IG on a linear score: Σ attributions = f(x) − f(most blurred x)', async () => {
    const H = 12, W = 12, C = 3;
    const wT = tf.keep(tf.randomUniform([1, H, W, C], -1, 1, 'float32', 4));
    const m = gapModel(H, W, C, [[1, 0], [0, 1], [0, 0]], (x) => tf.tidy(() => tf.stack([tf.sum(tf.mul(x, wT), [1, 2, 3]), tf.zeros([x.shape[0]])], 1) as tf.Tensor2D));
    const x = tf.randomUniform([1, H, W, C], -1, 1, 'float32', 2) as tf.Tensor4D;
    const method = getMethod('blur-ig');
    const map = await method.explain(m, x, T0, { steps: 10, maxSigma: 37 });
    const { blurPath } = await import('../../src/features/explain/methods/blur-ig');
    const delta = tf.tidy(() => { const p = blurPath(x, 10, 37); const fs = m.logits(p).slice([0, 0], [-1, 1]).reshape([-1]); return tf.sub(fs.slice(0, 1), fs.slice(10, 1)); });
    const want = (await delta.data())[0]!;
    expect(map.values.reduce((s, v) => s + v, 0)).toBeCloseTo(want, 3);
    tf.dispose([x, delta, wT]);
  });
});

describe('SmoothGrad variants on a linear model (the gradient is w whatever the noise)', () => {
  const H = 3, W = 3, C = 3;
  let m: ExplainModel, wv: Float32Array;
  beforeAll(async () => {
    const wT = tf.keep(tf.randomUniform([1, H, W, C], -1, 1, 'float32', 6));
    wv = (await wT.data()) as Float32Array;
    m = gapModel(H, W, C, [[1, 0], [0, 1], [0, 0]], (x) => tf.tidy(() => tf.stack([tf.sum(tf.mul(x, wT), [1, 2, 3]), tf.zeros([x.shape[0]])], 1) as tf.Tensor2D));
  });
  test('VarGrad is 0 and SmoothGrad² is Σ_c w² at every pixel', async () => {
    const x = tf.zeros([1, H, W, C]) as tf.Tensor4D;
    const v = await getMethod('vargrad:gradient').explain(m, x, T0, { samples: 6, sigma: 0.2 });
    const s = await getMethod('smoothgrad-sq:gradient').explain(m, x, T0, { samples: 6, sigma: 0.2 });
    v.values.forEach((val) => expect(val).toBeCloseTo(0, 5));
    s.values.forEach((val, p) => expect(val).toBeCloseTo(wv[p * 3]! ** 2 + wv[p * 3 + 1]! ** 2 + wv[p * 3 + 2]! ** 2, 5));
    x.dispose();
  });
});

describe('ROAD imputation', () => {
  test('a removed pixel becomes the 1/6 (direct) + 1/12 (diagonal) weighted mean of its neighbours', async () => {
    const H = 5, W = 6;
    const rand = seededRandom(12);
    const vals = Array.from({ length: H * W }, () => rand());
    const x = tf.tensor4d(vals, [1, H, W, 1]);
    const removed = tf.tidy(() => tf.scatterND([[0, 2, 3, 0], [0, 0, 0, 0]], [1, 1], [1, H, W, 1]) as tf.Tensor4D);
    const before = tf.memory().numTensors;
    const y = roadImpute(x, removed, { noise: 0 });
    expect(tf.memory().numTensors).toBe(before + 1);
    const got = await y.data();
    const at = (r: number, c: number) => vals[r * W + c]!;
    const k = ROAD_KERNEL;
    const inner = [-1, 0, 1].flatMap((dy) => [-1, 0, 1].map((dx) => k[dy + 1]![dx + 1]! * at(2 + dy, 3 + dx))).reduce((a, b) => a + b, 0);
    expect(got[2 * W + 3]).toBeCloseTo(inner, 5);
    // The corner: only 3 neighbours are in the image, so their weights are renormalised to sum to 1.
    const corner = (k[1]![2]! * at(0, 1) + k[2]![1]! * at(1, 0) + k[2]![2]! * at(1, 1)) / (k[1]![2]! + k[2]![1]! + k[2]![2]!);
    expect(got[0]).toBeCloseTo(corner, 5);
    // Known pixels are untouched.
    expect(got[1]).toBeCloseTo(at(0, 1), 6);
    tf.dispose([x, removed, y]);
  });
  test('a large hole in a linear ramp is filled with the ramp (the harmonic solution)', async () => {
    const H = 32, W = 32;
    const ramp = tf.tidy(() => tf.linspace(0, 1, W).reshape([1, 1, W, 1]).tile([1, H, 1, 1]) as tf.Tensor4D);
    const removed = tf.tidy(() => tf.pad(tf.ones([1, 12, 12, 1]), [[0, 0], [10, 10], [10, 10], [0, 0]]) as tf.Tensor4D);
    const y = roadImpute(ramp, removed, { noise: 0 });
    const err = tf.tidy(() => tf.max(tf.abs(tf.sub(y, ramp))));
    expect((await err.data())[0]).toBeLessThan(0.02);
    tf.dispose([ramp, removed, y, err]);
  });
});

describe('ranking "Compare all"', () => {
  const random = { seeds: 10, substrate: 'grey' as const, deletion: { mean: 0.2, sd: 0.01 }, insertion: { mean: 0.3, sd: 0.02 }, road: { mean: 0.25, sd: 0.01 }, deletionCurve: [], insertionCurve: [] };
  const map = { method: 'x', classTarget: T0, width: 1, height: 1, min: 0, max: 0, signed: false, values: '' };
  const row = (method: string, deletion: number, insertion: number, road: number, spearman: number | null) => ({ method, ms: 1, map: { ...map, method }, deletion, insertion, road, spearman });
  test('the mean of per-metric ranks orders the methods; ratios are over the random mean', () => {
    const ranked = rankRows([row('b', 0.1, 0.5, 0.2, 0.9), row('a', 0.05, 0.7, 0.1, 0.1), row('c', 0.09, 0.6, 0.22, 0.2)], random);
    expect(ranked.map((r) => [r.method, r.rank])).toEqual([['a', 1], ['c', 2], ['b', 3]]);
    expect(ranked[0]!.deletionRatio).toBeCloseTo(0.25);
    expect(ranked[0]!.insertionRatio).toBeCloseTo(0.7 / 0.3);
    expect(ranked[0]!.roadRatio).toBeCloseTo(0.4);
  });
  test('CSV: a header, a line per method, the random mean and spread', () => {
    const csv = compareCsv(rankRows([row('grad-cam', 0.1, 0.5, 0.2, null)], random), random, (id) => (id === 'grad-cam' ? 'Grad-CAM, v1' : id)).trim().split('\n');
    expect(csv[0]).toBe('rank,method,deletion,deletionRatio,insertion,insertionRatio,road,roadRatio,spearman,ms');
    expect(csv[1]).toBe('1,"Grad-CAM, v1",0.1,0.5,0.5,1.66667,0.2,0.8,,1');
    expect(csv[2]).toBe(',"random mean (10 seeds, grey)",0.2,1,0.3,1,0.25,1,,');
    expect(csv[3]).toBe(',random sd,0.01,,0.02,,0.01,,,');
    expect(csv).toHaveLength(4);
  });
});

describe('the catalog', () => {
  test('every method has a summary, a paper, a family and a cost line; the failing ones are marked', () => {
    expect(METHODS_LIST.length).toBeGreaterThanOrEqual(24);
    for (const m of METHODS_LIST) {
      expect(m.summary.length).toBeGreaterThan(20);
      expect(m.paper).toMatch(/^https:\/\//);
      expect(costLine(m, {})).toMatch(/^\d+ (forward|backward)/);
    }
    expect(METHODS_LIST.filter((m) => m.failsSanity).map((m) => m.id).sort()).toEqual(['guided-backprop', 'guided-grad-cam']);
    expect(costLine(METHOD_INFO.get('rise')!, { masks: 800 })).toBe('800 forward passes');
    expect(costLine(METHOD_INFO.get('integrated-gradients')!, {})).toBe('2 forward + 33 backward passes');
    expect(costLine(METHOD_INFO.get('guided-ig')!, {})).toBe('32 backward passes (one at a time: each step starts where the last one ended)');
    expect(costLine(METHOD_INFO.get('occlusion')!, {})).toBe('170 forward passes (on wasm and cpu, each recomputes only what its patch reaches: about half a pass)');
  });
});
