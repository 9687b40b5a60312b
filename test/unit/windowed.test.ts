// The windowed forward pass (kernels/windowed.ts) against the plain one, on the real models and a real photo:
// logits of images with a painted rectangle, computed only where the rectangle reaches, must be the plain
// forward pass's logits of the same painted images.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { LayersAdapter, type ExplainModel } from '../../src/engine/adapter';
import { occlusion } from '../../src/features/explain/methods/occlusion';
import { axis, reach, windowedPays } from '../../src/engine/kernels/windowed';
import { toModelInput } from '../../src/engine/preprocess';
import type { NetLensModel } from '../../src/engine/model';
import { PHOTOS_DIR, decodeJpeg, initBackend, loadModel } from './helpers';

/** The input with an h×w rectangle at each origin set to `fill`: the plain way, one image per origin. */
function painted(x: tf.Tensor4D, origins: [number, number][], [h, w]: [number, number], fill: number): tf.Tensor4D {
  return tf.tidy(() => {
    const [, H, W] = x.shape;
    const masks = tf.stack(origins.map(([y, x0]) => tf.pad(tf.ones([h, w, 1]), [[y, H - y - h], [x0, W - x0 - w], [0, 0]]))) as tf.Tensor4D;
    return tf.add(tf.mul(x, tf.sub(1, masks)), tf.mul(masks, fill)) as tf.Tensor4D;
  });
}

describe('windowed forward pass', () => {
  beforeAll(async () => { await initBackend(); });

  test('axis and reach: the padding TF.js uses, and which outputs of a conv see an input interval, by hand', () => {
    // 'same', stride 1 on 10: padded 1 each side; inputs [4, 6) reach outputs 3..6
    expect(axis(10, 3, 1, 'same')).toEqual({ size: 10, out: 10, k: 3, s: 1, pb: 1, padded: 12 });
    expect(reach(axis(10, 3, 1, 'same'), 4, 6)).toEqual([3, 7]);
    // 'same', stride 2 on 224 → 112: padded 0 before and 1 after; inputs [0, 32) reach outputs 0..15 (16 reads 32..34)
    const s2 = axis(224, 3, 2, 'same');
    expect(s2).toEqual({ size: 224, out: 112, k: 3, s: 2, pb: 0, padded: 225 });
    expect(reach(s2, 0, 32)).toEqual([0, 16]);
    expect(reach(s2, 32, 64)).toEqual([15, 32]);
    expect(reach(s2, 192, 224)).toEqual([95, 112]); // clipped at the map's end
    // 1×1: the same interval; 'valid' 3×3 on 64 → 62, no padding
    expect(reach(axis(14, 1, 1, 'same'), 3, 9)).toEqual([3, 9]);
    expect(axis(64, 3, 1, 'valid')).toEqual({ size: 64, out: 62, k: 3, s: 1, pb: 0, padded: 64 });
    expect(reach(axis(64, 3, 1, 'valid'), 0, 8)).toEqual([0, 8]);
  });

  test('these tests run on wasm, so the logits below check the windows read straight from its heap', () => {
    expect(tf.getBackend()).toBe('wasm');
  });

  test('only CPU-side backends take the windowed pass (it reads each window back; a GPU would stall)', () => {
    expect(['wasm', 'cpu', 'webgl', 'webgpu'].map(windowedPays)).toEqual([true, true, false, false]);
  });

  const cases: [string, [number, number], [number, number][]][] = [
    // corners, edges and the middle; two sizes of rectangle; a batch mixing them
    ['mobilenet-v1-0.75-224', [32, 32], [[0, 0], [0, 192], [192, 0], [192, 192], [96, 112], [16, 48], [208 - 16, 100]]],
    ['mobilenet-v1-0.75-224', [50, 20], [[3, 7], [174, 204], [100, 101]]],
    ['darknet-tiny-imagenet', [32, 32], [[0, 0], [96, 80], [192, 192]]],
    ['cnn-explainer-tiny-vgg', [8, 8], [[0, 0], [28, 12], [56, 56]]],
  ];
  const models = new Map<string, NetLensModel>();
  afterAll(() => models.forEach((m) => m.dispose?.()));

  test.each(cases)('%s, %j rectangles: the same logits as the plain pass on the painted images', async (id, size, origins) => {
    const m = models.get(id) ?? (await loadModel(id));
    models.set(id, m);
    const a = new LayersAdapter(m.model, m.entry, m.blocks ?? undefined);
    const x = toModelInput(decodeJpeg(path.join(PHOTOS_DIR, 'dog.jpg')), m.entry);
    const fill = 127.5 * a.preprocess.scale + a.preprocess.offset;
    const before = tf.memory().numTensors;
    const p = a.patched(x)!;
    expect(p).not.toBeNull(); // wasm: the windowed pass is on
    const fast = p.logits(origins, size, fill);
    p.dispose();
    expect(tf.memory().numTensors).toBe(before + 1);
    const plain = tf.tidy(() => a.logits(painted(x, origins, size, fill)));
    const [f, q] = [await fast.data(), await plain.data()];
    const scale = Math.max(...Array.from(q, Math.abs));
    let worst = 0;
    for (let i = 0; i < q.length; i++) worst = Math.max(worst, Math.abs(f[i]! - q[i]!));
    expect(fast.shape).toEqual(plain.shape);
    expect(worst / scale).toBeLessThan(1e-4);
    // and the painting matters: the logits differ from the unpainted image's
    const clean = tf.tidy(() => a.logits(x));
    const c = await clean.data();
    let moved = 0;
    for (let i = 0; i < c.length; i++) moved = Math.max(moved, Math.abs(f[i]! - c[i]!));
    expect(moved / scale).toBeGreaterThan(1e-3);
    tf.dispose([fast, plain, clean, x]);
    a.dispose();
  });

  test('occlusion: the same map through the windowed pass as through whole images, and no tensor left', async () => {
    const m = models.get('mobilenet-v1-0.75-224') ?? (await loadModel('mobilenet-v1-0.75-224'));
    models.set(m.entry.id, m);
    const a = new LayersAdapter(m.model, m.entry, m.blocks ?? undefined);
    const plain = Object.create(a, { patched: { value: undefined } }) as ExplainModel;
    const x = toModelInput(decodeJpeg(path.join(PHOTOS_DIR, 'dog.jpg')), m.entry);
    const target = { kind: 'class' as const, index: 249 };
    const before = tf.memory().numTensors;
    let windowed = 0;
    const spy = Object.create(a, { patched: { value: (i: tf.Tensor4D) => { windowed++; return a.patched(i); } } }) as ExplainModel;
    const fast = await occlusion.explain(spy, x, target, { patch: 48, stride: 40 });
    expect(tf.memory().numTensors).toBe(before);
    const slow = await occlusion.explain(plain, x, target, { patch: 48, stride: 40 });
    expect(windowed).toBe(1);
    let worst = 0;
    for (let i = 0; i < fast.values.length; i++) worst = Math.max(worst, Math.abs(fast.values[i]! - slow.values[i]!));
    expect(worst).toBeLessThan(1e-4);
    expect(Math.max(...Array.from(fast.values))).toBeGreaterThan(0.01); // the patch over the dog does matter
    x.dispose();
    a.dispose();
  });
});
