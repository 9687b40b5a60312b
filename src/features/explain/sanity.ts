// Model-randomisation sanity check (Adebayo et al. 2018, "Sanity Checks for Saliency Maps",
// https://arxiv.org/abs/1810.03292): re-initialise the top k weighted layers, in cascade from the logits, and
// re-run the method. A map that barely changes does not depend on what the model learned: it fails.
import * as tf from '@tensorflow/tfjs';
import type { LayersAdapter } from '../../engine/adapter';
import { resizeMap, spearman } from './metrics';
import type { SaliencyMap } from './types';

export interface SanityResult { layers: string[]; map: SaliencyMap; spearman: number; passes: boolean }

export { SANITY_THRESHOLD } from './contract';

/**
 * Runs `explain` with the top `k` weighted layers re-initialised (same shapes, seeded, as a freshly built layer), then puts the trained weights back — the shared model is a copy only for the
 * duration of the call, and the explain queue runs one job at a time.
 */
export async function withRandomisedTop<T>(adapter: LayersAdapter, k: number, run: () => Promise<T>, seed = 42): Promise<{ result: T; layers: string[] }> {
  const layers = adapter.weightedLayersFromTop().slice(0, Math.max(1, k));
  const saved = layers.map((l) => l.getWeights().map((w) => w.clone()));
  try {
    layers.forEach((l, li) => {
      // Fresh weights as a newly built layer would have them: kernels random (He-style, fan-in scaled),
      // biases 0, batch-norm as the identity (gamma 1, beta 0, mean 0, variance 1).
      const fresh = l.weights.map((v, wi) => tf.tidy(() => {
        const name = v.originalName ?? v.name;
        const shape = v.shape as number[];
        if (/gamma|moving_variance/.test(name)) return tf.ones(shape);
        if (/beta|moving_mean|bias/.test(name)) return tf.zeros(shape);
        const fanIn = shape.length >= 2 ? shape.slice(0, -1).reduce((a, b) => a * b, 1) : 1;
        return tf.randomNormal(shape, 0, Math.sqrt(2 / Math.max(1, fanIn)), 'float32', seed + 31 * li + wi);
      }));
      l.setWeights(fresh);
      fresh.forEach((t) => t.dispose());
    });
    return { result: await run(), layers: layers.map((l) => l.name) };
  } finally {
    layers.forEach((l, i) => { l.setWeights(saved[i]!); saved[i]!.forEach((t) => t.dispose()); });
  }
}

export function compareMaps(original: SaliencyMap, randomised: SaliencyMap): number {
  const abs = (m: SaliencyMap) => resizeMap({ ...m, values: m.values.map(Math.abs) }, original.width, original.height);
  return spearman(abs(original), abs(randomised));
}
