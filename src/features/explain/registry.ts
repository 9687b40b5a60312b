// The methods the UI offers, by id. SmoothGrad wraps the gradient methods rather than being one itself.
import { gradCam } from './methods/grad-cam';
import { gradCamPlusPlus } from './methods/grad-cam-plus-plus';
import { gradientXInput } from './methods/gradient-x-input';
import { integratedGradients } from './methods/integrated-gradients';
import { occlusion } from './methods/occlusion';
import { vanillaGradient } from './methods/vanilla-gradient';
import { smoothGrad } from './smoothgrad';
import type { Explainer, Params } from './types';

export const GRADIENT_METHODS = [vanillaGradient, gradientXInput, integratedGradients] as const;

const all: Explainer<Params>[] = [
  gradCam as Explainer<Params>,
  gradCamPlusPlus as Explainer<Params>,
  vanillaGradient,
  gradientXInput,
  integratedGradients as unknown as Explainer<Params>,
  occlusion as unknown as Explainer<Params>,
  smoothGrad(vanillaGradient) as unknown as Explainer<Params>,
  smoothGrad(gradientXInput) as unknown as Explainer<Params>,
  // n × m backward passes: smaller defaults keep it to ~128 passes.
  smoothGrad(integratedGradients, { samples: 8, steps: 16 }) as unknown as Explainer<Params>,
];

export const METHODS: ReadonlyMap<string, Explainer<Params>> = new Map(all.map((m) => [m.id, m]));

export function getMethod(id: string): Explainer<Params> {
  const m = METHODS.get(id);
  if (!m) throw new Error(`unknown explanation method "${id}"`);
  return m;
}
