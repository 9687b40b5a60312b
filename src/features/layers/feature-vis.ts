// Feature visualisation by activation maximisation: optimise an image so one channel fires as strongly as
// possible. The image is parameterised in a decorrelated Fourier basis (frequencies scaled by 1/f, colours
// through a decorrelating 3×3 matrix) and every step sees it jittered, rescaled and rotated a little, so the
// result shows structure the channel responds to rather than adversarial pixel noise.
// Olah, Mordvintsev & Schubert 2017, "Feature Visualization", https://distill.pub/2017/feature-visualization/
import * as tf from '@tensorflow/tfjs';
import { seededRandom } from '../../shared/codecs';
import type { ExplainModel } from '../explain/types';
import { throwIfAbortedAsync } from '../../engine/jobs';

interface FeatureVisOptions { steps: number; /** [height, width] of the optimised image; default the model's input, at most CHANNEL_VIS_SIZE */ size?: readonly [number, number]; learningRate?: number; seed?: number; signal?: AbortSignal; onProgress?: (f: number) => void; transforms?: { jitter?: boolean; scale?: boolean; rotate?: boolean } }

// Square root of the colour correlation of natural images (ImageNet), as Lucid uses it for decorrelated
// colour: pixels = x · Cᵀ, with x the three decorrelated channels.
const COLOR = [[0.26, 0.09, 0.02], [0.27, 0.0, -0.05], [0.27, -0.09, 0.03]];
const COLOR_NORM = Math.max(...COLOR.map((r) => Math.hypot(...r)));

/** Basis functions kept per axis: cosines of 0…32 and sines of 1…31 cycles per image, the real counterpart of
 * the lowest 64 complex frequencies. The 1/f weighting makes higher ones contribute little anyway. */
const K = 64;
/** Cycles per image of the j-th basis function: cos 0…k/2, then sin 1…k/2−1. */
const freqOf = (j: number, k: number) => (j <= k / 2 ? j : j - k / 2);

/**
 * Real Fourier basis for n pixels and k functions, sampled at p(x) = c + (x − c)/zoom + shift (c the centre):
 * [n, k] and its transpose [k, n], column j the cos or sin of 2π·f_j·p/n. A Fourier series can be evaluated
 * anywhere, so jitter and zoom are exact resamplings of the image (periodic past its edges), for free: no pad,
 * crop or resize in the graph, and none in its gradient.
 */
export function realBasis(n: number, k: number, shift = 0, zoom = 1): { b: tf.Tensor2D; t: tf.Tensor2D } {
  const b = new Float32Array(n * k), t = new Float32Array(k * n), c = (n - 1) / 2;
  for (let x = 0; x < n; x++) {
    const p = c + (x - c) / zoom + shift;
    for (let j = 0; j < k; j++) { const a = (2 * Math.PI * freqOf(j, k) * p) / n; b[x * k + j] = t[j * n + x] = j <= k / 2 ? Math.cos(a) : Math.sin(a); }
  }
  return { b: tf.tensor2d(b, [n, k]), t: tf.tensor2d(t, [k, n]) };
}

type Basis = ReturnType<typeof realBasis>;

/**
 * Bh · C_c · Bwᵀ for each colour c: coefficients [3, k, k] → image [h, w, 3]. Its gradient is written out as
 * Bhᵀ · dY · Bw with the transposes precomputed: the automatic one multiplies by transposed operands, which
 * wasm's BatchMatMul runs on a slow path (3 ms a product here, 10× the plain one).
 */
export function synthesise(coef: tf.Tensor3D, bh: Basis, bw: Basis): tf.Tensor3D {
  const [, k] = coef.shape, h = bh.b.shape[0], w = bw.b.shape[0];
  const f = tf.customGrad(((c: tf.Tensor) => ({
    value: tf.tidy(() => {
      const rows = tf.matMul(c.reshape([3 * k, k]), bw.t); // [3k, w]
      const img = tf.matMul(bh.b, rows.reshape([3, k, w]).transpose([1, 0, 2]).reshape([k, 3 * w])); // [h, 3w]
      return img.reshape([h, 3, w]).transpose([0, 2, 1]);
    }),
    gradFunc: (dy: tf.Tensor) => tf.tidy(() => {
      const d = tf.matMul(bh.t, dy.transpose([0, 2, 1]).reshape([h, 3 * w])); // [k, 3w]
      return tf.matMul(d.reshape([k, 3, w]).transpose([1, 0, 2]).reshape([3 * k, w]), bw.b).reshape([3, k, k]);
    }),
  })) as never);
  return f(coef) as tf.Tensor3D;
}

const disposeBasis = (...bs: Basis[]) => new Set(bs).forEach((x) => { x.b.dispose(); x.t.dispose(); });

/** 1/f scaling of each coefficient (so low frequencies dominate, as in natural images). */
function freqScale(h: number, w: number, k: number): tf.Tensor2D {
  const out = new Float32Array(k * k);
  for (let u = 0; u < k; u++) for (let v = 0; v < k; v++) out[u * k + v] = 1 / Math.max(Math.hypot(freqOf(u, k) / h, freqOf(v, k) / w), 1 / Math.max(h, w));
  return tf.tensor2d(out, [k, k]);
}

/** Side of the optimised image for a channel: Lucid's 128 px. A channel's mean needs no fixed input size, and a
 * 224 px image costs the network 3× more per step. A class's score is read at the model's own size. */
export const CHANNEL_VIS_SIZE = 128;

/**
 * Rotation with a hand-written gradient: rotateWithOffset has none in TF.js, and rotating by −θ is (up to
 * interpolation) the adjoint of rotating by θ, which is what the gradient needs.
 */
