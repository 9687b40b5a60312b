// Occlusion: slide a grey patch over the image and record how much the class probability drops.
// Zeiler & Fergus 2014, "Visualizing and Understanding Convolutional Networks", https://arxiv.org/abs/1311.2901
import * as tf from '@tensorflow/tfjs';
import type { Explainer, Params } from '../types';
import { chunks, column, throwIfAbortedAsync, toMap } from '../util';

interface OcclusionParams extends Params { patch: number; stride: number }

export const occlusion: Explainer<OcclusionParams> = {
  id: 'occlusion',
  async explain(model, input, target, params, opts = {}) {
    const [h, w] = model.inputShape;
    const patch = Math.max(1, Math.min(Math.round(params.patch), h, w));
    const stride = Math.max(1, Math.round(params.stride));
    const spots: [number, number][] = [];
    for (let y = 0; y + patch <= h; y += stride) for (let x = 0; x + patch <= w; x += stride) spots.push([y, x]);
    // Cover the right and bottom edges too when the stride does not land on them.
    const lastY = h - patch, lastX = w - patch;
    if (spots.every(([y]) => y !== lastY)) for (let x = 0; x + patch <= w; x += stride) spots.push([lastY, x]);
    if (spots.every(([, x]) => x !== lastX)) for (const y of new Set(spots.map(([yy]) => yy))) spots.push([y, lastX]);

    const prob = (x: tf.Tensor4D) => column(tf.softmax(model.logits(x)), target.index);
    const base = tf.tidy(() => prob(input));
    const p0 = (await base.data())[0]!;
    base.dispose();
    const drop = new Float32Array(h * w);
    const count = new Float32Array(h * w);
    let done = 0;
    for (const [a, b] of chunks(spots.length, opts.batchSize ?? 16)) {
      await throwIfAbortedAsync(opts.signal);
      const batch = spots.slice(a, b);
      const ps = tf.tidy(() => {
        // mask = 1 inside the patch: occluded = input·(1 − mask) + grey·mask, one image per spot
        const masks = tf.stack(batch.map(([y, x]) => tf.pad(tf.ones([patch, patch, 1]), [[y, h - y - patch], [x, w - x - patch], [0, 0]]))) as tf.Tensor4D;
        const occluded = tf.add(tf.mul(input, tf.sub(1, masks)), tf.mul(masks, 127.5 * model.preprocess.scale + model.preprocess.offset)) as tf.Tensor4D;
        return prob(occluded);
      });
      const pv = await ps.data();
      ps.dispose();
      batch.forEach(([y, x], i) => {
        const d = p0 - pv[i]!;
        for (let yy = y; yy < y + patch; yy++) for (let xx = x; xx < x + patch; xx++) { drop[yy * w + xx]! += d; count[yy * w + xx]! += 1; }
      });
      done = b;
      opts.onProgress?.(done / spots.length);
    }
    for (let i = 0; i < drop.length; i++) drop[i] = count[i] ? drop[i]! / count[i]! : 0;
    return toMap(tf.tensor2d(drop, [h, w]), this.id, target, true, { baseProbability: p0 });
  },
};
