// The TF-free building blocks of LIME and XRAI: SLIC superpixels, LIME's weighted ridge surrogate and its
// kernel, and XRAI's greedy region ranking — each checked against values worked out by hand or by a
// deliberately naive reference, plus a real photo for SLIC's connectivity and speed.
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { slic } from '../../src/features/explain/slic';
import { cosineDistanceToOnes, limeKernel, weightedRidge } from '../../src/features/explain/ridge';
import { xraiRegions } from '../../src/features/explain/xrai-regions';
import { seededRandom } from '../../src/shared/codecs';
import { PHOTOS_DIR, decodeJpeg } from './helpers';

const rng = seededRandom;

/** A real photo, nearest-neighbour resized to size×size, as interleaved RGB 0..255. */
function photo(name: string, size: number): Float32Array {
  const img = decodeJpeg(path.join(PHOTOS_DIR, name));
  const out = new Float32Array(size * size * 3);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const sx = Math.floor(((x + 0.5) * img.width) / size), sy = Math.floor(((y + 0.5) * img.height) / size);
      for (let c = 0; c < 3; c++) out[(y * size + x) * 3 + c] = img.data[(sy * img.width + sx) * 3 + c]!;
    }
  }
  return out;
}

function noisyGradient(w: number, h: number, seed: number): Float32Array {
  const r = rng(seed);
  const out = new Float32Array(w * h * 3);
  for (let p = 0; p < w * h; p++) {
    const x = p % w, y = Math.floor(p / w);
    out[p * 3] = (255 * x) / w + 40 * r();
    out[p * 3 + 1] = (255 * y) / h + 40 * r();
    out[p * 3 + 2] = 128 + 40 * r();
  }
  return out;
}

/** Checks segmentation invariants independently of slic: labels 0..count-1, no gaps, each one 4-connected blob. */
function expectValidSegmentation(labels: Int32Array, count: number, w: number, h: number): void {
  const n = w * h;
  expect(labels.length).toBe(n);
  const seen = new Uint8Array(count);
  let outOfRange = 0;
  for (let p = 0; p < n; p++) {
    if (labels[p]! >= 0 && labels[p]! < count) seen[labels[p]!] = 1;
    else outOfRange++;
  }
  expect(outOfRange).toBe(0);
  expect(seen.every((v) => v === 1)).toBe(true); // no gaps
  // Flood fill from each label's first pixel must reach all of that label's pixels.
  const size = new Int32Array(count);
  for (let p = 0; p < n; p++) size[labels[p]!]!++;
  const done = new Uint8Array(count);
  const visited = new Uint8Array(n);
  for (let p = 0; p < n; p++) {
    const l = labels[p]!;
    if (done[l]) continue;
    done[l] = 1;
    const stack = [p];
    visited[p] = 1;
    let reached = 0;
    while (stack.length) {
      const q = stack.pop()!;
      reached++;
      const x = q % w, y = Math.floor(q / w);
      for (const [nx, ny] of [[x - 1, y], [x + 1, y], [x, y - 1], [x, y + 1]] as const) {
        if (nx < 0 || ny < 0 || nx >= w || ny >= h) continue;
        const r = ny * w + nx;
        if (!visited[r] && labels[r] === l) {
          visited[r] = 1;
          stack.push(r);
        }
      }
    }
    expect(reached, `label ${l} is split into several pieces`).toBe(size[l]);
  }
}

