// The activation's backward pass as one wasm SIMD kernel (src/engine/kernels/activation-grad.ts): every kind,
// guided or not, equals the formula evaluated value by value in JS, at the edges (exactly 0 and 6) and for sizes
// that leave 1–3 values past the last group of four; the TF.js-ops path on cpu gives the same; no tensor is left.
import { beforeAll, describe, expect, test } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { ACTIVATION_GRAD, activationGrad, activationGradModule, type ActivationGradAttrs } from '../../src/engine/kernels/activation-grad';
import { registerWasmGradientKernels } from '../../src/engine/kernels/wasm-grads';
import { initBackend } from './helpers';

/** The formula, value by value, in float32 as the kernels compute it. */
function reference(dy: Float32Array, y: Float32Array, a: ActivationGradAttrs): Float32Array {
  return dy.map((d, i) => {
    const v = y[i]!;
    const g = v > 0 && v < a.max ? d : Math.fround(Math.fround(a.alpha) * d);
    return a.guided && !(d > 0) ? 0 : g;
  });
}

/** Values with exact zeros, exact sixes, negatives and values above 6. */
function values(n: number, seed: number): Float32Array {
  let s = seed;
  const r = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  return Float32Array.from({ length: n }, (_, i) => (i % 7 === 0 ? 0 : i % 11 === 0 ? 6 : r() * 10 - 3));
}

/** −0 and +0 as one (the ops multiply by zero, and the kernel by alpha = 0: both signs occur). */
const plain = (a: Float32Array) => Array.from(a, (v) => v + 0);

const KINDS: [string, ActivationGradAttrs][] = [
  ['relu', { max: Infinity, alpha: 0, guided: false }],
  ['relu6', { max: 6, alpha: 0, guided: false }],
  ['leaky relu 0.1', { max: Infinity, alpha: 0.1, guided: false }],
  ['guided relu6', { max: 6, alpha: 0, guided: true }],
  ['guided leaky relu 0.1', { max: Infinity, alpha: 0.1, guided: true }],
];

async function run(backend: 'wasm' | 'cpu', shape: number[], a: ActivationGradAttrs, names?: string[]): Promise<Float32Array> {
  await tf.setBackend(backend);
  const n = shape.reduce((p, q) => p * q, 1);
  const dy = tf.tensor4d(values(n, 1), shape as [number, number, number, number]), y = tf.tensor4d(values(n, 2), shape as [number, number, number, number]).relu() as tf.Tensor4D;
  const before = tf.memory().numTensors;
  const profile = await tf.profile(() => activationGrad(dy, y, a));
  const out = profile.result as tf.Tensor;
  names?.push(...profile.kernels.map((k) => k.name));
  const data = Float32Array.from(await out.data());
  out.dispose();
  expect(tf.memory().numTensors).toBe(before);
  dy.dispose(); y.dispose();
  return data;
}

beforeAll(async () => {
  expect(await initBackend()).toBe('wasm');
  registerWasmGradientKernels();
});

describe('activation gradient: one wasm kernel', () => {
  test('the module is valid wasm, for a shared and a plain memory', () => {
    expect(WebAssembly.validate(activationGradModule(true))).toBe(true);
    expect(WebAssembly.validate(activationGradModule(false))).toBe(true);
  });

  for (const [name, a] of KINDS) {
    for (const shape of [[2, 7, 5, 8], [1, 3, 3, 3], [1, 1, 1, 5], [1, 2, 1, 3]]) {
      test(`${name}, ${shape.join('×')} (${shape.reduce((p, q) => p * q, 1) % 4} past the last group of four): wasm and cpu equal the formula`, async () => {
        const n = shape.reduce((p, q) => p * q, 1);
        const want = reference(values(n, 1), values(n, 2).map((v) => Math.max(0, v)), a);
        const names: string[] = [];
        expect(plain(await run('wasm', shape, a, names))).toEqual(plain(want));
        expect(names).toEqual([ACTIVATION_GRAD]); // the one kernel, not the ops
        expect(plain(await run('cpu', shape, a))).toEqual(plain(want));
      });
    }
  }

  test('the inputs reach both edges, so a wrong bound would show (positive control)', () => {
    const y = values(400, 2).map((v) => Math.max(0, v)), dy = values(400, 1);
    const relu6 = reference(dy, y, { max: 6, alpha: 0, guided: false });
    expect(relu6).not.toEqual(reference(dy, y, { max: Infinity, alpha: 0, guided: false }));
    expect(relu6).not.toEqual(reference(dy, y, { max: 6.0001, alpha: 0, guided: false })); // exactly 6 is cut
    expect(relu6).not.toEqual(reference(dy, y.map((v) => (v === 0 ? 1e-9 : v)), { max: 6, alpha: 0, guided: false })); // exactly 0 is cut
  });

  test('the shared-memory module (threaded build) computes the same on a shared memory', () => {
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 65536, shared: true });
    const grad = new WebAssembly.Instance(new WebAssembly.Module(activationGradModule(true)), { env: { memory } }).exports.grad as (...a: number[]) => void;
    const f = new Float32Array(memory.buffer);
    const dy = values(64, 3), y = values(64, 4);
    f.set(dy, 0); f.set(y, 64);
    grad(128 * 4, 0, 64 * 4, 64 * 4, 6, 0.1, 0);
    expect(plain(f.subarray(128, 192))).toEqual(plain(reference(dy, y, { max: 6, alpha: 0.1, guided: false })));
  });
});
