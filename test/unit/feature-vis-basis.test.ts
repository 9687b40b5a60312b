// The feature visualiser's image model: a real Fourier series, resampled for jitter and zoom, with a written-out
// gradient. Checked against TF.js's own gradient of the same products, and against a plain roll of the image.
import { beforeAll, describe, expect, test } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { realBasis, synthesise } from '../../src/features/layers/feature-vis';
import { initBackend } from './helpers';

beforeAll(async () => { await initBackend(); });

const maxAbs = async (f: () => tf.Tensor) => { const m = tf.tidy(() => f().abs().max()); const v = (await m.data())[0]!; m.dispose(); return v; };

describe('feature visualisation: the image series', () => {
  test('the written-out gradient equals autodiff of Bh · C · Bwᵀ (and a wrong one is caught)', async () => {
    const [h, w, k] = [12, 10, 8];
    const bh = realBasis(h, k, 1.5, 1.05), bw = realBasis(w, k, -2, 0.97);
    const coef = tf.randomNormal([3, k, k], 0, 1, 'float32', 3) as tf.Tensor3D;
    const probe = tf.randomNormal([h, w, 3], 0, 1, 'float32', 4);
    const before = tf.memory().numTensors;
    const ours = tf.grad((c: tf.Tensor) => tf.sum(tf.mul(synthesise(c as tf.Tensor3D, bh, bw), probe)))(coef);
    // independent: per colour, Bh · C_c · Bwᵀ with TF.js's own matMul gradient
    const auto = tf.grad((c: tf.Tensor) => tf.sum(tf.mul(tf.stack([0, 1, 2].map((i) => tf.matMul(tf.matMul(bh.b, c.slice([i, 0, 0], [1, k, k]).as2D(k, k)), bw.b, false, true)), 2), probe)))(coef);
    const wrong = tf.grad((c: tf.Tensor) => tf.sum(tf.mul(tf.stack([0, 1, 2].map((i) => tf.matMul(tf.matMul(bh.b, c.slice([i, 0, 0], [1, k, k]).as2D(k, k)), bw.b, false, true)), 2), probe.reverse(0))))(coef);
    const err = await maxAbs(() => tf.sub(ours, auto)), scale = await maxAbs(() => auto), control = await maxAbs(() => tf.sub(ours, wrong));
    expect(err).toBeLessThan(1e-4 * scale);
    expect(control).toBeGreaterThan(0.1 * scale);
    [ours, auto, wrong].forEach((t) => t.dispose());
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([coef, probe, bh.b, bh.t, bw.b, bw.t]);
  });

  test('an integer shift of the sampling is the image rolled by that many pixels; a zoom of 1 changes nothing', async () => {
    const [n, k] = [16, 8];
    const coef = tf.randomNormal([3, k, k], 0, 1, 'float32', 5) as tf.Tensor3D;
    const plain = realBasis(n, k), shifted = realBasis(n, k, 3), unzoomed = realBasis(n, k, 0, 1);
    const img = synthesise(coef, plain, plain), moved = synthesise(coef, shifted, plain), same = synthesise(coef, unzoomed, plain);
    const rolled = tf.concat([img.slice([3, 0, 0], [n - 3, n, 3]), img.slice([0, 0, 0], [3, n, 3])], 0);
    expect(await maxAbs(() => tf.sub(moved, rolled))).toBeLessThan(1e-4);
    expect(await maxAbs(() => tf.sub(moved, img))).toBeGreaterThan(0.1); // the shift did move it
    expect(await maxAbs(() => tf.sub(same, img))).toBeLessThan(1e-6);
    tf.dispose([coef, img, moved, same, rolled, plain.b, plain.t, shifted.b, shifted.t, unzoomed.b, unzoomed.t]);
  });
});
