// XRAI: Integrated Gradients summed over superpixels at several scales; regions are added greedily, the one
// with the most attribution per new pixel first, so the map ranks whole regions rather than single pixels.
// Kapishnikov et al. 2019, "XRAI: Better Attributions Through Regions", https://arxiv.org/abs/1906.02825
import * as tf from '@tensorflow/tfjs';
import { slic } from '../slic';
import { xraiRegions } from '../xrai-regions';
import type { Explainer, Params } from '../types';
import { integratedGradients } from './integrated-gradients';
import { toMap } from '../util';

interface XraiParams extends Params { steps: number }

/** Superpixel counts per scale at 224 px: coarse object parts down to small patches. */
export const XRAI_SCALES = [16, 48, 128] as const;

export const xrai: Explainer<XraiParams> = {
  id: 'xrai',
  async explain(model, input, target, params, opts = {}) {
    const [h, w] = model.inputShape;
    // The paper integrates from black and white baselines; ours keeps IG's default blurred baseline, which has
    // the smaller completeness error on these models (see integrated-gradients.ts).
    const attrT = await integratedGradients.attribute(model, input, target, { steps: params.steps, baseline: 'blurred', rule: 'trapezoid' }, { ...opts, onProgress: (f) => opts.onProgress?.(0.9 * f) });
    const perPixel = tf.tidy(() => attrT.squeeze([0]).sum(2));
    attrT.dispose();
    const attr = (await perPixel.data()) as Float32Array;
    perPixel.dispose();
    const pixels = await input.data();
    const segmentations = XRAI_SCALES.map((s) => slic(pixels, w, h, { segments: Math.max(2, Math.round(s * (h * w) / (224 * 224))) }).labels);
    const { map, order } = xraiRegions(attr, w, h, segmentations);
    opts.onProgress?.(1);
    let regions = 0;
    for (const o of order) if (o + 1 > regions) regions = o + 1;
    return toMap(tf.tensor2d(map, [h, w]), this.id, target, false, { regions });
  },
};
