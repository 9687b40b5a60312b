// Grad-CAM: a conv layer's channels weighted by their average gradient — where the class evidence sits.
// Selvaraju et al. 2017, "Grad-CAM: Visual Explanations from Deep Networks", https://arxiv.org/abs/1610.02391
import * as tf from '@tensorflow/tfjs';
import { camExplainer, type ChannelWeights } from './cam';

/** α_c = mean over positions of ∂score/∂A_c */
export const gradCamWeights: ChannelWeights = (_A, G) => tf.tidy(() => G.mean([0, 1, 2]) as tf.Tensor1D);

export const gradCam = camExplainer({
  id: 'grad-cam',
  weights: gradCamWeights,
});