describe('slic', () => {
  test('four flat colour quadrants with segments=4 → exactly the quadrants, numbered in raster order', () => {
    const W = 20, H = 16;
    const colours = [[255, 0, 0], [0, 200, 0], [0, 0, 255], [240, 240, 40]];
    const rgb = new Float32Array(W * H * 3);
    const quadrant = (p: number) => (Math.floor(p / W) >= H / 2 ? 2 : 0) + (p % W >= W / 2 ? 1 : 0);
    for (let p = 0; p < W * H; p++) rgb.set(colours[quadrant(p)]!, p * 3);
    const { labels, count } = slic(rgb, W, H, { segments: 4 });
    expect(count).toBe(4);
    for (let p = 0; p < W * H; p++) expect(labels[p]).toBe(quadrant(p));
  });

  test('the same quadrants in −1..1 (model-input range) segment identically: the range is normalised', () => {
    const W = 16, H = 16;
    const rgb = new Float32Array(W * H * 3);
    for (let p = 0; p < W * H; p++) {
      const q = (Math.floor(p / W) >= 8 ? 2 : 0) + (p % W >= 8 ? 1 : 0);
      rgb.set([[1, -1, -1], [-1, 0.6, -1], [-1, -1, 1], [0.9, 0.9, -0.7]][q]!, p * 3);
    }
    const a = slic(rgb, W, H, { segments: 4 });
    const b = slic(rgb.map((v) => (v + 1) * 127.5), W, H, { segments: 4 });
    expect(a.count).toBe(4);
    expect(Array.from(a.labels)).toEqual(Array.from(b.labels));
  });

  test('noisy gradient: every label one 4-connected blob, 0..count-1, count near the request, deterministic', () => {
    const W = 96, H = 72;
    const rgb = noisyGradient(W, H, 7);
    for (const segments of [12, 50, 120]) {
      const { labels, count } = slic(rgb, W, H, { segments });
      expectValidSegmentation(labels, count, W, H);
      expect(count).toBeGreaterThanOrEqual(segments / 2);
      expect(count).toBeLessThanOrEqual(segments * 2);
      const again = slic(rgb, W, H, { segments });
      expect(again.count).toBe(count);
      expect(Array.from(again.labels)).toEqual(Array.from(labels));
    }
  });

  test('thin strips get a seed grid shaped like the image: 200×4 and 4×200 with segments=5 → 5 segments', () => {
    // Square cells of side √(N/k) would put 16 seeds along a 200×4 strip.
    const wide = slic(noisyGradient(200, 4, 2), 200, 4, { segments: 5 });
    const tall = slic(noisyGradient(4, 200, 2), 4, 200, { segments: 5 });
    expectValidSegmentation(wide.labels, wide.count, 200, 4);
    expectValidSegmentation(tall.labels, tall.count, 4, 200);
    expect([wide.count, tall.count]).toEqual([5, 5]);
  });

  test('orphan fragments are merged: no segment is smaller than a quarter of the average (low compactness)', () => {
    // Low compactness lets colour dominate, so k-means leaves islands on the noise; connectivity must fix them.
    const W = 64, H = 64;
    const { labels, count } = slic(noisyGradient(W, H, 3), W, H, { segments: 40, compactness: 1 });
    expectValidSegmentation(labels, count, W, H);
    const size = new Int32Array(count);
    for (const l of labels) size[l]!++;
    const grid = 6 * 7; // the documented seed grid: nx = round(√40) = 6, ny = round(40/6) = 7
    expect(Math.min(...size)).toBeGreaterThanOrEqual(Math.floor((W * H) / grid / 4));
  });

  test('pure noise at very low compactness: even an island at the top-left corner (label 0) gets merged', () => {
    // The raster scan has no finished neighbour for the very first island; this input makes it small.
    const r = rng(1);
    const W = 24, H = 24;
    const { labels, count } = slic(Float32Array.from({ length: W * H * 3 }, () => r() * 255), W, H, { segments: 9, compactness: 0.5 });
    expectValidSegmentation(labels, count, W, H);
    const size = new Int32Array(count);
    for (const l of labels) size[l]!++;
    expect(Math.min(...size)).toBeGreaterThanOrEqual(Math.floor((W * H) / 9 / 4)); // grid 3×3
  });

  test('a real photo at 224×224: valid segments at 50/100/150, each in well under 100 ms', () => {
    const rgb = photo('dog.jpg', 224);
    for (const segments of [50, 100, 150]) {
      slic(rgb, 224, 224, { segments }); // warm up the JIT
      let best = Infinity;
      let result = slic(rgb, 224, 224, { segments });
      for (let i = 0; i < 3; i++) {
        const t0 = performance.now();
        result = slic(rgb, 224, 224, { segments });
        best = Math.min(best, performance.now() - t0);
      }
      expectValidSegmentation(result.labels, result.count, 224, 224);
      expect(result.count).toBeGreaterThanOrEqual(segments / 2);
      expect(result.count).toBeLessThanOrEqual(segments * 2);
      console.log(`slic 224×224 segments=${segments}: ${result.count} segments in ${best.toFixed(1)} ms (best of 3)`);
      expect(best).toBeLessThan(100);
    }
  });

  test('bad input gets a clear message', () => {
    expect(() => slic(new Float32Array(10), 2, 2, { segments: 1 })).toThrow(/expected 12 values/);
    expect(() => slic(new Float32Array(12).fill(NaN), 2, 2, { segments: 1 })).toThrow(/not a finite number/);
  });
});

