// Gradients on the wasm backend. TF.js 4.22's wasm backend has no Conv2DBackpropFilter,
// DepthwiseConv2dNativeBackpropInput or DepthwiseConv2dNativeBackpropFilter, so tf.grad through a Keras
// conv net fails there ("Kernel 'Conv2DBackpropFilter' not registered for backend 'wasm'"): Layers' Conv2D
// runs a fused conv whose custom gradient computes the filter gradient eagerly, and DepthwiseConv2D needs the
// depthwise input gradient. We register those three kernels for wasm, built from ops wasm does have
// (strided slices, matMul, pad, reverse, depthwiseConv2d), so gradients stay on the fast backend instead of
// falling back to the pure-JS cpu backend (>20× slower here). Its MaxPoolGrad exists but sends the gradient to
// the wrong cells (it disagrees with cpu by the full gradient on Darknet's pools), and its Conv2DBackpropInput is
// a slow plain loop, so both are replaced the same way.
// All checked against cpu in test/unit/wasm-grads.test.ts.
import * as tf from '@tensorflow/tfjs';
import { registerActivationGradKernel } from './activation-grad';

type Pad = 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;
interface ConvAttrs { strides: number | [number, number]; pad: Pad; dilations?: number | [number, number]; dimRoundingMode?: 'floor' | 'round' | 'ceil' }

const pair = (v: number | [number, number] | undefined): [number, number] => (v === undefined ? [1, 1] : typeof v === 'number' ? [v, v] : v);

/** Hands a tensor computed inside a kernel back to the engine as the kernel's output. */
function output(backend: tf.KernelBackend, t: tf.Tensor): tf.TensorInfo {
  backend.incRef(t.dataId); // the engine wraps this dataId in a new tensor; keep the data alive past t
  const info = { dataId: t.dataId, shape: t.shape, dtype: t.dtype };
  t.dispose();
  return info;
}

/** The input rows/cols that kernel tap (i, j) sees, for every output position: [N, outH, outW, C]. */
function tap(xPadded: tf.Tensor4D, i: number, j: number, info: tf.backend_util.Conv2DInfo): tf.Tensor4D {
  const [n, , , c] = xPadded.shape;
  const top = i * info.dilationHeight, left = j * info.dilationWidth;
  return tf.stridedSlice(xPadded,
    [0, top, left, 0],
    [n, top + (info.outHeight - 1) * info.strideHeight + 1, left + (info.outWidth - 1) * info.strideWidth + 1, c],
    [1, info.strideHeight, info.strideWidth, 1]) as tf.Tensor4D;
}

/** x padded as the forward conv saw it, with room for every tap. */
function padForTaps(x: tf.Tensor4D, info: tf.backend_util.Conv2DInfo): tf.Tensor4D {
  const { top, left } = info.padInfo;
  const needH = (info.filterHeight - 1) * info.dilationHeight + (info.outHeight - 1) * info.strideHeight + 1;
  const needW = (info.filterWidth - 1) * info.dilationWidth + (info.outWidth - 1) * info.strideWidth + 1;
  const bottom = Math.max(0, needH - top - x.shape[1]);
  const right = Math.max(0, needW - left - x.shape[2]);
  return tf.pad(x, [[0, 0], [top, bottom], [left, right], [0, 0]]);
}

/** dL/dW of a regular conv: for each tap, (patches)ᵀ · dy. */
function conv2dBackpropFilterFromOps(x: tf.Tensor4D, dy: tf.Tensor4D, filterShape: [number, number, number, number], attrs: ConvAttrs): tf.Tensor4D {
  return tf.tidy(() => {
    const info = tf.backend_util.computeConv2DInfo(x.shape, filterShape, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, false, 'channelsLast');
    const [kh, kw, cin, cout] = filterShape;
    const xp = padForTaps(x, info);
    const dy2 = dy.reshape([-1, cout]) as tf.Tensor2D;
    const taps: tf.Tensor2D[] = [];
    for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) taps.push(tf.matMul(tap(xp, i, j, info).reshape([-1, cin]) as tf.Tensor2D, dy2, true, false));
    return tf.stack(taps).reshape([kh, kw, cin, cout]) as tf.Tensor4D;
  });
}

