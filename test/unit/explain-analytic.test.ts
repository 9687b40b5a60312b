// Explanation maths on hand-written "models" whose answers are known in closed form.
import { beforeAll, describe, expect, test } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { gaussLegendre, integratedGradients } from '../../src/features/explain/methods/integrated-gradients';
import { camMap } from '../../src/features/explain/methods/cam';
import { gradCamWeights } from '../../src/features/explain/methods/grad-cam';
import { gradCamPlusPlusWeights } from '../../src/features/explain/methods/grad-cam-plus-plus';
import { CURVE_STEPS, causalCurves, deletion, faithfulness, randomBaseline, rankPixels, roadCurves, spearman, trapezoidAuc, randomMap, resizeMap } from '../../src/features/explain/metrics';
import { ROAD_KERNEL, ROAD_LEVELS, roadImpute } from '../../src/features/explain/road';
import type { ExplainModel } from '../../src/features/explain/types';
import { initBackend } from './helpers';

const H = 4, W = 5, C = 3;
let wSq: tf.Tensor;

/** class 0 = Σ w·x², class 1 = Σ x; the "features" are the input itself and the head is GAP → dense. */
function fakeModel(dense: tf.Tensor2D): ExplainModel {
  return {
    inputShape: [H, W, C],
    numClasses: 2,
    preprocess: { scale: 1 / 255, offset: 0 },
    defaultCamLayer: 'input',
    convLayers: () => ['input'],
    logits: (x) => tf.tidy(() => tf.stack([tf.sum(tf.mul(wSq, tf.square(x)), [1, 2, 3]), tf.sum(x, [1, 2, 3])], 1) as tf.Tensor2D),
    split: () => ({ features: (x) => x.clone(), head: (f) => tf.tidy(() => tf.matMul(f.mean([1, 2]) as tf.Tensor2D, dense)) }),
  };
}

beforeAll(async () => {
  await initBackend();
  wSq = tf.tidy(() => tf.keep(tf.linspace(0.1, 2, H * W * C).reshape([1, H, W, C])));
});

describe('Integrated Gradients on f(x) = Σ w·x²', () => {
  test('attributions equal w·(x² − b²) exactly (the path gradient is linear: Gauss–Legendre is exact)', async () => {
    const model = fakeModel(tf.eye(C, 2) as tf.Tensor2D);
    const x = tf.randomUniform([1, H, W, C], 0, 1, 'float32', 3) as tf.Tensor4D;
    const wantT = tf.tidy(() => tf.mul(wSq, tf.square(x))); // black baseline = 0 here
    const want = await wantT.data();
    wantT.dispose();
    const before = tf.memory().numTensors;
    const attr = await integratedGradients.attribute(model, x, { kind: 'class', index: 0 }, { steps: 4, baseline: 'black', rule: 'gauss-legendre' }, { batchSize: 2 });
    const got = await attr.data();
    attr.dispose();
    expect(tf.memory().numTensors).toBe(before);
    for (let i = 0; i < want.length; i++) expect(got[i]).toBeCloseTo(want[i]!, 5);
    const map = await integratedGradients.explain(model, x, { kind: 'class', index: 0 }, { steps: 4, baseline: 'black', rule: 'trapezoid' });
    expect(map.notes!.completenessError).toBeLessThan(1e-5);
    expect(map.values.reduce((a, b) => a + b, 0)).toBeCloseTo(map.notes!.scoreDelta!, 4);
    expect(map.width).toBe(W);
    x.dispose();
  });

  test('with too few steps on a curved path, completeness error shows up (the check can fail)', async () => {
    const cubic: ExplainModel = { ...fakeModel(tf.eye(C, 2) as tf.Tensor2D), logits: (x) => tf.tidy(() => tf.stack([tf.sum(tf.pow(x, 3), [1, 2, 3]), tf.sum(x, [1, 2, 3])], 1) as tf.Tensor2D) };
    const x = tf.fill([1, H, W, C], 1) as tf.Tensor4D;
    const gl = await integratedGradients.explain(cubic, x, { kind: 'class', index: 0 }, { steps: 1, baseline: 'black', rule: 'gauss-legendre' });
    // ∫₀¹ 3α² dα = 1; one Gauss–Legendre node (the midpoint) gives 3·¼ = 0.75: 25 % off
    expect(gl.notes!.completenessError).toBeCloseTo(0.25, 5);
    const tr = await integratedGradients.explain(cubic, x, { kind: 'class', index: 0 }, { steps: 1, baseline: 'black', rule: 'trapezoid' });
    // one trapezoid step: (0 + 3)/2 = 1.5: 50 % off
    expect(tr.notes!.completenessError).toBeCloseTo(0.5, 5);
    x.dispose();
  });
});

