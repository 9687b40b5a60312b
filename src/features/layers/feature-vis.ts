// Feature visualisation by activation maximisation: optimise an image so one channel fires as strongly as
// possible. The image is parameterised in a decorrelated Fourier basis (frequencies scaled by 1/f, colours
// through a decorrelating 3×3 matrix) and every step sees it jittered, rescaled and rotated a little, so the
// result shows structure the channel responds to rather than adversarial pixel noise.
// Olah, Mordvintsev & Schubert 2017, "Feature Visualization", https://distill.pub/2017/feature-visualization/
import * as tf from '@tensorflow/tfjs';
import { seededRandom } from '../../shared/codecs';
import type { ExplainModel } from '../explain/types';
import { throwIfAbortedAsync } from '../../engine/jobs';

interface FeatureVisOptions { steps: number; learningRate?: number; seed?: number; signal?: AbortSignal; onProgress?: (f: number) => void; transforms?: { jitter?: boolean; scale?: boolean; rotate?: boolean } }

// Square root of the colour correlation of natural images (ImageNet), as Lucid uses it for decorrelated
// colour: pixels = x · Cᵀ, with x the three decorrelated channels.
const COLOR = [[0.26, 0.09, 0.02], [0.27, 0.0, -0.05], [0.27, -0.09, 0.03]];
const COLOR_NORM = Math.max(...COLOR.map((r) => Math.hypot(...r)));

/** Frequencies kept per axis: the lowest 64 (±32 cycles per image). The 1/f weighting makes higher ones
 * contribute little anyway, and it cuts the inverse transform's cost ~12× at 224 px. */
const K = 64;
const freqs = (k: number) => Array.from({ length: k }, (_, i) => (i < k / 2 ? i : i - k)); // 0…31, −32…−1

/** Inverse-DFT basis for n pixels and k frequencies: [n, k] matrices of cos and sin of 2π·f·x/n. */
function dftBasis(n: number, k: number): { cos: tf.Tensor2D; sin: tf.Tensor2D } {
  const f = freqs(k);
  const c = new Float32Array(n * k), s = new Float32Array(n * k);
  for (let x = 0; x < n; x++) for (let j = 0; j < k; j++) { const a = (2 * Math.PI * f[j]! * x) / n; c[x * k + j] = Math.cos(a); s[x * k + j] = Math.sin(a); }
  return { cos: tf.tensor2d(c, [n, k]), sin: tf.tensor2d(s, [n, k]) };
}

/** 1/f scaling of each spectral coefficient (so low frequencies dominate, as in natural images). */
function freqScale(h: number, w: number, k: number): tf.Tensor2D {
  const f = freqs(k);
  const out = new Float32Array(k * k);
  for (let u = 0; u < k; u++) for (let v = 0; v < k; v++) out[u * k + v] = 1 / Math.max(Math.hypot(f[u]! / h, f[v]! / w), 1 / Math.max(h, w));
  return tf.tensor2d(out, [k, k]);
}

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
  const [h, w] = model.inputShape;
  const { scale, offset } = model.preprocess;
  const k = Math.min(K, h, w);
  const basisH = dftBasis(h, k), basisW = h === w ? basisH : dftBasis(w, k);
  const fscale = freqScale(h, w, k);
  const color = tf.tensor2d(COLOR.map((r) => r.map((v) => v / COLOR_NORM)));
  const seed = opts.seed ?? 1;
  // Spectrum (real and imaginary parts) of 3 decorrelated colour channels, small random start.
  // tf.variable keeps its initial tensor alive separately: dispose the initial values once copied.
  const init = [tf.randomNormal([3, k, k], 0, 0.01, 'float32', seed), tf.randomNormal([3, k, k], 0, 0.01, 'float32', seed + 1)];
  const re = tf.variable(init[0]!), im = tf.variable(init[1]!);
  init.forEach((t) => t.dispose());
  // image in [0, 1]: Re(IDFT(spectrum · 1/f)), colours decorrelated, squashed by a sigmoid
  const toImage = (): tf.Tensor4D => tf.tidy(() => {
    const sr = tf.mul(re, fscale), si = tf.mul(im, fscale);
    // Re((Cy + iSy)(Sr + iSi)(Cx + iSx)ᵀ), with C, S the [n, k] cos/sin bases: real matrix products only
    const cy = basisH.cos.expandDims(0).tile([3, 1, 1]) as tf.Tensor3D, sy = basisH.sin.expandDims(0).tile([3, 1, 1]) as tf.Tensor3D;
    const cx = basisW.cos.expandDims(0).tile([3, 1, 1]) as tf.Tensor3D, sx = basisW.sin.expandDims(0).tile([3, 1, 1]) as tf.Tensor3D;
    const tr = tf.sub(tf.matMul(cy, sr as tf.Tensor3D), tf.matMul(sy, si as tf.Tensor3D));
    const ti = tf.add(tf.matMul(cy, si as tf.Tensor3D), tf.matMul(sy, sr as tf.Tensor3D));
    const spatial = tf.sub(tf.matMul(tr, cx, false, true), tf.matMul(ti, sx, false, true)).div(Math.sqrt(h * w)); // [3, h, w]
    const rgb = tf.matMul(spatial.transpose([1, 2, 0]).reshape([-1, 3]), color, false, true).reshape([1, h, w, 3]);
    return tf.sigmoid(tf.mul(rgb, 4)) as tf.Tensor4D;
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
      optimizer.minimize(() => tf.tidy(() => {
        let img = toImage();
        img = tf.pad(img, [[0, 0], [8, 8], [8, 8], [0, 0]], 0.5).slice([0, 8 + jy, 8 + jx, 0], [1, h, w, 3]) as tf.Tensor4D;
        const sh = Math.round(h * s), sw = Math.round(w * s);
        img = tf.image.resizeBilinear(img, [sh, sw]);
        img = sh >= h ? img.slice([0, (sh - h) >> 1, (sw - w) >> 1, 0], [1, h, w, 3]) : tf.pad(img, [[0, 0], [(h - sh) >> 1, h - sh - ((h - sh) >> 1)], [(w - sw) >> 1, w - sw - ((w - sw) >> 1)], [0, 0]], 0.5);
        img = rotate(img as tf.Tensor4D, angle);
        return tf.neg(score(toInput(img as tf.Tensor4D))) as tf.Scalar;
      }), false, [re, im]);
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
    [re, im, basisH.cos, basisH.sin, fscale, color].forEach((t) => t.dispose());
    if (basisW !== basisH) { basisW.cos.dispose(); basisW.sin.dispose(); }
  }
}