/** dL/dW of a depthwise conv: for each tap, Σ over batch and positions of patch · dy, per channel. */
function depthwiseBackpropFilterFromOps(x: tf.Tensor4D, dy: tf.Tensor4D, filterShape: [number, number, number, number], attrs: ConvAttrs): tf.Tensor4D {
  return tf.tidy(() => {
    const info = tf.backend_util.computeConv2DInfo(x.shape, filterShape, attrs.strides, pair(attrs.dilations), attrs.pad, attrs.dimRoundingMode, true, 'channelsLast');
    const [kh, kw, c, m] = filterShape;
    const xp = padForTaps(x, info);
    const dy5 = dy.reshape([dy.shape[0], dy.shape[1], dy.shape[2], c, m]);
    const taps: tf.Tensor[] = [];
    for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) taps.push(tf.sum(tf.mul(tap(xp, i, j, info).expandDims(4), dy5), [0, 1, 2]));
    return tf.stack(taps).reshape([kh, kw, c, m]) as tf.Tensor4D;
  });
}

/** [N, OH, OW, C] → [N, OH·sh, OW·sw, C] with each value at (i·sh, j·sw) and zeros between (and after) them. */
function insertZeros(v: tf.Tensor4D, sh: number, sw: number): tf.Tensor4D {
  if (sh === 1 && sw === 1) return v;
  const [n, oh, ow, c] = v.shape;
  return v.reshape([n, oh, 1, ow, 1, c]).pad([[0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]]).reshape([n, oh * sh, ow * sw, c]) as tf.Tensor4D;
}

/**
 * dy laid out for an input gradient by stride-1 correlation: zeros inserted between rows and columns for the
 * forward stride (the trailing zeros kept, so it is one pad and no slice), and the explicit padding that makes
 * the correlation's output exactly the input's size. Padding is passed to the conv rather than applied with
 * tf.pad: that saves a full copy of the largest tensors. Rows the forward pass never read (negative padding)
 * are cropped.
 */
function spreadForInputGrad(dy: tf.Tensor4D, info: tf.backend_util.Conv2DInfo): { d: tf.Tensor4D; pad: tf.backend_util.ExplicitPadding } {
  const [n, , , c] = dy.shape;
  let d = insertZeros(dy, info.strideHeight, info.strideWidth);
  const top = info.effectiveFilterHeight - 1 - info.padInfo.top, left = info.effectiveFilterWidth - 1 - info.padInfo.left;
  const bottom = info.inHeight + info.effectiveFilterHeight - 1 - top - d.shape[1];
  const right = info.inWidth + info.effectiveFilterWidth - 1 - left - d.shape[2];
  if (top < 0 || left < 0 || bottom < 0 || right < 0) {
    const [t, l] = [Math.max(0, -top), Math.max(0, -left)];
    d = d.slice([0, t, l, 0], [n, d.shape[1] - t - Math.max(0, -bottom), d.shape[2] - l - Math.max(0, -right), c]) as tf.Tensor4D;
  }
  return { d, pad: [[0, 0], [Math.max(0, top), Math.max(0, bottom)], [Math.max(0, left), Math.max(0, right)], [0, 0]] };
}

/**
 * dL/dx of a regular conv from dL/dy, given the filter already rotated 180° with in/out channels swapped
 * ([kh, kw, cout, cin]): a stride-1 conv, so XNNPACK runs it. The fused blocks keep that filter precomputed.
 */
export function conv2dInputGrad(dy: tf.Tensor4D, rotated: tf.Tensor4D, info: tf.backend_util.Conv2DInfo): tf.Tensor4D {
  return tf.tidy(() => {
    const { d, pad } = spreadForInputGrad(dy, info);
    return tf.conv2d(d, rotated, 1, pad, 'NHWC', [info.dilationHeight, info.dilationWidth]);
  });
}

/**
 * A stride-s filter [kh, kw, cin, cout] split into its s² phases, for the sub-pixel input gradient:
 * [M, M, cout, s²·cin] with M = ⌈k/s⌉, tap m of phase (rh, rw) = filter[rh + (M−1−m)·s, …], zero past the edge.
 */
