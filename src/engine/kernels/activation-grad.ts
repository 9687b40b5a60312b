// The backward pass of a block's activation, dL/dz = dL/dy · f′(z), as ONE kernel on wasm. Written with TF.js ops,
// ReLU6's mask took six elementwise kernels (add, neg, two steps, two multiplies), each a full pass over the
// activation on one thread: a quarter of a MobileNet gradient pass. Here it is one pass of 128-bit SIMD over
// TF.js's own wasm memory, by a 200-byte module assembled below. Every kind is one formula, from the output y
// (each keeps the input's sign): dz = 0 < y < max ? dy : alpha·dy, and with guided gradients only dy > 0 passes.
//   ReLU: max = ∞, alpha = 0 · ReLU6: max = 6, alpha = 0 · LeakyReLU: max = ∞, alpha = its slope.
// Other backends, and wasm without SIMD, compose the same formula from TF.js ops. Checked against those in
// test/unit/activation-grad.test.ts.
import * as tf from '@tensorflow/tfjs';

export interface ActivationGradAttrs { max: number; alpha: number; guided: boolean }

/** The formula with TF.js ops (any backend). */
export function activationGradOps(dy: tf.Tensor, y: tf.Tensor, a: ActivationGradAttrs): tf.Tensor {
  return tf.tidy(() => {
    // step(−(y − max)) rather than lessEqual(y, max) or sub(max, y): on wasm the broadcast-scalar comparison and
    // the scalar-first subtraction are several times slower than an add, a negation and a step.
    let g = a.alpha === 0 ? tf.mul(dy, tf.step(y)) : tf.mul(dy, tf.step(y, a.alpha));
    if (Number.isFinite(a.max)) g = tf.mul(g, tf.step(tf.neg(tf.add(y, -a.max))));
    return a.guided ? tf.mul(g, tf.step(dy)) : g;
  });
}

// --- the wasm module --------------------------------------------------------------------------------------
// grad(out, dy, y, bytes, max: f32, alpha: f32, guided: i32): for each 16-byte lane group i < bytes,
//   m = (y > 0) & (y < max); r = bitselect(dy, dy·alpha, m); if guided: r &= (dy > 0); out = r.
// The caller passes a multiple of 16 bytes and does the last 0–3 values itself.
const I32 = 0x7f, F32 = 0x7d, V128 = 0x7b;
const SIMD = (op: number) => (op < 0x80 ? [0xfd, op] : [0xfd, (op & 0x7f) | 0x80, op >> 7]);
const get = (i: number) => [0x20, i], set = (i: number) => [0x21, i];
const [OUT, DY, Y, BYTES, MAX, ALPHA, GUIDED, I, VMAX, VALPHA, ZERO, V, D, R] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13];
const load = [...SIMD(0x00), 2, 0], store = [...SIMD(0x0b), 2, 0], splat = SIMD(0x13);
const [gt, lt, and, bitselect, mul] = [SIMD(0x44), SIMD(0x43), SIMD(0x4e), SIMD(0x52), SIMD(0xe6)];
const I32_ADD = 0x6a, I32_GE_U = 0x4f, END = 0x0b;

const body = [
  2, 1, I32, 6, V128, // locals: i; then vmax, valpha, zero, v, d, r
  ...get(MAX), ...splat, ...set(VMAX),
  ...get(ALPHA), ...splat, ...set(VALPHA),
  0x02, 0x40, 0x03, 0x40, // block, loop
  ...get(I), ...get(BYTES), I32_GE_U, 0x0d, 1, // i ≥ bytes → out of the block
  ...get(Y), ...get(I), I32_ADD, ...load, ...set(V),
  ...get(DY), ...get(I), I32_ADD, ...load, ...set(D),
  ...get(D), ...get(D), ...get(VALPHA), ...mul,
  ...get(V), ...get(ZERO), ...gt, ...get(V), ...get(VMAX), ...lt, ...and,
  ...bitselect, ...set(R),
  ...get(GUIDED), 0x04, 0x40, ...get(R), ...get(D), ...get(ZERO), ...gt, ...and, ...set(R), END,
  ...get(OUT), ...get(I), I32_ADD, ...get(R), ...store,
  ...get(I), 0x41, 16, I32_ADD, ...set(I),
  0x0c, 0, END, END, // br to the loop; end loop, block
  END,
];

