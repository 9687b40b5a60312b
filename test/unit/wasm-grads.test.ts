// Gradients on wasm (through the kernels NetLens registers for it) must equal the cpu backend's to 1e-4.
// (Dilated depthwise convs are not covered: TF.js has no gradient for dilation > 1 on any backend.)
import { beforeAll, describe, expect, test } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { registerWasmGradientKernels } from '../../src/engine/kernels/wasm-grads';
import { LayersAdapter } from '../../src/engine/adapter';
import { inputGradients } from '../../src/features/explain/util';
import type { ModelEntry } from '../../src/shared/catalog';
import { initBackend, loadModel } from './helpers';

/** Runs fn on a backend and returns its outputs as plain arrays. */
async function on(backend: 'wasm' | 'cpu', fn: () => tf.Tensor | tf.Tensor[]): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const out = tf.tidy(fn);
  const list = Array.isArray(out) ? out : [out];
  const data = await Promise.all(list.map(async (t) => Float32Array.from(await t.data())));
  list.forEach((t) => t.dispose());
  return data;
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

const maxAbs = (a: Float32Array) => a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);

const rnd = (shape: number[], seed: number) => tf.randomUniform(shape, -1, 1, 'float32', seed);

beforeAll(async () => {
  expect(await initBackend()).toBe('wasm');
  registerWasmGradientKernels();
});

