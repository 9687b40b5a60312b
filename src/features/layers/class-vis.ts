// What the network thinks a class looks like: the class's pre-softmax score maximised from noise, with the
// same decorrelated Fourier image and transforms as for channels; then the model classifies its own picture.
import * as tf from '@tensorflow/tfjs';
import type { ExplainModel } from '../explain/types';
import type { ClassVis } from './contract';
import { visualiseChannel } from './feature-vis';

export interface ClassVisRun { pixels: Uint8ClampedArray; width: number; height: number; startScore: number; finalScore: number; top: { index: number; prob: number } }

export async function visualiseClass(model: ExplainModel, classIndex: number, opts: { steps: number; seed: number; signal?: AbortSignal; onProgress?: (f: number) => void }): Promise<ClassVisRun> {
  // The scores as a [1, 1, 1, classes] "map", so the class is one channel whose mean is its score.
  const scores = (x: tf.Tensor4D) => model.logits(x).reshape([1, 1, 1, -1]) as tf.Tensor4D;
  const r = await visualiseChannel(model, scores, classIndex, { steps: opts.steps, size: [model.inputShape[0], model.inputShape[1]], seed: opts.seed, signal: opts.signal, onProgress: opts.onProgress });
  const { scale, offset } = model.preprocess;
  const probs = tf.tidy(() => {
    const rgb = tf.tensor(r.pixels, [1, r.height, r.width, 4], 'float32').slice([0, 0, 0, 0], [1, -1, -1, 3]);
    return tf.softmax(model.logits(tf.add(tf.mul(rgb, scale), offset) as tf.Tensor4D)).reshape([-1]);
  });
  const p = await probs.data();
  probs.dispose();
  let best = 0;
  for (let i = 1; i < p.length; i++) if (p[i]! > p[best]!) best = i;
  return { pixels: r.pixels, width: r.width, height: r.height, startScore: r.startActivation, finalScore: r.finalActivation, top: { index: best, prob: p[best]! } };
}

export const classVisKey = (modelId: string, v: Pick<ClassVis, 'head' | 'classIndex' | 'seed' | 'steps'>) => `class|${modelId}|${v.head}|${v.classIndex}|${v.seed}|${v.steps}`;