describe('weightedRidge', () => {
  // y = 1.5 − 2·x0 + 0.5·x1 + 3·x2 exactly, on 30 random rows
  const d = 3, n = 30;
  const r = rng(11);
  const X = Float64Array.from({ length: n * d }, () => r() * 2 - 1);
  const truth = [-2, 0.5, 3];
  const y = Float64Array.from({ length: n }, (_, i) => 1.5 + truth.reduce((s, b, j) => s + b * X[i * d + j]!, 0));

  test('λ = 0 recovers a noiseless linear function exactly, with uniform and with uneven weights', () => {
    for (const w of [new Float64Array(n).fill(1), Float64Array.from({ length: n }, () => 0.1 + r() * 5)]) {
      const { coef, intercept } = weightedRidge(X, n, d, y, w, 0);
      expect(intercept).toBeCloseTo(1.5, 9);
      truth.forEach((b, j) => expect(coef[j]).toBeCloseTo(b, 9));
    }
  });

  test('one feature by hand: x = (0, 1, 2), y = (0, 2, 4), λ = 1 → β = 4/3, b = 2/3', () => {
    // centred: Σx̃² = 2, Σx̃ỹ = 4 → β = 4 / (2 + 1); b = ȳ − β·x̄ = 2 − 4/3 (unpenalised intercept)
    const { coef, intercept } = weightedRidge([0, 1, 2], 3, 1, [0, 2, 4], [1, 1, 1], 1);
    expect(coef[0]).toBeCloseTo(4 / 3, 12);
    expect(intercept).toBeCloseTo(2 / 3, 12);
  });

  test('large λ shrinks the coefficients towards 0 (and the intercept to the weighted mean of y)', () => {
    const w = new Float64Array(n).fill(1);
    const norm = (l: number) => Math.hypot(...weightedRidge(X, n, d, y, w, l).coef);
    expect(norm(1)).toBeLessThan(norm(0));
    expect(norm(10)).toBeLessThan(norm(1));
    expect(norm(1e9)).toBeLessThan(1e-6);
    const meanY = y.reduce((a, b) => a + b, 0) / n;
    expect(weightedRidge(X, n, d, y, w, 1e9).intercept).toBeCloseTo(meanY, 5);
  });

  test('rows with weight 0 are ignored; a weighted row is not (positive control)', () => {
    const w = Float64Array.from({ length: n }, (_, i) => (i === 4 ? 0 : 1));
    const base = weightedRidge(X, n, d, y, w, 0.5);
    const y2 = y.slice();
    y2[4] = 1000;
    const zeroRow = weightedRidge(X, n, d, y2, w, 0.5);
    expect(Array.from(zeroRow.coef)).toEqual(Array.from(base.coef));
    expect(zeroRow.intercept).toBe(base.intercept);
    const y3 = y.slice();
    y3[5] = 1000;
    const weighted = weightedRidge(X, n, d, y3, w, 0.5);
    expect(Math.abs(weighted.intercept - base.intercept)).toBeGreaterThan(1);
  });

  test('collinear features with λ = 0 give finite numbers that still fit, not NaN', () => {
    // x1 = 2·x0: the normal equations are singular; y = 1 + x0 is fit with x1's coefficient forced to 0
    const Xc = [0, 0, 1, 2, 2, 4, 3, 6];
    const { coef, intercept } = weightedRidge(Xc, 4, 2, [1, 2, 3, 4], [1, 1, 1, 1], 0);
    expect(coef.every(Number.isFinite)).toBe(true);
    for (let i = 0; i < 4; i++) expect(intercept + coef[0]! * Xc[i * 2]! + coef[1]! * Xc[i * 2 + 1]!).toBeCloseTo(1 + i, 9);
  });

  test('bad input gets a clear message', () => {
    expect(() => weightedRidge([1, 2, 3], 2, 2, [1, 2], [1, 1], 0)).toThrow(/expected n·d = 4/);
    expect(() => weightedRidge([1, 2], 2, 1, [1, 2], [1, -1], 0)).toThrow(/negative/);
  });
});