describe('CAM weights on a hand-built feature map', () => {
  // Two channels of a 4×5 map; the head averages positions then mixes channels with `dense`.
  let A: tf.Tensor4D, dense: tf.Tensor2D;
  beforeAll(() => {
    A = tf.tidy(() => tf.stack([tf.linspace(0, 1, H * W).reshape([H, W]), tf.linspace(1, 0, H * W).reshape([H, W]), tf.zeros([H, W])], 2).expandDims(0) as tf.Tensor4D);
    dense = tf.tensor2d([[2, -1], [-3, 1], [0, 0]]); // [C, classes]
  });

  test('Grad-CAM: α_c = mean gradient = dense[c, k] / (h·w); map = relu(Σ α_c A_c)', async () => {
    const m = fakeModel(dense);
    const mt = await camMap(m, A, { kind: 'class', index: 0 }, 'input', { id: 'grad-cam', gradients: true, weights: (c) => gradCamWeights(c.A, c.G!) });
    const map = await mt.array();
    mt.dispose();
    const a = await A.array();
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
      const s = (2 * a[0]![y]![x]![0]! - 3 * a[0]![y]![x]![1]!) / (H * W);
      expect(map[y]![x]).toBeCloseTo(Math.max(0, s), 6);
    }
    const w = await tf.tidy(() => gradCamWeights(A, tf.fill([1, H, W, C], 0.5) as tf.Tensor4D)).data();
    expect(Array.from(w)).toEqual([0.5, 0.5, 0.5]);
  });

  test('Grad-CAM++: α_c = Σ g²/(2g² + ΣA·g³)·relu(g), computed by hand', async () => {
    const G = tf.tidy(() => tf.tile(tf.tensor1d([0.2, -0.1, 0.3]).reshape([1, 1, 1, C]), [1, H, W, 1]) as tf.Tensor4D);
    const w = await tf.tidy(() => gradCamPlusPlusWeights(A, G)).data();
    const sumA = [H * W * 0.5, H * W * 0.5, 0]; // linspace 0..1 and 1..0 both average ½
    const g = [0.2, -0.1, 0.3];
    g.forEach((gc, c) => {
      const a = gc * gc / (2 * gc * gc + sumA[c]! * gc ** 3);
      expect(w[c]).toBeCloseTo(H * W * a * Math.max(0, gc), 5);
    });
    G.dispose();
  });
});

describe('Gauss–Legendre quadrature', () => {
  test('nodes in (0, 1), weights sum to 1, exact for α^(2m−1)', () => {
    for (const m of [1, 2, 5, 32, 64]) {
      const { nodes, weights } = gaussLegendre(m);
      expect(nodes).toHaveLength(m);
      expect(nodes.every((x) => x > 0 && x < 1)).toBe(true);
      expect(weights.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 10);
      const deg = 2 * m - 1;
      expect(nodes.reduce((s, x, i) => s + weights[i]! * x ** deg, 0)).toBeCloseTo(1 / (deg + 1), 10);
    }
  });
});

