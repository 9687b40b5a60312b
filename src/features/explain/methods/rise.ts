// RISE: show the model many randomly masked copies of the image; a pixel's saliency is the average class
// probability of the copies that kept it. Black-box: only forward passes, batched.
// Petsiuk, Das & Saenko 2018, "RISE: Randomized Input Sampling for Explanation", https://arxiv.org/abs/1806.07421
import * as tf from '@tensorflow/tfjs';
import { seededRandom } from '../../../shared/codecs';
import type { Explainer, Params } from '../types';
import { chunks, column, throwIfAbortedAsync, toMap } from '../util';

interface RiseParams extends Params { masks: number; grid: number; keep: number }

/**
 * Smooth random masks [count × h × w]: a (grid+1)² grid of 0/1 cells (1 with probability `keep`), sampled
 * bilinearly at a random sub-cell shift, so mask edges fall anywhere rather than on a fixed lattice.
 */
export function riseMasks(count: number, h: number, w: number, grid: number, keep: number, rand: () => number): Float32Array {
  const out = new Float32Array(count * h * w);
  const g = grid + 1;
  const cellH = Math.ceil(h / grid), cellW = Math.ceil(w / grid);
  const cells = new Float32Array(g * g);
  for (let m = 0; m < count; m++) {
    for (let i = 0; i < cells.length; i++) cells[i] = rand() < keep ? 1 : 0;
    const dy = rand() * cellH, dx = rand() * cellW;
    const base = m * h * w;
    for (let y = 0; y < h; y++) {
      const gy = Math.min(grid, Math.max(0, (y + dy) / cellH - 0.5));
      const y0 = Math.floor(gy), y1 = Math.min(grid, y0 + 1), fy = gy - y0;
      for (let x = 0; x < w; x++) {
        const gx = Math.min(grid, Math.max(0, (x + dx) / cellW - 0.5));
        const x0 = Math.floor(gx), x1 = Math.min(grid, x0 + 1), fx = gx - x0;
        const top = cells[y0 * g + x0]! * (1 - fx) + cells[y0 * g + x1]! * fx;
        const bottom = cells[y1 * g + x0]! * (1 - fx) + cells[y1 * g + x1]! * fx;
        out[base + y * w + x] = top * (1 - fy) + bottom * fy;
      }
    }
  }
  return out;
}

/**
 * One image per mask: each pixel blends from the image (mask 1) to mid-grey (mask 0), as in occlusion, whatever
 * the model's input range. In JS: as broadcast TF.js ops on wasm it took ~16 ms a batch.
 */
export function maskedImages(pixels: Float32Array, masks: Float32Array, c: number, grey: number): Float32Array {
  const hw = pixels.length / c, out = new Float32Array(masks.length * c);
  for (let i = 0; i < masks.length; i++) {
    const m = masks[i]!, p = (i % hw) * c;
    for (let k = 0; k < c; k++) out[i * c + k] = pixels[p + k]! * m + (1 - m) * grey;
  }
  return out;
}

export const rise: Explainer<RiseParams> = {
  id: 'rise',
  async explain(model, input, target, params, opts = {}) {
    const [h, w] = model.inputShape;
    const n = Math.max(1, Math.round(params.masks));
    const grid = Math.max(2, Math.round(params.grid));
    const keep = Math.min(0.95, Math.max(0.05, params.keep));
    const grey = 127.5 * model.preprocess.scale + model.preprocess.offset;
    const rand = seededRandom(1234);
    const pixels = await input.data() as Float32Array, c = input.shape[3];
    const sum = new Float64Array(h * w);
    for (const [a, b] of chunks(n, Math.max(8, (opts.batchSize ?? 8) * 2))) {
      await throwIfAbortedAsync(opts.signal);
      const masks = riseMasks(b - a, h, w, grid, keep, rand);
      const x = maskedImages(pixels, masks, c, grey);
      const p = tf.tidy(() => column(tf.softmax(model.logits(tf.tensor4d(x, [b - a, h, w, c]))), target.index));
      const pv = await p.data();
      p.dispose();
      for (let i = 0; i < b - a; i++) {
        const pi = pv[i]!, off = i * h * w;
        for (let j = 0; j < h * w; j++) sum[j]! += pi * masks[off + j]!;
      }
      opts.onProgress?.(b / n);
    }
    // E[p | pixel kept] ≈ Σ p_i·M_i / (N·keep)
    const map = Float32Array.from(sum, (s) => s / (n * keep));
    return toMap(tf.tensor2d(map, [h, w]), this.id, target, false);
  },
};