describe('LIME kernel and distance', () => {
  test('limeKernel: 1 at distance 0, strictly decreasing, exp(−1/2) at d = width', () => {
    expect(limeKernel(0)).toBe(1);
    expect(limeKernel(0.25)).toBeCloseTo(Math.exp(-0.5), 12);
    expect(limeKernel(0.5, 0.5)).toBeCloseTo(Math.exp(-0.5), 12);
    for (let d = 0; d < 1; d += 0.1) expect(limeKernel(d + 0.1)).toBeLessThan(limeKernel(d));
  });

  test('cosineDistanceToOnes: 0 for all ones, 1 for all zeros, 1 − 1/√2 with half the segments kept', () => {
    expect(cosineDistanceToOnes([1, 1, 1, 1, 1])).toBeCloseTo(0, 12);
    expect(cosineDistanceToOnes([0, 0, 0])).toBe(1);
    // z = (1,1,0,0): cos = 2 / (√2 · 2) = 1/√2
    expect(cosineDistanceToOnes([1, 1, 0, 0])).toBeCloseTo(1 - Math.SQRT1_2, 12);
  });
});

/** A deliberately naive XRAI greedy loop: recomputes every candidate's gain from scratch at each step. */
function naiveXrai(attr: Float64Array, n: number, segs: Int32Array[]): { map: Float64Array; order: Int32Array } {
  const cands: number[][] = [];
  for (const seg of segs) {
    const max = Math.max(...seg);
    for (let l = 0; l <= max; l++) cands.push([...seg.keys()].filter((p) => seg[p] === l));
  }
  const map = new Float64Array(n), order = new Int32Array(n).fill(-1);
  for (let step = 0; ; step++) {
    let best: number[] | null = null, bestGain = -Infinity;
    for (const c of cands) {
      const free = c.filter((p) => order[p] === -1);
      if (!free.length) continue;
      const g = free.reduce((s, p) => s + attr[p]!, 0) / free.length;
      if (g > bestGain) [best, bestGain] = [free, g];
    }
    if (!best) return { map, order };
    for (const p of best) [order[p], map[p]] = [step, bestGain];
  }
}