const str = (s: string) => [s.length, ...Array.from(s, (c) => c.charCodeAt(0))];
const section = (id: number, bytes: number[]) => [id, ...leb(bytes.length), ...bytes];
function leb(n: number): number[] {
  const out: number[] = [];
  do { let b = n & 0x7f; n >>>= 7; if (n) b |= 0x80; out.push(b); } while (n);
  return out;
}

/** The module's bytes, importing a shared (threaded build) or plain memory as env.memory. */
export function activationGradModule(shared: boolean): Uint8Array<ArrayBuffer> {
  const limits = shared ? [0x03, 1, ...leb(65536)] : [0x00, 1];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0,
    ...section(1, [1, 0x60, 7, I32, I32, I32, I32, F32, F32, I32, 0]),
    ...section(2, [1, ...str('env'), ...str('memory'), 0x02, ...limits]),
    ...section(3, [1, 0]),
    ...section(7, [1, ...str('grad'), 0x00, 0]),
    ...section(10, [1, ...leb(body.length), ...body]),
  ]);
}

type GradFn = (out: number, dy: number, y: number, bytes: number, max: number, alpha: number, guided: number) => void;
interface WasmBackendLike extends tf.KernelBackend {
  wasm: { wasmMemory?: WebAssembly.Memory; asm?: { memory?: WebAssembly.Memory } };
  dataIdMap: { get(id: object): { memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
}

const instances = new WeakMap<WebAssembly.Memory, GradFn | null>();

/** The module bound to this backend's memory; null where wasm SIMD or the memory is not there. */
function bound(backend: WasmBackendLike): GradFn | null {
  const memory = backend.wasm?.wasmMemory ?? backend.wasm?.asm?.memory;
  if (!memory) return null;
  if (!instances.has(memory)) {
    let fn: GradFn | null = null;
    try {
      const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
      const module = new WebAssembly.Module(activationGradModule(shared));
      fn = new WebAssembly.Instance(module, { env: { memory } }).exports.grad as GradFn;
    } catch { fn = null; } // no SIMD: the ops path
    instances.set(memory, fn);
  }
  return instances.get(memory)!;
}

export const ACTIVATION_GRAD = 'NetLensActivationGrad';

/** Registers the one-pass kernel for wasm (idempotent). Where the module cannot run, activationGrad uses the ops. */
export function registerActivationGradKernel(): void {
  if (tf.getKernel(ACTIVATION_GRAD, 'wasm')) return;
  tf.registerKernel({
    kernelName: ACTIVATION_GRAD,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const b = backend as WasmBackendLike;
      const { dy, y } = inputs as { dy: tf.TensorInfo; y: tf.TensorInfo };
      const a = attrs as unknown as ActivationGradAttrs;
      const fn = bound(b);
      if (!fn) throw new Error(`${ACTIVATION_GRAD} needs wasm SIMD`); // activationGrad() checks first
      const out = b.makeOutput(dy.shape, 'float32'); // may grow memory: offsets are read after it
      const n = tf.util.sizeFromShape(dy.shape), whole = n & ~3;
      const [o, d, v] = [out, dy, y].map((t) => b.dataIdMap.get(t.dataId)!.memoryOffset) as [number, number, number];
      fn(o, d, v, whole * 4, a.max, a.alpha, a.guided ? 1 : 0);
      if (whole < n) {
        const [O, D, V] = [out, dy, y].map((t) => b.typedArrayFromHeap(t)) as [Float32Array, Float32Array, Float32Array];
        for (let i = whole; i < n; i++) {
          const g = V[i]! > 0 && V[i]! < a.max ? D[i]! : a.alpha * D[i]!;
          O[i] = a.guided && !(D[i]! > 0) ? 0 : g;
        }
      }
      return out;
    },
  });
}

/** dL/dz of an activation from dL/dy and its output y: one kernel on wasm, TF.js ops elsewhere. */
export function activationGrad(dy: tf.Tensor4D, y: tf.Tensor4D, a: ActivationGradAttrs): tf.Tensor4D {
  if (tf.getBackend() === 'wasm' && tf.getKernel(ACTIVATION_GRAD, 'wasm') && bound(tf.backend() as WasmBackendLike)) {
    return tf.engine().runKernel(ACTIVATION_GRAD, { dy, y }, a as unknown as tf.NamedAttrMap) as tf.Tensor4D;
  }
  return activationGradOps(dy, y, a) as tf.Tensor4D;
}
