import * as tf from '@tensorflow/tfjs';

/** Separable Gaussian blur of a [B, H, W, C] batch, with reflected borders (so edges do not darken). */
export function gaussianBlur(x: tf.Tensor4D, sigma: number): tf.Tensor4D {
  return tf.tidy(() => {
    const r = Math.max(1, Math.ceil(3 * sigma));
    const k = Array.from({ length: 2 * r + 1 }, (_, i) => Math.exp(-((i - r) ** 2) / (2 * sigma * sigma)));
    const s = k.reduce((a, b) => a + b, 0);
    const c = x.shape[3];
    const kernel = tf.tensor1d(k.map((v) => v / s));
    const kh = kernel.reshape([2 * r + 1, 1, 1, 1]).tile([1, 1, c, 1]) as tf.Tensor4D;
    const kw = kernel.reshape([1, 2 * r + 1, 1, 1]).tile([1, 1, c, 1]) as tf.Tensor4D;
    // Reflection needs r < size; tiny inputs fall back to edge-free zero padding.
    const reflect = r < x.shape[1] && r < x.shape[2];
    const padded = reflect ? tf.mirrorPad(x, [[0, 0], [r, r], [r, r], [0, 0]], 'reflect') : tf.pad(x, [[0, 0], [r, r], [r, r], [0, 0]]);
    return tf.depthwiseConv2d(tf.depthwiseConv2d(padded, kh, 1, 'valid'), kw, 1, 'valid') as tf.Tensor4D;
  });
}
