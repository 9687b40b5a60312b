// Vanilla gradient: how much each pixel would move the class score if nudged (max |∂score/∂pixel| over RGB).
// Simonyan, Vedaldi & Zisserman 2014, "Deep Inside Convolutional Networks", https://arxiv.org/abs/1312.6034
import * as tf from '@tensorflow/tfjs';
import type { GradientExplainer } from '../types';
import { inputGradients, reduceChannels, toMap } from '../util';

export const vanillaGradient: GradientExplainer = {
  id: 'gradient',
  reduce: 'max-abs',
  async attribute(model, inputs, target) {
    return inputGradients(model, inputs, target);
  },
  async explain(model, input, target, params, opts) {
    const a = await this.attribute(model, input, target, params, opts);
    return toMap(tf.tidy(() => reduceChannels(a, this.reduce)), this.id, target, false).finally(() => a.dispose());
  },
};
