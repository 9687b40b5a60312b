// Guided Grad-CAM: Guided Backpropagation's fine map times the upsampled Grad-CAM. It inherits Guided
// Backpropagation's failure of the sanity check (Adebayo et al. 2018, arXiv 1810.03292).
// Selvaraju et al. 2017, "Grad-CAM", section 3.1, https://arxiv.org/abs/1610.02391
import * as tf from '@tensorflow/tfjs';
import type { Explainer } from '../types';
import { reduceChannels, toMap } from '../util';
import { camUpsampled, type CamParams } from './cam';
import { guidedBackprop } from './guided-backprop';
import { gradCamSpec } from './grad-cam';

export const guidedGradCam: Explainer<CamParams> = {
  id: 'guided-grad-cam',
  async explain(model, input, target, params, opts = {}) {
    const cam = await camUpsampled(model, input, target, gradCamSpec, params, opts);
    let gb: tf.Tensor4D;
    try { gb = await guidedBackprop.attribute(model, input, target, params, opts); } catch (e) { cam.dispose(); throw e; }
    const map = tf.tidy(() => tf.mul(reduceChannels(gb, 'max-abs'), cam) as tf.Tensor2D);
    cam.dispose(); gb.dispose();
    return toMap(map, this.id, target, false);
  },
};
