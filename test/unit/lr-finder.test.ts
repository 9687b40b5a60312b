// The learning-rate range test on a synthetic problem whose good rates are known: two well-separated Gaussian
// clusters, where the rates that train the head well are measured below by training at each of them,
// and the suggestion rule by hand.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { seededRandom } from '../../src/shared/codecs';
import { trainHead, type Sample } from '../../src/features/teach/head';
import { lrRangeTest, suggestRate } from '../../src/features/teach/lr-finder';
import { initBackend } from './helpers';

function blobs(n: number, dims: number): Sample[] {
  const rand = seededRandom(3);
  const gauss = () => Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
  const out: Sample[] = [];
  for (let g = 0; g < 2 * n; g++) {
    const label = g % 2;
    out.push({ group: g, label, original: true, x: Float32Array.from({ length: dims }, (_, d) => (d < 4 ? (label ? 1.5 : -1.5) : 0) + gauss()) });
  }
  return out;
}

beforeAll(async () => { await initBackend(); });

describe('LR finder', () => {
  test('suggestRate: a tenth of the rate at the lowest smoothed loss, never below the first rate', () => {
    const rates = [1e-4, 1e-3, 1e-2, 1e-1, 1];
    expect(suggestRate(rates, [1.0, 0.95, 0.5, 0.3, 2.0])).toBeCloseTo(1e-2, 12);
    expect(suggestRate(rates, [0.2, 0.4, 0.35, 0.3, 0.9])).toBe(1e-4);
  });

  test('on two clusters it suggests a rate inside the range that trains well, and leaks nothing', async () => {
    const samples = blobs(20, 16);
    const before = tf.memory().numTensors;
    const r = await lrRangeTest(samples, 2, { hidden: 0, steps: 50 });
    expect(tf.memory().numTensors).toBe(before);
    console.log(`lr finder: suggested ${r.suggested.toExponential(2)} over ${r.rates.length} steps (${r.rates[0]!.toExponential(0)} → ${r.rates.at(-1)!.toExponential(0)})`);
    // The known-good range, measured here: the rates at which 30 epochs separate the clusters (≥ 90 % validation
    // accuracy) and at least halve the loss. The suggestion must fall inside it.
    const good: number[] = [];
    for (const lr of [1e-4, 1e-3, 1e-2, 3e-2, 1e-1, 3e-1]) {
      const t = await trainHead(samples, 2, { learningRate: lr, maxEpochs: 30, patience: 30 });
      t.head.dispose();
      if (t.valAccuracy >= 0.9 && t.history.at(-1)!.loss < t.history[0]!.loss / 2) good.push(lr);
    }
    console.log(`lr finder: rates that train well: ${good.join(', ')}`);
    expect(good.length).toBeGreaterThanOrEqual(2);
    expect(good).not.toContain(1e-4); // too small to learn in 30 epochs: the range has a lower end
    expect(r.suggested).toBeGreaterThanOrEqual(Math.min(...good));
    expect(r.suggested).toBeLessThanOrEqual(Math.max(...good));
  }, 120_000);
});
