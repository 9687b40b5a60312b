// HiRes-CAM: the gradient multiplies the activations position by position instead of being averaged first, so
// the map shows exactly the locations the score's linear read-out uses.
// Draelos & Carin 2020, "Use HiResCAM instead of Grad-CAM", https://arxiv.org/abs/2011.08891
import { camExplainer, type CamSpec } from './cam';

export const hiResCamSpec: CamSpec = { id: 'hires-cam', gradients: true, weights: (c) => c.G!.clone() };

export const hiResCam = camExplainer(hiResCamSpec);