describe('metric helpers', () => {
  test('trapezoid AUC over a normalised axis', () => {
    expect(trapezoidAuc([1, 1, 1])).toBe(1);
    expect(trapezoidAuc([1, 0])).toBe(0.5);
    expect(trapezoidAuc([0, 1, 0, 1, 0])).toBeCloseTo(0.5);
  });
  test('pixel ranking is most-salient-first and stable on ties', () => {
    expect(Array.from(rankPixels([0.1, 0.9, 0.5, 0.9]))).toEqual([1, 3, 2, 0]);
  });
  test('Spearman: identical order 1, reversed −1, ties averaged', () => {
    expect(spearman([1, 2, 3, 4], [10, 20, 30, 40])).toBeCloseTo(1);
    expect(spearman([1, 2, 3, 4], [4, 3, 2, 1])).toBeCloseTo(-1);
    expect(spearman([1, 1, 2, 3], [1, 2, 3, 4])).toBeCloseTo(0.9487, 3);
  });
  test('random maps are reproducible per seed and differ between seeds', () => {
    expect(Array.from(randomMap(5, 1))).toEqual(Array.from(randomMap(5, 1)));
    expect(Array.from(randomMap(5, 1))).not.toEqual(Array.from(randomMap(5, 2)));
    expect(Math.max(...randomMap(1000, 3))).toBeLessThan(1);
  });
  test('resizeMap is nearest-neighbour', () => {
    expect(Array.from(resizeMap({ values: Float32Array.from([1, 2, 3, 4]), width: 2, height: 2 }, 4, 2))).toEqual([1, 1, 2, 2, 3, 3, 4, 4]);
  });
});

