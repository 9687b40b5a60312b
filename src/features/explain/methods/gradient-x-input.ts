// Gradient × input: the gradient weighted by the pixel's own value, summed over RGB (signed).
// Shrikumar et al. 2016, "Not Just a Black Box", https://arxiv.org/abs/1605.01713
import * as tf from '@tensorflow/tfjs';
import { gradientMethod } from './gradient';
import { inputGradients } from '../util';

export const gradientXInput = gradientMethod({
  id: 'gradient-x-input',
  reduce: 'sum',
  attribute: async (model, inputs, target) => tf.tidy(() => tf.mul(inputGradients(model, inputs, target), inputs) as tf.Tensor4D),
});
