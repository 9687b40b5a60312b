// A pixels-only linear classifier, for contrast with the head: one dense layer straight on the user's examples
// downscaled to 32×32×3 (scores = pixels · W + b). Each class's weights then form a 32×32 picture, a single
// fixed template; features from convolutions do better because they do not depend on where things are.
import * as tf from '@tensorflow/tfjs';
import { floatsToBase64 } from '../../shared/codecs';
import { throwIfAborted } from '../../engine/jobs';
import { listClasses, listExamples } from '../../shared/db';
import type { PixelLinear } from './contract';
import { readiness } from './contract';
import { TooLittleData, trainHead, type Sample } from './head';

export const PIXEL_SIZE = 32;

/** An image as 32×32×3 numbers in 0–1 (bilinear resize of its pixels), row by row. Tidy. */
export function pixelVector(src: ImageBitmap | tf.Tensor3D): tf.Tensor1D {
  return tf.tidy(() => {
    const px = src instanceof tf.Tensor ? src : tf.browser.fromPixels(src, 3);
    return tf.image.resizeBilinear(px.toFloat() as tf.Tensor3D, [PIXEL_SIZE, PIXEL_SIZE]).div(255).reshape([-1]) as tf.Tensor1D;
  });
}

export interface PixelModel { head: tf.LayersModel; classNames: string[]; result: Omit<PixelLinear, 'applied'> }

/** Trains on every example's pixels, with the head's own split by example, early stopping and no standardising. */
export async function trainPixelLinear(opts: { signal?: AbortSignal; onProgress?: (f: number) => void; headValAccuracy: number | null }): Promise<PixelModel> {
  const t0 = performance.now();
  const all = await listClasses();
  const ready = readiness(all);
  if (!ready.ok) throw new TooLittleData(ready.message);
  const classes = all.filter((c) => c.count > 0);
  const labelOf = new Map(classes.map((c, i) => [c.id, i]));
  const examples = (await listExamples()).filter((e) => labelOf.has(e.classId));
  const samples: Sample[] = [];
  for (let i = 0; i < examples.length; i++) {
    throwIfAborted(opts.signal);
    const bmp = await createImageBitmap(await (await fetch(examples[i]!.thumbnail)).blob());
    const v = pixelVector(bmp);
    bmp.close();
    samples.push({ group: i, label: labelOf.get(examples[i]!.classId)!, x: Float32Array.from(await v.data()), original: true });
    v.dispose();
    opts.onProgress?.(0.5 * (i + 1) / examples.length);
  }
  const r = await trainHead(samples, classes.length, { standardise: false, zeroInit: true, learningRate: 0.003, maxEpochs: 120, patience: 12, signal: opts.signal, onEpoch: (e) => opts.onProgress?.(0.5 + 0.5 * Math.min(1, e.epoch / 120)) });
  const [kernel, bias] = r.head.getLayer('classes').getWeights();
  const result = {
    classNames: classes.map((c) => c.name), size: PIXEL_SIZE, valAccuracy: r.valAccuracy, headValAccuracy: opts.headValAccuracy, examples: examples.length,
    weights: floatsToBase64(Float32Array.from(await kernel!.data())), bias: Array.from(await bias!.data()), history: r.history, ms: Math.round(performance.now() - t0),
  };
  return { head: r.head, classNames: result.classNames, result };
}

/** The pixel model on one image: every class's score, and the winner's weight × pixel map (summed over RGB). */
export async function applyPixelLinear(m: PixelModel, pixels: tf.Tensor1D): Promise<NonNullable<PixelLinear['applied']>> {
  const [kernel, bias] = m.head.getLayer('classes').getWeights();
  const [scores, probs] = tf.tidy(() => {
    const s = tf.add(tf.matMul(pixels.reshape([1, -1]), kernel as tf.Tensor2D), bias!).reshape([-1]);
    return [s, tf.softmax(s)];
  });
  const sv = Array.from(await scores.data()), pv = Array.from(await probs.data());
  scores.dispose(); probs.dispose();
  const top = pv.indexOf(Math.max(...pv));
  const contrib = tf.tidy(() => tf.mul(pixels, tf.slice(kernel!, [0, top], [-1, 1]).reshape([-1])).reshape([PIXEL_SIZE, PIXEL_SIZE, 3]).sum(2));
  const cv = Float32Array.from(await contrib.data());
  contrib.dispose();
  const b = (await bias!.data())[top]!;
  return { pixels: floatsToBase64(Float32Array.from(await pixels.data())), scores: sv, probs: pv, top, contributions: floatsToBase64(cv), sum: sv[top]! - b };
}
