// Grad-CAM: a conv layer's channels weighted by their average gradient — where the class evidence sits.
// Selvaraju et al. 2017, "Grad-CAM: Visual Explanations from Deep Networks", https://arxiv.org/abs/1610.02391
import * as tf from '@tensorflow/tfjs';
import { camExplainer, type CamSpec } from './cam';

/** α_c = mean over positions of ∂score/∂A_c */
export const gradCamWeights = (_A: tf.Tensor4D, G: tf.Tensor4D) => tf.tidy(() => G.mean([0, 1, 2]) as tf.Tensor1D);

export const gradCamSpec: CamSpec = { id: 'grad-cam', gradients: true, weights: (c) => gradCamWeights(c.A, c.G!) };

export const gradCam = camExplainer(gradCamSpec);