describe('deletion curves', () => {
  /** the fake model, counting the images it scores */
  function counting() {
    const m = fakeModel(tf.eye(C, 2) as tf.Tensor2D);
    const seen = { images: 0 };
    return { seen, model: { ...m, logits: (x: tf.Tensor4D) => { seen.images += x.shape[0]; return m.logits(x); } } as ExplainModel };
  }
  const steps = 4, n = H * W;
  const maps = [randomMap(n, 1), randomMap(n, 2), randomMap(n, 3)];
  /** step k of a map, built and scored on its own: the k·n/steps most salient pixels black */
  const byHand = (m: ExplainModel, input: tf.Tensor4D, map: Float32Array, k: number) => tf.tidy(() => {
    const order = rankPixels(map).slice(0, Math.round((k * n) / steps));
    const keep = new Float32Array(n).fill(1);
    for (const p of order) keep[p] = 0;
    const img = tf.mul(input, tf.tensor4d(keep, [1, H, W, 1]));
    return tf.softmax(m.logits(img as tf.Tensor4D)).dataSync()[0]!;
  });

  test('match each step scored on its own; the two ends, alike for every map, are scored once', async () => {
    const { model, seen } = counting();
    const input = tf.tidy(() => tf.linspace(0.2, 1, n * C).reshape([1, H, W, C]) as tf.Tensor4D);
    const before = tf.memory().numTensors;
    const curves = await causalCurves(model, input, maps.map(rankPixels), { kind: 'class', index: 0 }, deletion('black'), { steps, batchSize: 4 });
    expect(tf.memory().numTensors).toBe(before);
    expect(seen.images).toBe(maps.length * (steps - 1) + 2);
    for (const [i, c] of curves.entries()) {
      expect(c.probs).toHaveLength(steps + 1);
      for (let k = 0; k <= steps; k++) expect(c.probs[k]).toBeCloseTo(byHand(model, input, maps[i]!, k), 6);
      expect(c.auc).toBeCloseTo(trapezoidAuc(c.probs), 12);
    }
    // Ends handed in are used as they are, and not scored again.
    seen.images = 0;
    const [c] = await causalCurves(model, input, [rankPixels(maps[0]!)], { kind: 'class', index: 0 }, deletion('black'), { steps, ends: { start: 0.25, finish: 0.75 } });
    expect(seen.images).toBe(steps - 1);
    expect([c!.probs[0], c!.probs[steps]]).toEqual([0.25, 0.75]);
    expect(c!.probs.slice(1, steps)).toEqual(curves[0]!.probs.slice(1, steps));
    input.dispose();
  });

  test('a map\'s faithfulness reuses the random baseline\'s ends: 2 × 31 curve images and 4 ROAD images', async () => {
    const { model, seen } = counting();
    const input = tf.tidy(() => tf.linspace(0.2, 1, n * C).reshape([1, H, W, C]) as tf.Tensor4D);
    const t = { kind: 'class', index: 0 } as const;
    const baseline = await randomBaseline(model, input, t, 'grey', {}, 2);
    expect(seen.images).toBe(2 * (2 * (CURVE_STEPS - 1) + 2) + 2 * 4);
    seen.images = 0;
    const f = await faithfulness(model, input, { values: maps[0]!, width: W, height: H } as never, t, { baseline });
    expect(seen.images).toBe(2 * (CURVE_STEPS - 1) + 4);
    expect(f.deletion.probs[0]).toBe(baseline.deletionCurve[0]);
    expect(f.insertion.probs[CURVE_STEPS]).toBe(baseline.insertionCurve[CURVE_STEPS]);
    input.dispose();
  });

  test('ROAD: each level removes the first 20/40/60/80 % of the map\'s order, as built and scored on its own', async () => {
    const { model } = counting();
    const input = tf.tidy(() => tf.linspace(0.2, 1, n * C).reshape([1, H, W, C]) as tf.Tensor4D);
    const noise = 0.01;
    const before = tf.memory().numTensors;
    const got = await roadCurves(model, input, maps.map(rankPixels), { kind: 'class', index: 0 }, { noise });
    expect(tf.memory().numTensors).toBe(before);
    for (const [i, map] of maps.entries()) {
      const order = rankPixels(map);
      const masks = ROAD_LEVELS.flatMap((l) => { const m = new Array<number>(n).fill(0); order.slice(0, Math.round(l * n)).forEach((p) => { m[p] = 1; }); return m; });
      const want = tf.tidy(() => {
        const filled = roadImpute(input, tf.tensor4d(masks, [ROAD_LEVELS.length, H, W, 1]), { noise, seed: 11 + i });
        return tf.softmax(model.logits(filled)).slice([0, 0], [-1, 1]).dataSync() as Float32Array;
      });
      got[i]!.levels.forEach((p, l) => expect(p).toBeCloseTo(want[l]!, 6));
      expect(got[i]!.score).toBeCloseTo(want.reduce((a, b) => a + b, 0) / ROAD_LEVELS.length, 6);
    }
    input.dispose();
  });

  test('ROAD imputes each channel from the same channel of its neighbours', async () => {
    // a removed centre pixel in a 3×3 image: the weighted mean of its 8 neighbours, channel by channel
    const x = tf.tidy(() => tf.linspace(0, 1, 9 * 3).square().reshape([1, 3, 3, 3]) as tf.Tensor4D);
    const removed = tf.tensor4d([0, 0, 0, 0, 1, 0, 0, 0, 0], [1, 3, 3, 1]);
    const y = roadImpute(x, removed, { noise: 0, iterations: 5 });
    const [xv, yv] = [await x.data(), await y.data()];
    const k = ROAD_KERNEL.flat();
    for (let c = 0; c < 3; c++) {
      const mean = k.reduce((s, w, p) => s + (p === 4 ? 0 : w * xv[p * 3 + c]!), 0);
      expect(yv[4 * 3 + c]).toBeCloseTo(mean, 6);
      for (const p of [0, 1, 2, 3, 5, 6, 7, 8]) expect(yv[p * 3 + c]).toBe(xv[p * 3 + c]);
    }
    tf.dispose([x, removed, y]);
  });
});