export function subPixelFilter(filter: tf.Tensor4D, s: number): tf.Tensor4D {
  // Rank-4 ops only, on any backend (a reshape to rank 6 breaks on WebGPU, and WebGPU cannot read data back
  // synchronously): one strided slice per phase, padded to M taps, reversed, in/out swapped, then concatenated.
  const [kh, kw, cin, cout] = filter.shape, mh = Math.ceil(kh / s), mw = Math.ceil(kw / s);
  return tf.tidy(() => {
    const phases: tf.Tensor4D[] = [];
    for (let rh = 0; rh < s; rh++) for (let rw = 0; rw < s; rw++) {
      const th = Math.max(0, Math.ceil((kh - rh) / s)), tw = Math.max(0, Math.ceil((kw - rw) / s));
      const full = th && tw
        ? tf.pad(tf.stridedSlice(filter, [rh, rw, 0, 0], [kh, kw, cin, cout], [s, s, 1, 1]) as tf.Tensor4D, [[0, mh - th], [0, mw - tw], [0, 0], [0, 0]])
        : tf.zeros([mh, mw, cin, cout]) as tf.Tensor4D; // a phase no tap reaches (kernel smaller than the stride)
      phases.push(tf.transpose(tf.reverse(full, [0, 1]), [0, 1, 3, 2]));
    }
    return tf.concat(phases, 3);
  });
}

/** A regular conv whose input gradient can go sub-pixel: equal strides above 1, no dilation, no negative padding. */
export const subPixelStride = (info: tf.backend_util.Conv2DInfo): number =>
  info.strideHeight > 1 && info.strideHeight === info.strideWidth && info.dilationHeight === 1 && info.dilationWidth === 1 && info.padInfo.top >= 0 && info.padInfo.left >= 0 ? info.strideHeight : 0;

/**
 * dL/dx of a stride-s conv without the zero-inserted dy: input pixel i + pad = q·s + r takes dy[q − m] ·
 * w[r + m·s], so each phase r is a small stride-1 correlation of dy itself. All s² phases are one conv with
 * s²·cin output channels (`subPixelFilter`), interleaved back (depth to space). Against zero insertion: s² fewer
 * multiply-adds (¾ of them were by zero at stride 2), and more output channels for XNNPACK to work with.
 */
export function subPixelInputGrad(dy: tf.Tensor4D, phases: tf.Tensor4D, s: number, info: tf.backend_util.Conv2DInfo): tf.Tensor4D {
  return tf.tidy(() => {
    const [mh, mw] = phases.shape, cin = phases.shape[3] / (s * s);
    const { top, left } = info.padInfo;
    const qh = Math.ceil((top + info.inHeight) / s), qw = Math.ceil((left + info.inWidth) / s);
    const pad: tf.backend_util.ExplicitPadding = [[0, 0], [mh - 1, Math.max(0, qh - info.outHeight)], [mw - 1, Math.max(0, qw - info.outWidth)], [0, 0]];
    const z = tf.conv2d(dy, phases, 1, pad);
    const [n, zh, zw] = z.shape;
    // depthToSpace by reshape and transpose: wasm's DepthToSpace kernel took 9× longer for the same move
    const full = z.reshape([n * zh, zw, s, s * cin]).transpose([0, 2, 1, 3]).reshape([n, zh * s, zw * s, cin]);
    // Often the whole of it (even sizes, 'same'): a slice would still copy every value.
    if (top === 0 && left === 0 && full.shape[1] === info.inHeight && full.shape[2] === info.inWidth) return full as tf.Tensor4D;
    return full.slice([0, top, left, 0], [info.batchSize, info.inHeight, info.inWidth, cin]) as tf.Tensor4D;
  });
}

/** dL/dx of a depthwise conv, given the filter rotated 180° and reshaped to [kh, kw, c·m, 1]. */
export function depthwiseInputGrad(dy: tf.Tensor4D, rotated: tf.Tensor4D, info: tf.backend_util.Conv2DInfo, multiplier: number): tf.Tensor4D {
  return tf.tidy(() => {
    const { d, pad } = spreadForInputGrad(dy, info);
    const out = tf.depthwiseConv2d(d, rotated, 1, pad, 'NHWC', [info.dilationHeight, info.dilationWidth]);
    return (multiplier === 1 ? out : out.reshape([info.batchSize, info.inHeight, info.inWidth, info.inChannels, multiplier]).sum(4)) as tf.Tensor4D;
  });
}

