// Gradient × input: the gradient weighted by the pixel's own value, summed over RGB (signed).
// Shrikumar et al. 2016, "Not Just a Black Box", https://arxiv.org/abs/1605.01713
import * as tf from '@tensorflow/tfjs';
import type { GradientExplainer } from '../types';
import { inputGradients, reduceChannels, toMap } from '../util';

export const gradientXInput: GradientExplainer = {
  id: 'gradient-x-input',
  reduce: 'sum',
  async attribute(model, inputs, target) {
    const g = inputGradients(model, inputs, target);
    const out = tf.mul(g, inputs) as tf.Tensor4D;
    g.dispose();
    return out;
  },
  async explain(model, input, target, params, opts) {
    const a = await this.attribute(model, input, target, params, opts);
    return toMap(tf.tidy(() => reduceChannels(a, this.reduce)), this.id, target, true).finally(() => a.dispose());
  },
};
