// Explanations of the user's own classes: gradients flow through the trained head into the frozen backbone.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { LayersAdapter } from '../../src/engine/adapter';
import { getMethod } from '../../src/features/explain/registry';
import { registerWasmGradientKernels } from '../../src/engine/kernels/wasm-grads';
import { toModelInput } from '../../src/engine/preprocess';
import type { NetLensModel } from '../../src/engine/model';
import { trainHead, type Sample } from '../../src/features/teach/head';
import { CustomHeadAdapter } from '../../src/features/teach/custom-adapter';
import { PHOTOS_DIR, decodeJpeg, initBackend, loadModel } from './helpers';

let model: NetLensModel;
let backbone: LayersAdapter;
let head: tf.LayersModel;
const inputs: tf.Tensor4D[] = [];
const embed = (x: tf.Tensor4D) => tf.tidy(() => backbone.runBetween(x, null, 'conv_pw_13_relu').mean([1, 2]) as tf.Tensor2D);

beforeAll(async () => {
  await initBackend();
  registerWasmGradientKernels();
  model = await loadModel('mobilenet-v1-0.25-224');
  backbone = new LayersAdapter(model.model, model.entry);
  // Two classes from real photos (dog-like vs beach-like scenes), with flipped copies as extra examples.
  const photos = { 0: ['dog.jpg', 'person.jpg', 'horses.jpg'], 1: ['kite.jpg', 'eagle.jpg', 'scream.jpg'] } as const;
  const samples: Sample[] = [];
  let group = 0;
  for (const [label, files] of Object.entries(photos)) {
    for (const f of files) {
      const x = toModelInput(decodeJpeg(path.join(PHOTOS_DIR, f)), model.entry);
      inputs.push(x);
      for (const flip of [false, true]) {
        const e = tf.tidy(() => embed(flip ? (tf.reverse(x, 2) as tf.Tensor4D) : x));
        samples.push({ group: group++, label: Number(label), x: Float32Array.from(await e.data()), original: true });
        e.dispose();
      }
    }
  }
  head = (await trainHead(samples, 2, { maxEpochs: 30 })).head;
});
afterAll(() => { inputs.forEach((t) => t.dispose()); head?.dispose(); model?.dispose(); });

describe('custom head adapter', () => {
  test('its scores, through a softmax, are the head\'s probabilities', async () => {
    const a = new CustomHeadAdapter(backbone, head, 'conv_pw_13_relu');
    expect(a.numClasses).toBe(2);
    const [p, q] = tf.tidy(() => [tf.softmax(a.logits(inputs[0]!)), head.predict(embed(inputs[0]!)) as tf.Tensor]);
    const d = tf.tidy(() => tf.max(tf.abs(tf.sub(p!, q!))));
    expect((await d.data())[0]).toBeLessThan(1e-5);
    [p, q, d].forEach((t) => t!.dispose());
  });

  test('its painted-copies scores (occlusion\'s windowed pass) are its scores of the painted images', async () => {
    const a = new CustomHeadAdapter(backbone, head, 'conv_pw_13_relu');
    const origins: [number, number][] = [[0, 0], [96, 160], [192, 192]];
    const before = tf.memory().numTensors;
    const p = a.patched(inputs[0]!)!;
    expect(p).not.toBeNull();
    const fast = p.logits(origins, [32, 32], 0);
    p.dispose();
    expect(tf.memory().numTensors).toBe(before + 1);
    const plain = tf.tidy(() => a.logits(tf.concat(origins.map(([y, x]) => {
      const mask = tf.pad(tf.ones([32, 32, 1]), [[y, 192 - y], [x, 192 - x], [0, 0]]).expandDims(0);
      return tf.mul(inputs[0]!, tf.sub(1, mask));
    })) as tf.Tensor4D));
    const d = tf.tidy(() => tf.max(tf.abs(tf.sub(fast, plain))));
    expect(fast.shape).toEqual([3, 2]);
    expect((await d.data())[0]).toBeLessThan(1e-4);
    tf.dispose([fast, plain, d]);
  });

  for (const id of ['grad-cam', 'gradient', 'integrated-gradients']) {
    test(`${id} explains a custom class (finite, non-trivial map, no leaks)`, async () => {
      const a = new CustomHeadAdapter(backbone, head, 'conv_pw_13_relu');
      const m = getMethod(id);
      const before = tf.memory().numTensors;
      const map = await m.explain(a, inputs[0]!, { kind: 'class', index: 0 }, { ...m.defaults, ...(id === 'integrated-gradients' ? { steps: 128 } : {}) });
      expect(tf.memory().numTensors).toBe(before);
      expect(map.width).toBe(224);
      expect(map.values.every(Number.isFinite)).toBe(true);
      expect(map.max).toBeGreaterThan(map.min);
      if (id === 'integrated-gradients') expect(map.notes!.completenessError).toBeLessThan(0.05); // completeness holds through the head too
    }, 120_000);
  }

  test('the CAM maps of the two custom classes differ (class-specific)', async () => {
    const a = new CustomHeadAdapter(backbone, head, 'conv_pw_13_relu');
    const m = getMethod('gradient');
    const [m0, m1] = [await m.explain(a, inputs[3]!, { kind: 'class', index: 0 }, {}), await m.explain(a, inputs[3]!, { kind: 'class', index: 1 }, {})];
    let diff = 0;
    for (let i = 0; i < m0.values.length; i++) diff = Math.max(diff, Math.abs(m0.values[i]! - m1.values[i]!));
    expect(diff).toBeGreaterThan(0);
  });
});
