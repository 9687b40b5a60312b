// The pixels-only linear model on two synthetic classes that differ in one region only (the top-left 8×8 of a
// 32×32 image is bright for one, dark for the other; the rest is the same noise for both): it converges, and
// its weight picture puts at least twice the weight per pixel in that region as elsewhere; applied to an image, weight × pixel sums to the score.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { base64ToFloats, seededRandom } from '../../src/shared/codecs';
import { trainHead, type Sample } from '../../src/features/teach/head';
import { applyPixelLinear, PIXEL_SIZE } from '../../src/features/teach/pixel-linear';
import { initBackend } from './helpers';

const N = PIXEL_SIZE, inRegion = (i: number) => Math.floor(i / 3 / N) < 8 && (Math.floor(i / 3) % N) < 8;

function images(n: number): Sample[] {
  const rand = seededRandom(9);
  return Array.from({ length: 2 * n }, (_, g) => {
    const label = g % 2;
    const x = Float32Array.from({ length: N * N * 3 }, (_, i) => (inRegion(i) ? (label ? 0.8 : 0.2) + 0.1 * (rand() - 0.5) : rand()));
    return { group: g, label, x, original: true };
  });
}

beforeAll(async () => { await initBackend(); });

describe('pixels-only linear model', () => {
  test('converges on the region, and its weights show it', async () => {
    const before = tf.memory().numTensors;
    const r = await trainHead(images(30), 2, { standardise: false, zeroInit: true, learningRate: 0.003, maxEpochs: 120, patience: 12 });
    expect(r.valAccuracy).toBe(1);
    expect(r.history.at(-1)!.loss).toBeLessThan(r.history[0]!.loss / 2);
    const [kernel] = r.head.getLayer('classes').getWeights();
    const w = kernel!.dataSync(); // [3072, 2]
    // class 1 minus class 0, per input: large in the region, small elsewhere
    let inside = 0, outside = 0, nIn = 0, nOut = 0;
    for (let i = 0; i < N * N * 3; i++) {
      const d = Math.abs(w[i * 2 + 1]! - w[i * 2]!);
      if (inRegion(i)) { inside += d; nIn++; } else { outside += d; nOut++; }
    }
    console.log(`pixel-linear: mean |w1 − w0| inside the region ${(inside / nIn).toFixed(4)}, outside ${(outside / nOut).toFixed(4)}; val acc ${r.valAccuracy}; ${r.epochs} epochs`);
    expect(inside / nIn).toBeGreaterThan(2 * (outside / nOut));

    const model = { head: r.head, classNames: ['dark', 'bright'], result: {} as never };
    const x = tf.tensor1d(images(1)[1]!.x); // a "bright" image
    const a = await applyPixelLinear(model, x);
    x.dispose();
    expect(a.top).toBe(1);
    const bias = r.head.getLayer('classes').getWeights()[1]!.dataSync()[1]!;
    const contributions = base64ToFloats(a.contributions);
    expect(contributions.length).toBe(N * N);
    expect(Math.abs(contributions.reduce((s, v) => s + v, 0) - a.sum)).toBeLessThan(1e-3);
    expect(Math.abs(a.sum + bias - a.scores[1]!)).toBeLessThan(1e-4);
    r.head.dispose();
    expect(tf.memory().numTensors).toBe(before);
  }, 60_000);
});
