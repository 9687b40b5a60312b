// Vanilla gradient: how much each pixel would move the class score if nudged (max |∂score/∂pixel| over RGB).
// Simonyan, Vedaldi & Zisserman 2014, "Deep Inside Convolutional Networks", https://arxiv.org/abs/1312.6034
import { gradientMethod } from './gradient';
import { inputGradients } from '../util';

export const vanillaGradient = gradientMethod({
  id: 'gradient',
  reduce: 'max-abs',
  attribute: async (model, inputs, target) => inputGradients(model, inputs, target),
});