function rotate(x: tf.Tensor4D, radians: number): tf.Tensor4D {
  if (Math.abs(radians) < 1e-6) return x;
  const f = tf.customGrad(((img: tf.Tensor) => ({
    value: tf.image.rotateWithOffset(img as tf.Tensor4D, radians, 0.5),
    gradFunc: (dy: tf.Tensor) => tf.image.rotateWithOffset(dy as tf.Tensor4D, -radians, 0),
  })) as never);
  return f(x) as tf.Tensor4D;
}

/** The optimiser's starting image as model input [1, H, W, 3] for a seed (for choosing channels fairly in tests). */
export async function startInput(model: ExplainModel, seed = 1): Promise<tf.Tensor4D> {
  let captured: tf.Tensor4D | null = null;
  await visualiseChannel(model, (x) => { captured ??= tf.keep(x.clone()); return x; }, 0, { steps: 0, seed });
  return captured!;
}

interface FeatureVisResult { pixels: Uint8ClampedArray; width: number; height: number; startActivation: number; finalActivation: number }

/**
 * Maximises the mean of `channel` in `objective(x)`, reporting it as measured by `measured(x)` (default: the
 * same). For a ReLU6 layer the caller passes the pre-activation as the objective: ReLU6 caps the mean at 6 and
 * has no gradient where it saturates. Tidy: only the result's plain data remains.
 */
export async function visualiseChannel(model: ExplainModel, objective: (x: tf.Tensor4D) => tf.Tensor4D, channel: number, opts: FeatureVisOptions, measured: (x: tf.Tensor4D) => tf.Tensor4D = objective): Promise<FeatureVisResult> {
  const [h, w] = opts.size ?? (model.inputShape.map((n) => Math.min(n, CHANNEL_VIS_SIZE)) as [number, number]);
  const { scale, offset } = model.preprocess;
  const k = Math.min(K, h, w);
  const plainH = realBasis(h, k), plainW = h === w ? plainH : realBasis(w, k);
  const fscale = freqScale(h, w, k);
  const color = tf.tensor2d(COLOR.map((r) => r.map((v) => v / COLOR_NORM)));
  const seed = opts.seed ?? 1;
  // Coefficients of 3 decorrelated colour channels, small random start.
  // tf.variable keeps its initial tensor alive separately: dispose the initial value once copied.
  const init = tf.randomNormal([3, k, k], 0, 0.01, 'float32', seed);
  const coef = tf.variable(init);
  init.dispose();
  // image in [0, 1]: the series per colour, colours mixed in coefficient space (the mix is linear, and there it
  // touches k² numbers instead of h·w), squashed by a sigmoid.
  const toImage = (bh = plainH, bw = plainW): tf.Tensor4D => tf.tidy(() => {
    const rgbCoef = tf.matMul(color, tf.mul(coef, fscale).reshape([3, k * k])).reshape([3, k, k]) as tf.Tensor3D;
    return tf.sigmoid(tf.mul(synthesise(rgbCoef, bh, bw), 8 / Math.sqrt(h * w))).expandDims(0) as tf.Tensor4D;
  });
  const toInput = (img01: tf.Tensor4D) => tf.add(tf.mul(img01, 255 * scale), offset) as tf.Tensor4D;
  const channelMean = (f: tf.Tensor4D) => tf.slice(f, [0, 0, 0, channel], [-1, -1, -1, 1]).mean() as tf.Scalar;
  const score = (x: tf.Tensor4D) => tf.tidy(() => channelMean(objective(x)));
  const measure = async () => {
    const s = tf.tidy(() => channelMean(measured(toInput(toImage()))));
    const v = (await s.data())[0]!;
    s.dispose();
    return v;
  };
  const rand = seededRandom(seed + 7);
  const optimizer = tf.train.adam(opts.learningRate ?? 0.05);
  try {
    const startActivation = await measure();
    for (let step = 0; step < opts.steps; step++) {
      if (step % 8 === 0) await throwIfAbortedAsync(opts.signal);
      // Robustness: a few pixels of jitter, ±5 % scale and ±5° rotation, different every step.
      const tr = { jitter: true, scale: true, rotate: true, ...opts.transforms };
      const jy = tr.jitter ? Math.floor(rand() * 17) - 8 : 0, jx = tr.jitter ? Math.floor(rand() * 17) - 8 : 0;
      const s = tr.scale ? 0.95 + rand() * 0.1 : 1, angle = tr.rotate ? ((rand() - 0.5) * 10 * Math.PI) / 180 : 0;
      const bh = realBasis(h, k, jy, s), bw = realBasis(w, k, jx, s);
      try {
        optimizer.minimize(() => tf.tidy(() => tf.neg(score(toInput(rotate(toImage(bh, bw), angle)))) as tf.Scalar), false, [coef]);
      } finally {
        disposeBasis(bh, bw);
      }
      opts.onProgress?.((step + 1) / opts.steps);
    }
    const finalActivation = await measure();
    const img = tf.tidy(() => tf.mul(toImage(), 255).squeeze([0]));
    const rgb = await img.data();
    img.dispose();
    const pixels = new Uint8ClampedArray(h * w * 4);
    for (let i = 0; i < h * w; i++) { pixels[4 * i] = rgb[3 * i]!; pixels[4 * i + 1] = rgb[3 * i + 1]!; pixels[4 * i + 2] = rgb[3 * i + 2]!; pixels[4 * i + 3] = 255; }
    return { pixels, width: w, height: h, startActivation, finalActivation };
  } finally {
    optimizer.dispose();
    [coef, fscale, color].forEach((t) => t.dispose());
    disposeBasis(plainH, plainW);
  }
}

