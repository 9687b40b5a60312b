// Guided Backpropagation: the input gradient with every ReLU passing back only positive gradients. Its maps look
// crisp, but they barely change when the top layers are randomised: they show edges of the image, not what the
// model learned. Taught here as a method that FAILS the sanity check (Adebayo et al. 2018, arXiv 1810.03292).
// Springenberg et al. 2015, "Striving for Simplicity: The All Convolutional Net", https://arxiv.org/abs/1412.6806
import { withGuidedActivations } from '../../../engine/kernels/fused-blocks';
import { gradientMethod } from './gradient';
import { inputGradients } from '../util';

export const guidedBackprop = gradientMethod({
  id: 'guided-backprop',
  reduce: 'max-abs',
  attribute: (model, inputs, target) => withGuidedActivations(async () => inputGradients(model, inputs, target)),
});