/**
 * dL/dx of a depthwise conv = a stride-1 depthwise correlation of dy (with zeros inserted between rows and
 * columns for the forward stride, and padded so the output has the input's size) with the filter rotated 180°.
 */
function depthwiseBackpropInputFromOps(inputShape: [number, number, number, number], dy: tf.Tensor4D, filter: tf.Tensor4D, attrs: ConvAttrs): tf.Tensor4D {
  return tf.tidy(() => {
    const [kh, kw, c, m] = filter.shape;
    const info = tf.backend_util.computeConv2DInfo(inputShape, filter.shape, attrs.strides, pair(attrs.dilations), attrs.pad, attrs.dimRoundingMode, true, 'channelsLast');
    return depthwiseInputGrad(dy, tf.reverse(filter, [0, 1]).reshape([kh, kw, c * m, 1]) as tf.Tensor4D, info, m);
  });
}

/** Puts [N, OH, OW, C] values back at the strided positions of tap (i, j) in a [N, H, W, C] grid of zeros. */
function untap(v: tf.Tensor4D, i: number, j: number, sh: number, sw: number, h: number, w: number): tf.Tensor4D {
  const [n, oh, ow, c] = v.shape;
  // Without the trailing zeros: they could run past the grid's edge.
  const d = sh > 1 || sw > 1 ? insertZeros(v, sh, sw).slice([0, 0, 0, 0], [n, (oh - 1) * sh + 1, (ow - 1) * sw + 1, c]) as tf.Tensor4D : v;
  return tf.pad(d, [[0, 0], [i, h - i - d.shape[1]], [j, w - j - d.shape[2]], [0, 0]]);
}

/** dL/dx of max pooling: each window's gradient goes to the first cell holding its maximum (TF's rule). */
function maxPoolBackpropFromOps(dy: tf.Tensor4D, x: tf.Tensor4D, y: tf.Tensor4D, attrs: { filterSize: number | [number, number]; strides: number | [number, number]; pad: Pad; dimRoundingMode?: 'floor' | 'round' | 'ceil' }): tf.Tensor4D {
  return tf.tidy(() => {
    const info = tf.backend_util.computePool2DInfo(x.shape, attrs.filterSize, attrs.strides, 1, attrs.pad as 'same' | 'valid' | number, attrs.dimRoundingMode);
    const { top, left } = info.padInfo;
    const needH = info.filterHeight - 1 + (info.outHeight - 1) * info.strideHeight + 1;
    const needW = info.filterWidth - 1 + (info.outWidth - 1) * info.strideWidth + 1;
    const [hp, wp] = [Math.max(needH, top + x.shape[1]), Math.max(needW, left + x.shape[2])];
    const xp = tf.pad(x, [[0, 0], [top, hp - top - x.shape[1]], [left, wp - left - x.shape[2]], [0, 0]], -Infinity);
    let claimed = tf.zerosLike(y);
    let dx = tf.zeros(xp.shape) as tf.Tensor4D;
    for (let i = 0; i < info.filterHeight; i++) {
      for (let j = 0; j < info.filterWidth; j++) {
        const isMax = tf.mul(tf.cast(tf.equal(tap(xp, i, j, { ...info, dilationHeight: 1, dilationWidth: 1 } as tf.backend_util.Conv2DInfo), y), 'float32'), tf.sub(1, claimed));
        claimed = tf.add(claimed, isMax);
        dx = tf.add(dx, untap(tf.mul(dy, isMax) as tf.Tensor4D, i, j, info.strideHeight, info.strideWidth, hp, wp));
      }
    }
    return dx.slice([0, top, left, 0], x.shape) as tf.Tensor4D;
  });
}

/**
 * dL/dx of a regular conv. wasm's own Conv2DBackpropInput is a plain loop (no XNNPACK) and dominated MobileNet's
 * backward pass, so it is a stride-1 conv (XNNPACK) of dy, zero-inserted for the stride and padded as in the
 * depthwise case, with the filter rotated 180° and its in/out channels swapped. (wasm's matMul is not XNNPACK:
 * even 1×1 convs are faster this way than as dy·Wᵀ.)
 */
