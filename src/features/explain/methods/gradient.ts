// The base of the gradient methods: a method supplies per-input attributions [B, H, W, C]; this turns one input's
// attributions into a map (max |·| over RGB for magnitudes, Σ over RGB for signed contributions). SmoothGrad and
// its variants wrap any method built here.
import * as tf from '@tensorflow/tfjs';
import type { ExplainModel, GradientExplainer, Params, RunOptions, Target } from '../types';
import { reduceChannels, toMap } from '../util';

export interface GradientSpec<P extends Params> {
  id: string;
  reduce: 'max-abs' | 'sum';
  /** tidy or disposing; the caller owns the result */
  attribute(model: ExplainModel, inputs: tf.Tensor4D, target: Target, params: P, opts: RunOptions): Promise<tf.Tensor4D>;
}

export function gradientMethod<P extends Params = Params>(spec: GradientSpec<P>): GradientExplainer<P> {
  return {
    id: spec.id,
    reduce: spec.reduce,
    attribute: (model, inputs, target, params, opts = {}) => spec.attribute(model, inputs, target, params, opts),
    async explain(model, input, target, params, opts = {}) {
      const a = await spec.attribute(model, input, target, params, opts);
      return toMap(tf.tidy(() => reduceChannels(a, spec.reduce)), spec.id, target, spec.reduce === 'sum').finally(() => a.dispose());
    },
  };
}
