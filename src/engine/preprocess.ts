import * as tf from '@tensorflow/tfjs';
import type { ModelEntry } from '../shared/catalog';

/** Pixels as they come from a canvas, an ImageBitmap, or a decoder (RGBA or RGB bytes). */
export interface RawPixels { data: Uint8Array; width: number; height: number; channels?: 3 | 4 }
export type PixelSource = ImageData | ImageBitmap | HTMLCanvasElement | OffscreenCanvas | RawPixels;

function isRaw(src: PixelSource): src is RawPixels {
  return 'data' in src && src.data instanceof Uint8Array;
}

import { MAX_SIDE } from '../shared/limits';

export { MAX_SIDE };

export function fitWithin(width: number, height: number, maxSide = MAX_SIDE): { width: number; height: number; scaled: boolean } {
  const s = Math.max(width, height);
  if (s <= maxSide) return { width, height, scaled: false };
  const f = maxSide / s;
  return { width: Math.max(1, Math.round(width * f)), height: Math.max(1, Math.round(height * f)), scaled: true };
}

function toInt3D(src: PixelSource): tf.Tensor3D {
  if (isRaw(src)) {
    const ch = src.channels ?? (src.data.length === src.width * src.height * 4 ? 4 : 3);
    const t = tf.tensor3d(src.data, [src.height, src.width, ch], 'int32');
    return ch === 3 ? t : tf.tidy(() => tf.slice(t, [0, 0, 0], [-1, -1, 3]) as tf.Tensor3D);
  }
  return tf.browser.fromPixels(src as ImageData, 3);
}

/**
 * Pixels → the model's input batch [1, H, W, 3]: squash-resize (bilinear, TF's default corner handling, as
 * the reference predictions use), then `x * scale + offset`. No transpose of the fromPixels tensor anywhere:
 * that trips a WGSL compile bug in tfjs-backend-webgpu 4.22 (see shared/docs/browser-testing.md).
 */
export function toModelInput(src: PixelSource, entry: Pick<ModelEntry, 'input' | 'preprocess'>): tf.Tensor4D {
  return tf.tidy(() => {
    const px = toInt3D(src);
    const resized = tf.image.resizeBilinear(px, [entry.input.height, entry.input.width]);
    const { scale, offset } = entry.preprocess;
    return tf.add(tf.mul(resized, scale), offset).expandDims(0) as tf.Tensor4D;
  });
}