function conv2dBackpropInputFromOps(inputShape: [number, number, number, number], dy: tf.Tensor4D, filter: tf.Tensor4D, attrs: ConvAttrs): tf.Tensor4D {
  return tf.tidy(() => {
    const info = tf.backend_util.computeConv2DInfo(inputShape, filter.shape, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, false, 'channelsLast');
    const s = subPixelStride(info);
    if (s) return subPixelInputGrad(dy, subPixelFilter(filter, s), s, info);
    const rotated = tf.transpose(tf.reverse(filter, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D;
    return conv2dInputGrad(dy, rotated, info);
  });
}

let registered = false;

/** Registers the missing gradient kernels for the wasm backend (idempotent). */
export function registerWasmGradientKernels(): void {
  if (registered) return;
  registered = true;
  const add = (kernelName: string, fn: (inputs: Record<string, tf.Tensor>, attrs: ConvAttrs & Record<string, unknown>) => tf.Tensor, replace = false) => {
    if (tf.getKernel(kernelName, 'wasm')) {
      if (!replace) return;
      tf.unregisterKernel(kernelName, 'wasm');
    }
    tf.registerKernel({
      kernelName,
      backendName: 'wasm',
      kernelFunc: ({ inputs, backend, attrs }) => output(backend as tf.KernelBackend, fn(inputs as Record<string, tf.Tensor>, attrs as unknown as ConvAttrs & Record<string, unknown>)),
    });
  };
  add('Conv2DBackpropFilter', (i, a) => conv2dBackpropFilterFromOps(i.x as tf.Tensor4D, i.dy as tf.Tensor4D, a.filterShape as [number, number, number, number], a));
  add('DepthwiseConv2dNativeBackpropFilter', (i, a) => depthwiseBackpropFilterFromOps(i.x as tf.Tensor4D, i.dy as tf.Tensor4D, a.filterShape as [number, number, number, number], a));
  add('DepthwiseConv2dNativeBackpropInput', (i, a) => depthwiseBackpropInputFromOps(a.inputShape as [number, number, number, number], i.dy as tf.Tensor4D, i.filter as tf.Tensor4D, a));
  add('Conv2DBackpropInput', (i, a) => conv2dBackpropInputFromOps(a.inputShape as [number, number, number, number], i.dy as tf.Tensor4D, i.filter as tf.Tensor4D, a), true);
  // wasm's Identity and same-type Cast copy the data; every tensor a gradient saves goes through Identity
  // (engine.saveTensorsForBackwardMode clones it), so a backward pass copied each activation. TF.js tensors are
  // immutable, and the cpu and webgl backends share the data here too.
  const share = (backend: tf.KernelBackend, x: tf.TensorInfo): tf.TensorInfo => { backend.incRef(x.dataId); return { dataId: x.dataId, shape: x.shape, dtype: x.dtype }; };
  const identity = tf.getKernel('Identity', 'wasm');
  if (identity) {
    tf.unregisterKernel('Identity', 'wasm');
    tf.registerKernel({ kernelName: 'Identity', backendName: 'wasm', kernelFunc: (a) => (a.inputs.x!.dtype === 'string' ? identity.kernelFunc(a) : share(a.backend as tf.KernelBackend, a.inputs.x!)) });
  }
  const cast = tf.getKernel('Cast', 'wasm');
  if (cast) {
    tf.unregisterKernel('Cast', 'wasm');
    tf.registerKernel({ kernelName: 'Cast', backendName: 'wasm', kernelFunc: (a) => (a.inputs.x!.dtype === (a.attrs as { dtype: string }).dtype && a.inputs.x!.dtype !== 'string' ? share(a.backend as tf.KernelBackend, a.inputs.x!) : cast.kernelFunc(a)) });
  }
  registerActivationGradKernel();
  add('MaxPoolGrad', (i, a) => maxPoolBackpropFromOps(i.dy as tf.Tensor4D, i.input as tf.Tensor4D, i.output as tf.Tensor4D, a as never), true);
}
