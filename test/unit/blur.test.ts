// The Gaussian blur (src/features/explain/blur.ts): its band-matrix form, which wasm uses, equals the direct
// depthwise form; both equal a blur written out by hand; no tensor is left.
import { beforeAll, describe, expect, test } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { gaussianBlur } from '../../src/features/explain/blur';
import { initBackend } from './helpers';

beforeAll(async () => { expect(await initBackend()).toBe('wasm'); });

function maxDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/** The blur by its definition: reflected borders, normalised taps out to 3σ, rows then columns. */
function byHand(x: Float32Array, h: number, w: number, c: number, sigma: number): Float32Array {
  const r = Math.max(1, Math.ceil(3 * sigma));
  const k = Array.from({ length: 2 * r + 1 }, (_, i) => Math.exp(-((i - r) ** 2) / (2 * sigma * sigma)));
  const s = k.reduce((p, q) => p + q, 0);
  const at = (i: number, n: number) => (i < 0 ? -i : i >= n ? 2 * (n - 1) - i : i); // reflect, edge not repeated
  const rows = new Float64Array(h * w * c), out = new Float32Array(h * w * c);
  for (let y = 0; y < h; y++) for (let xx = 0; xx < w; xx++) for (let ch = 0; ch < c; ch++) {
    let v = 0;
    for (let j = -r; j <= r; j++) v += k[j + r]! / s * x[(at(y + j, h) * w + xx) * c + ch]!;
    rows[(y * w + xx) * c + ch] = v;
  }
  for (let y = 0; y < h; y++) for (let xx = 0; xx < w; xx++) for (let ch = 0; ch < c; ch++) {
    let v = 0;
    for (let j = -r; j <= r; j++) v += k[j + r]! / s * rows[(y * w + at(xx + j, w)) * c + ch]!;
    out[(y * w + xx) * c + ch] = v;
  }
  return out;
}

describe('Gaussian blur', () => {
  for (const [shape, sigma] of [[[1, 40, 30, 3], 2], [[2, 17, 23, 3], 1], [[1, 64, 64, 3], 10], [[1, 9, 7, 2], 4]] as const) {
    test(`${shape.join('×')}, σ = ${sigma}: band form = direct form = by hand${sigma * 3 >= Math.min(shape[1], shape[2]) ? ' (zero padding: too small to reflect)' : ''}`, async () => {
      const x = tf.randomUniform([...shape], -1, 1, 'float32', 3) as tf.Tensor4D;
      const before = tf.memory().numTensors;
      const band = gaussianBlur(x, sigma, 'band'), direct = gaussianBlur(x, sigma, 'direct');
      expect(band.shape).toEqual(x.shape);
      const [bv, dv] = [await band.data(), await direct.data()] as Float32Array[];
      band.dispose(); direct.dispose();
      expect(tf.memory().numTensors).toBe(before);
      expect(maxDiff(bv!, dv!)).toBeLessThan(1e-5);
      if (3 * sigma < Math.min(shape[1], shape[2])) {
        const xs = await x.data() as Float32Array;
        const [b, h, w, c] = shape;
        const per = h * w * c;
        for (let i = 0; i < b; i++) expect(maxDiff(bv!.subarray(i * per, (i + 1) * per), byHand(xs.subarray(i * per, (i + 1) * per), h, w, c, sigma))).toBeLessThan(1e-5);
        // positive control: a blur with another σ is not within the tolerance
        expect(maxDiff(bv!.subarray(0, per), byHand(xs.subarray(0, per), h, w, c, sigma * 1.1))).toBeGreaterThan(1e-3);
      }
      x.dispose();
    });
  }
});