describe('registered wasm kernels equal cpu', () => {
  test('without them, wasm really lacks the kernels (so this file tests something)', () => {
    for (const k of ['Conv2DBackpropFilter', 'DepthwiseConv2dNativeBackpropInput', 'DepthwiseConv2dNativeBackpropFilter']) {
      expect(tf.getKernel(k, 'wasm')?.kernelFunc.toString()).toMatch(/output\(backend/);
    }
  });

  // strided input gradients go sub-pixel: odd and even sizes, kernels smaller than, equal to and not a multiple of the stride
  for (const [stride, pad, k, size] of [[1, 'same', 3, [11, 9]], [2, 'same', 3, [11, 9]], [1, 'valid', 3, [11, 9]], [2, 'valid', 3, [11, 9]], [1, 'same', 1, [11, 9]], [2, 'same', 5, [11, 9]],
    [2, 'same', 3, [12, 10]], [2, 'valid', 4, [12, 9]], [3, 'valid', 3, [11, 13]], [3, 'same', 5, [10, 12]], [2, 'same', 1, [12, 11]], [2, 'same', 2, [8, 8]]] as const) {
    test(`conv2d filter and input gradients, ${k}×${k}, stride ${stride}, ${pad}, ${size.join('×')}`, async () => {
      const f = () => {
        const x = rnd([2, size[0], size[1], 3], 1) as tf.Tensor4D;
        const w = rnd([k, k, 3, 4], 2) as tf.Tensor4D;
        const y = tf.conv2d(x, w, stride, pad);
        return tf.grads((xx: tf.Tensor, ww: tf.Tensor) => tf.conv2d(xx as tf.Tensor4D, ww as tf.Tensor4D, stride, pad).mul(rnd(y.shape, 3)).sum())([x, w]);
      };
      const [wx, ww] = await on('wasm', f);
      const [cx, cw] = await on('cpu', f);
      expect(maxAbsDiff(ww!, cw!)).toBeLessThan(1e-4);
      expect(maxAbsDiff(wx!, cx!)).toBeLessThan(1e-4);
      expect(maxAbs(cw!)).toBeGreaterThan(0.1);
    });
  }

  for (const [stride, pad, mult, dil] of [[1, 'same', 1, 1], [2, 'same', 1, 1], [1, 'valid', 2, 1], [2, 'valid', 2, 1]] as const) {
    test(`depthwise conv input+filter gradients, stride ${stride}, ${pad}, multiplier ${mult}, dilation ${dil}`, async () => {
      const f = () => {
        const x = rnd([2, 10, 13, 3], 4) as tf.Tensor4D;
        const w = rnd([3, 3, 3, mult], 5) as tf.Tensor4D;
        const y = tf.depthwiseConv2d(x, w, stride, pad, 'NHWC', dil);
        const r = rnd(y.shape, 6);
        return tf.grads((xx: tf.Tensor, ww: tf.Tensor) => tf.depthwiseConv2d(xx as tf.Tensor4D, ww as tf.Tensor4D, stride, pad, 'NHWC', dil).mul(r).sum())([x, w]);
      };
      const [wx, ww] = await on('wasm', f);
      const [cx, cw] = await on('cpu', f);
      expect(maxAbsDiff(wx!, cx!)).toBeLessThan(1e-4);
      expect(maxAbsDiff(ww!, cw!)).toBeLessThan(1e-4);
      expect(maxAbs(cx!)).toBeGreaterThan(0.1);
    });
  }
});

describe('max-pool gradient (wasm\'s own kernel is replaced)', () => {
  for (const [size, stride, pad] of [[2, 2, 'same'], [2, 2, 'valid'], [3, 2, 'same'], [3, 1, 'same'], [2, 1, 'valid']] as const) {
    test(`pool ${size}, stride ${stride}, ${pad}`, async () => {
      const f = () => {
        const x = rnd([2, 9, 10, 3], 11) as tf.Tensor4D;
        const y = tf.maxPool(x, size, stride, pad);
        const r = rnd(y.shape, 12);
        return tf.grad((xx: tf.Tensor) => tf.maxPool(xx as tf.Tensor4D, size, stride, pad).mul(r).sum())(x);
      };
      const [w] = await on('wasm', f);
      const [c] = await on('cpu', f);
      expect(maxAbsDiff(w!, c!)).toBeLessThan(1e-5);
      expect(maxAbs(c!)).toBeGreaterThan(0.1);
    });
  }
  test('ties go to the first maximum, as on cpu', async () => {
    const f = () => tf.grad((xx: tf.Tensor) => tf.maxPool(xx as tf.Tensor4D, 2, 2, 'valid').sum())(tf.ones([1, 4, 4, 1]));
    const [w] = await on('wasm', f);
    const [c] = await on('cpu', f);
    expect(Array.from(w!)).toEqual(Array.from(c!));
    expect(w!.reduce((a, b) => a + b, 0)).toBe(4);
  });
});

/** Pre-softmax scores by plain Keras layers (apply), as the catalog defines them. */
function referenceScores(model: tf.LayersModel, entry: ModelEntry, x: tf.Tensor4D): tf.Tensor2D {
  const pre = entry.layers.preSoftmax!;
  const layer = model.getLayer(pre.layer);
  if (pre.how === 'dense-linear') {
    const below = tf.model({ inputs: model.inputs, outputs: layer.input as tf.SymbolicTensor });
    const [kernel, bias] = layer.getWeights();
    return tf.add(tf.matMul(below.apply(x, { training: false }) as tf.Tensor2D, kernel as tf.Tensor2D), bias!) as tf.Tensor2D;
  }
  const upTo = tf.model({ inputs: model.inputs, outputs: layer.output as tf.SymbolicTensor });
  return (upTo.apply(x, { training: false }) as tf.Tensor).reshape([x.shape[0], -1]) as tf.Tensor2D;
}

describe('input gradients of the real models on wasm equal cpu', () => {
  // Darknet is fully convolutional: a 96×96 input exercises the same kernels at a fifth of the pure-JS cpu cost.
  for (const [id, size] of [['mobilenet-v1-0.25-224', 224], ['darknet-tiny-imagenet', 96], ['cnn-explainer-tiny-vgg', 64]] as const) {
    test(`${id} (${size}×${size})`, async () => {
      await tf.setBackend('wasm');
      const m = await loadModel(id);
      try {
        const a = new LayersAdapter(m.model, m.entry);
        const x = () => tf.randomUniform([1, size, size, 3], -1, 1, 'float32', 9) as tf.Tensor4D;
        const before = tf.memory().numTensors;
        const [g] = await on('wasm', () => inputGradients(a, x(), { kind: 'class', index: 3 }));
        expect(tf.memory().numTensors).toBe(before);
        // The reference is TF.js's own autodiff through the Keras layers on cpu, none of NetLens's fast paths
        // (fused blocks, folded batch norm, registered kernels): an independent answer.
        const [c] = await on('cpu', () => tf.grad((xx: tf.Tensor) => referenceScores(m.model, m.entry, xx as tf.Tensor4D).slice([0, 3], [1, 1]).sum())(x()));
        const scale = maxAbs(c!);
        expect(scale).toBeGreaterThan(0);
        expect(maxAbsDiff(g!, c!)).toBeLessThan(1e-4 * Math.max(1, scale));
        a.dispose();
      } finally {
        await tf.setBackend('wasm');
        m.dispose();
      }
    });
  }
});
