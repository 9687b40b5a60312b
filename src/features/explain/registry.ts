// The methods the model host runs, by id: each implementation joined with its catalog entry (name, paper,
// default parameters), so what the popup lists and what the host runs cannot drift apart.
import { METHODS_LIST, type MethodInfo } from './catalog';
import { gradCam } from './methods/grad-cam';
import { gradCamPlusPlus } from './methods/grad-cam-plus-plus';
import { gradientXInput } from './methods/gradient-x-input';
import { integratedGradients } from './methods/integrated-gradients';
import { occlusion } from './methods/occlusion';
import { vanillaGradient } from './methods/vanilla-gradient';
import { ablationCam } from './methods/ablation-cam';
import { blurIg } from './methods/blur-ig';
import { eigenCam } from './methods/eigen-cam';
import { guidedBackprop } from './methods/guided-backprop';
import { guidedGradCam } from './methods/guided-grad-cam';
import { guidedIg } from './methods/guided-ig';
import { hiResCam } from './methods/hires-cam';
import { layerCam } from './methods/layer-cam';
import { lime } from './methods/lime';
import { rise } from './methods/rise';
import { scoreCam } from './methods/score-cam';
import { xGradCam } from './methods/xgrad-cam';
import { xrai } from './methods/xrai';
import { smoothGrad } from './smoothgrad';
import type { Explainer, Params } from './types';

export type Method = Explainer<Params> & MethodInfo;

// SmoothGrad wraps the gradient methods rather than being one itself.
const implementations = [
  gradCam, gradCamPlusPlus, vanillaGradient, gradientXInput, integratedGradients, occlusion,
  smoothGrad(vanillaGradient), smoothGrad(gradientXInput), smoothGrad(integratedGradients),
  xGradCam, hiResCam, layerCam, scoreCam, ablationCam, eigenCam, rise, lime, blurIg, guidedIg, xrai,
  smoothGrad(vanillaGradient, 'square'), smoothGrad(vanillaGradient, 'variance'), guidedBackprop, guidedGradCam,
] as unknown as Explainer<Params>[];

/** Each catalog entry with its implementation; either without the other is a programming error. */
export function joinMethods(catalog: readonly MethodInfo[], impls: readonly Explainer<Params>[]): Map<string, Method> {
  const byId = new Map(impls.map((m) => [m.id, m]));
  const joined = new Map<string, Method>();
  for (const info of catalog) {
    const impl = byId.get(info.id);
    if (!impl) throw new Error(`explanation method "${info.id}" is in the catalog but has no implementation`);
    joined.set(info.id, { ...info, ...impl });
    byId.delete(info.id);
  }
  if (byId.size) throw new Error(`explanation methods without a catalog entry: ${[...byId.keys()].join(', ')}`);
  return joined;
}

export const METHODS: ReadonlyMap<string, Method> = joinMethods(METHODS_LIST, implementations);

export function getMethod(id: string): Method {
  const m = METHODS.get(id);
  if (!m) throw new Error(`unknown explanation method "${id}"`);
  return m;
}
