import * as tf from '@tensorflow/tfjs';
import type { ModelEntry } from '../shared/catalog';
import { MAX_SIDE } from '../shared/limits';

export { MAX_SIDE };
export { fitWithin } from './fit';

/** Pixels as they come from a canvas, an ImageBitmap, or a decoder (RGBA or RGB bytes). */
export interface RawPixels { data: Uint8Array; width: number; height: number; channels?: 3 | 4 }
export type PixelSource = ImageData | ImageBitmap | HTMLCanvasElement | OffscreenCanvas | RawPixels;

function isRaw(src: PixelSource): src is RawPixels {
  return 'data' in src && src.data instanceof Uint8Array;
}

/** RGBA bytes of a drawable source, read through a canvas kept on the CPU (it is only read back, never shown). */
function readRgba(src: ImageBitmap | HTMLCanvasElement | OffscreenCanvas): RawPixels {
  const { width, height } = src;
  const g = new OffscreenCanvas(width, height).getContext('2d', { willReadFrequently: true })!;
  g.drawImage(src, 0, 0);
  const d = g.getImageData(0, 0, width, height).data;
  return { data: new Uint8Array(d.buffer, d.byteOffset, d.byteLength), width, height, channels: 4 };
}

function asRaw(src: PixelSource): RawPixels {
  if (isRaw(src)) return src;
  if ('data' in src) return { data: new Uint8Array(src.data.buffer, src.data.byteOffset, src.data.byteLength), width: src.width, height: src.height, channels: 4 };
  return readRgba(src);
}

/**
 * Squash-resize 8-bit pixels to [h, w, 3] floats and apply `x * scale + offset`, in one pass: TF's bilinear rule
 * (no corner alignment, no half-pixel centres: output (y, x) samples the source at (y·H/h, x·W/w), clamped at
 * the edge), as the reference predictions use. Only the four source pixels around each output pixel are read.
 */
function resizeToInput(px: RawPixels, h: number, w: number, scale: number, offset: number): Float32Array {
  const { data, width: W, height: H } = px;
  const ch = px.channels ?? (data.length === W * H * 4 ? 4 : 3);
  // Source positions in float32, as TF's kernels compute them: in float64 the result drifted from TF's by up to
  // 0.012 of a grey level (9e-5 after MobileNet's scaling) across a 768 px side.
  const f32 = Math.fround, out = new Float32Array(h * w * 3), sy = f32(H / h), sx = f32(W / w);
  for (let y = 0; y < h; y++) {
    const fy = f32(y * sy), y0 = Math.floor(fy), y1 = Math.min(Math.ceil(fy), H - 1), ty = f32(fy - y0);
    for (let x = 0; x < w; x++) {
      const fx = f32(x * sx), x0 = Math.floor(fx), x1 = Math.min(Math.ceil(fx), W - 1), tx = f32(fx - x0);
      const a = (y0 * W + x0) * ch, b = (y0 * W + x1) * ch, c = (y1 * W + x0) * ch, d = (y1 * W + x1) * ch, o = (y * w + x) * 3;
      for (let k = 0; k < 3; k++) {
        const top = data[a + k]! + (data[b + k]! - data[a + k]!) * tx;
        const bottom = data[c + k]! + (data[d + k]! - data[c + k]!) * tx;
        out[o + k] = (top + (bottom - top) * ty) * scale + offset;
      }
    }
  }
  return out;
}

/** Backends whose fromPixels takes a bitmap straight to a GPU texture, where the resize is the GPU's too. */
const GPU_BACKENDS = new Set(['webgl', 'webgpu']);

/**
 * Pixels → the model's input batch [1, H, W, 3]: squash-resize (bilinear, TF's default corner handling, as
 * the reference predictions use), then `x * scale + offset`. On wasm and cpu this is one pass over the four
 * source pixels each output pixel needs, from a CPU canvas: fromPixels read the whole picture back through a
 * GPU-backed canvas (12–27 ms for a 768×576 photo against ~5 ms). On the GPU backends fromPixels uploads the
 * bitmap as a texture, and there it stays, without a transpose of the fromPixels tensor anywhere: that trips a
 * WGSL compile bug in tfjs-backend-webgpu 4.22 (see shared/docs/browser-testing.md).
 */
export function toModelInput(src: PixelSource, entry: Pick<ModelEntry, 'input' | 'preprocess'>): tf.Tensor4D {
  const { height: h, width: w } = entry.input;
  const { scale, offset } = entry.preprocess;
  if (!GPU_BACKENDS.has(tf.getBackend()) || isRaw(src)) return tf.tensor4d(resizeToInput(asRaw(src), h, w, scale, offset), [1, h, w, 3]);
  return tf.tidy(() => {
    const resized = tf.image.resizeBilinear(tf.browser.fromPixels(src as ImageData, 3), [h, w]);
    return tf.add(tf.mul(resized, scale), offset).expandDims(0) as tf.Tensor4D;
  });
}
