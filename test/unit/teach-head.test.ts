// Head training on synthetic embeddings: it converges, splits by example, stops early, and leaves no tensors.
import { beforeAll, describe, expect, test } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { splitByExample, trainHead, TooLittleData, type Sample } from '../../src/features/teach/head';
import { initBackend } from './helpers';

/** k classes of d-dim Gaussian blobs, n examples each, with `aug` noisy copies per example. */
function blobs(k: number, n: number, d: number, aug: number, spread: number, seed = 3): Sample[] {
  let s = seed;
  const r = () => { s = (s * 1103515245 + 12345) % 2147483648; return s / 2147483648; };
  const g = () => Math.sqrt(-2 * Math.log(r() + 1e-12)) * Math.cos(2 * Math.PI * r());
  const centres = Array.from({ length: k }, () => Float32Array.from({ length: d }, () => g() * 2));
  const out: Sample[] = [];
  let group = 0;
  for (let c = 0; c < k; c++) for (let i = 0; i < n; i++, group++) {
    const x = Float32Array.from(centres[c]!, (v) => v + g() * spread);
    out.push({ group, label: c, x, original: true });
    for (let a = 0; a < aug; a++) out.push({ group, label: c, x: Float32Array.from(x, (v) => v + g() * 0.1), original: false });
  }
  return out;
}

beforeAll(async () => { await initBackend(); });

describe('head training', () => {
  test('separable classes: validation accuracy 100 %, a diagonal confusion matrix, no tensors left but the head', async () => {
    const before = tf.memory().numTensors;
    const epochs: number[] = [];
    const r = await trainHead(blobs(3, 10, 32, 2, 0.5), 3, { onEpoch: (e) => epochs.push(e.valAccuracy) });
    expect(r.valAccuracy).toBe(1);
    expect(r.confusion.every((row, i) => row.every((v, j) => (i === j ? v > 0 : v === 0)))).toBe(true);
    expect(epochs.length).toBe(r.epochs);
    const headTensors = r.head.getWeights().length;
    expect(tf.memory().numTensors - before).toBe(headTensors);
    r.head.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  test('with a hidden layer it converges too, and stops early once validation loss stalls', async () => {
    const r = await trainHead(blobs(2, 8, 16, 1, 0.3), 2, { hidden: 16, maxEpochs: 300, patience: 5 });
    expect(r.valAccuracy).toBe(1);
    expect(r.epochs).toBeLessThan(300);
    r.head.dispose();
  });

  test('the loss goes down', async () => {
    const losses: number[] = [];
    const r = await trainHead(blobs(4, 12, 24, 0, 1.0), 4, { maxEpochs: 30, patience: 100, onEpoch: (e) => losses.push(e.loss) });
    expect(losses[losses.length - 1]!).toBeLessThan(losses[0]! * 0.5);
    r.head.dispose();
  });

  test('the split keeps augmented copies with their example and every class in both sets', () => {
    const groups = Array.from({ length: 20 }, (_, g) => ({ group: g, label: g % 2 }));
    const { train, val } = splitByExample(groups, 0.25, 1);
    expect([...train].filter((g) => val.has(g))).toEqual([]);
    expect(train.size + val.size).toBe(20);
    for (const label of [0, 1]) {
      expect([...val].some((g) => g % 2 === label)).toBe(true);
      expect([...train].filter((g) => g % 2 === label).length).toBeGreaterThanOrEqual(2);
    }
  });

  test('too little data gets a clear message', async () => {
    await expect(trainHead(blobs(1, 10, 4, 0, 1), 1)).rejects.toThrow(/at least 2 classes/);
    const few = blobs(2, 5, 4, 0, 1).filter((s) => !(s.label === 1 && s.group > 6));
    await expect(trainHead(few, 2)).rejects.toBeInstanceOf(TooLittleData);
    await expect(trainHead(few, 2)).rejects.toThrow(/at least 3 examples/);
  });
});

describe('reproducible training', () => {
  test('the same data and seed train the same head', async () => {
    await initBackend();
    const data = blobs(2, 8, 12, 1, 0.8);
    const [a, b] = [await trainHead(data, 2, { maxEpochs: 5, patience: 100 }), await trainHead(data, 2, { maxEpochs: 5, patience: 100 })];
    const wa = await Promise.all(a.head.getWeights().map((w) => w.data()));
    const wb = await Promise.all(b.head.getWeights().map((w) => w.data()));
    expect(wa.map((w) => Array.from(w))).toEqual(wb.map((w) => Array.from(w)));
    a.head.dispose(); b.head.dispose();
  });
});