describe('xraiRegions', () => {
  test('a 4×4 example worked by hand: exact map and order', () => {
    // attr        quadrants A     B: {(1,3),(2,3)} = 0, rest = 1
    //  4  0 -1  0   0 0 1 1       1 1 1 1
    //  0  0  0  2   0 0 1 1       1 1 1 0
    //  0  0  0  2   2 2 3 3       1 1 1 0
    //  2  0  0  0   2 2 3 3       1 1 1 1
    // Means: A0 1, A1 .25, A2 .5, A3 .5, B0 2, B1 5/14.
    // step 0 B0 (2). Left: A1 {-1,0,0} −1/3, A3 {0,0,0} 0, A0 1, A2 .5, B1 5/14 → step 1 A0 (1).
    // B1 now 10 px, sum 1 → .1 → step 2 A2 (.5). B1 now 6 px, sum −1 → −1/6 → step 3 A3 (0).
    // A1 and B1 both hold the same 3 px, gain −1/3 → step 4.
    const attr = [4, 0, -1, 0, 0, 0, 0, 2, 0, 0, 0, 2, 2, 0, 0, 0];
    const A = Int32Array.from([0, 0, 1, 1, 0, 0, 1, 1, 2, 2, 3, 3, 2, 2, 3, 3]);
    const B = Int32Array.from([1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 0, 1, 1, 1, 1]);
    const { map, order } = xraiRegions(attr, 4, 4, [A, B]);
    expect(Array.from(order)).toEqual([1, 1, 4, 4, 1, 1, 4, 0, 2, 2, 3, 0, 2, 2, 3, 3]);
    const t = -1 / 3;
    const want = [1, 1, t, t, 1, 1, t, 2, 0.5, 0.5, 0, 2, 0.5, 0.5, 0, 0];
    want.forEach((v, p) => expect(map[p]).toBeCloseTo(v, 6));
  });

  test('pixels outside every segmentation (label −1) form one last region with their own mean', () => {
    const attr = [5, 1, 3, 2];
    const seg = Int32Array.from([0, 0, -1, -1]);
    const { map, order } = xraiRegions(attr, 2, 2, [seg]);
    expect(Array.from(order)).toEqual([0, 0, 1, 1]);
    expect(Array.from(map)).toEqual([3, 3, 2.5, 2.5]);
  });

  test('random attributions with SLIC at 3 scales: each pixel covered once, steps contiguous, map constant per step', () => {
    const W = 40, H = 32, n = W * H;
    const rgb = noisyGradient(W, H, 5);
    const segs = [6, 20, 60].map((k) => slic(rgb, W, H, { segments: k }).labels);
    const r = rng(99);
    const attr = Float64Array.from({ length: n }, () => r() * 2 - 1);
    const { map, order } = xraiRegions(attr, W, H, segs);
    const steps = Math.max(...order) + 1;
    const valueOf = new Map<number, number>();
    for (let p = 0; p < n; p++) {
      expect(order[p]).toBeGreaterThanOrEqual(0);
      if (!valueOf.has(order[p]!)) valueOf.set(order[p]!, map[p]!);
      expect(map[p]).toBe(valueOf.get(order[p]!));
    }
    expect(valueOf.size).toBe(steps); // every step 0..steps-1 covered something
    // The first region is the candidate with the highest mean attribution overall.
    let bestMean = -Infinity;
    for (const seg of segs) {
      const sum = new Map<number, [number, number]>();
      seg.forEach((l, p) => {
        const [s, c] = sum.get(l) ?? [0, 0];
        sum.set(l, [s + attr[p]!, c + 1]);
      });
      for (const [s, c] of sum.values()) bestMean = Math.max(bestMean, s / c);
    }
    const first = [...order.keys()].filter((p) => order[p] === 0);
    expect(map[first[0]!]).toBeCloseTo(bestMean, 5);
    expect(first.reduce((s, p) => s + attr[p]!, 0) / first.length).toBeCloseTo(bestMean, 10);
    // And the whole greedy result matches the naive from-scratch loop.
    const ref = naiveXrai(attr, n, segs);
    expect(Array.from(order)).toEqual(Array.from(ref.order));
    for (let p = 0; p < n; p++) expect(map[p]).toBeCloseTo(ref.map[p]!, 5);
  });

  test('224×224 with 4 SLIC segmentations of up to ~300 segments is fast', () => {
    const rgb = photo('eagle.jpg', 224);
    const segs = [40, 100, 180, 300].map((k) => slic(rgb, 224, 224, { segments: k }).labels);
    const r = rng(1);
    const attr = Float32Array.from({ length: 224 * 224 }, () => r());
    xraiRegions(attr, 224, 224, segs);
    const t0 = performance.now();
    const { order } = xraiRegions(attr, 224, 224, segs);
    const ms = performance.now() - t0;
    console.log(`xraiRegions 224×224, 4 segmentations: ${Math.max(...order) + 1} steps in ${ms.toFixed(1)} ms`);
    expect(order.every((o) => o >= 0)).toBe(true);
    expect(ms).toBeLessThan(200);
  });

  test('bad input gets a clear message', () => {
    expect(() => xraiRegions([1, 2, 3], 2, 2, [])).toThrow(/expected 2×2 = 4/);
    expect(() => xraiRegions([1, 2, 3, 4], 2, 2, [Int32Array.from([0, 1])])).toThrow(/segmentation 0 has 2 labels/);
    expect(() => xraiRegions([1, NaN, 3, 4], 2, 2, [])).toThrow(/not finite/);
  });
});
