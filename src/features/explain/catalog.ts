// The explanation methods as data, without TF.js: names, summaries, papers, parameters and their defaults.
// The popup reads it directly; the model host's registry joins each entry with its implementation.
export type ParamSpec =
  | { key: string; label: string; kind: 'number'; min: number; max: number; step: number }
  | { key: string; label: string; kind: 'choice'; options: string[] }
  | { key: string; label: string; kind: 'layer' };

type Defaults = Record<string, number | string | boolean>;
export type Family = 'cam' | 'gradient' | 'path' | 'perturbation' | 'smoothing' | 'fails';

/** What a run costs, in passes through the whole network (a backward pass costs about two forward ones). */
export interface Cost { forward: number; backward: number; note?: string }

export interface MethodInfo {
  id: string; name: string; summary: string; paper: string; defaults: Defaults; params: ParamSpec[]; slow: boolean;
  family: Family;
  cost: (p: Defaults) => Cost;
  /** Adebayo et al. 2018's model-randomisation test: the map barely changes with random top layers */
  failsSanity?: true;
  /** what the failure looks like for this method, when it is not simply "the map stays the same" */
  sanityNote?: string;
}

export const SANITY_PAPER = 'https://arxiv.org/abs/1810.03292';

/**
 * The method the Explain view opens with, chosen by measurement (npm run faithfulness; the table in the README):
 * over the shared photos it meets deletion ≤ 0.5× and insertion ≥ 1.5× random on all three substrates, with room
 * to spare, and passes the sanity check on every photo. Grad-CAM (0.64× deletion) and the vanilla gradient
 * (1.66× insertion, too close to the line) do not, or barely.
 */
export const DEFAULT_METHOD = 'blur-ig';

const num = (p: Defaults, k: string) => Math.max(1, Math.round(Number(p[k]) || 1));
const once: MethodInfo['cost'] = () => ({ forward: 1, backward: 1 });
const layer: ParamSpec = { key: 'layer', label: 'layer', kind: 'layer' };
const cam = (id: string, name: string, summary: string, paper: string, cost: MethodInfo['cost'] = once, extra: Partial<MethodInfo> = {}): MethodInfo =>
  ({ id, name, summary, paper, defaults: { layer: '' }, params: [layer], slow: false, family: 'cam', cost, ...extra });

/** "1 forward + 1 backward pass", for the picker. */
export function costLine(info: MethodInfo, params: Defaults): string {
  const c = info.cost({ ...info.defaults, ...params });
  const parts = [c.forward ? `${c.forward} forward` : '', c.backward ? `${c.backward} backward` : ''].filter(Boolean);
  const total = c.forward + c.backward;
  return `${parts.join(' + ')} pass${total === 1 ? '' : 'es'}${c.note ? ` (${c.note})` : ''}`;
}

const smooth: ParamSpec[] = [
  { key: 'samples', label: 'samples (n)', kind: 'number', min: 1, max: 100, step: 1 },
  { key: 'sigma', label: 'noise σ (fraction of range)', kind: 'number', min: 0, max: 0.5, step: 0.05 },
];
const ig: ParamSpec[] = [
  { key: 'steps', label: 'steps (m)', kind: 'number', min: 2, max: 256, step: 1 },
  { key: 'baseline', label: 'baseline', kind: 'choice', options: ['blurred', 'black'] },
  { key: 'rule', label: 'integration rule', kind: 'choice', options: ['trapezoid', 'gauss-legendre'] },
];

export const METHODS_LIST: MethodInfo[] = [
  { id: 'grad-cam', name: 'Grad-CAM', summary: 'Which regions of a late conv layer push the class score up (coarse but class-specific).', paper: 'https://arxiv.org/abs/1610.02391', defaults: { layer: '' }, params: [layer], slow: false, family: 'cam', cost: once },
  { id: 'grad-cam-plus-plus', name: 'Grad-CAM++', summary: 'Grad-CAM with per-position weights, so several parts of an object can all light up.', paper: 'https://arxiv.org/abs/1710.11063', defaults: { layer: '' }, params: [layer], slow: false, family: 'cam', cost: once },
  { id: 'gradient', name: 'Vanilla gradient', summary: 'How strongly each pixel would change the class score if it were nudged.', paper: 'https://arxiv.org/abs/1312.6034', defaults: {}, params: [], slow: false, family: 'gradient', cost: once },
  { id: 'gradient-x-input', name: 'Gradient × input', summary: 'Each pixel’s gradient times the pixel itself: a first-order estimate of its contribution.', paper: 'https://arxiv.org/abs/1605.01713', defaults: {}, params: [], slow: false, family: 'gradient', cost: once },
  // Blurred + trapezoid by default: on MobileNet v1 0.75 at 64 steps it keeps completeness within 0.5 %, while a
  // black baseline's path crosses far-from-natural images and stays 8–16 % off (measured on eagle/dog).
  { id: 'integrated-gradients', name: 'Integrated Gradients', summary: 'Adds up the gradient along a path from a blank image to this one; the parts sum to the score change.', paper: 'https://arxiv.org/abs/1703.01365', defaults: { steps: 32, baseline: 'blurred', rule: 'trapezoid' }, params: ig, slow: true, family: 'path', cost: (p) => ({ forward: 2, backward: num(p, 'steps') + 1 }) },
  { id: 'occlusion', name: 'Occlusion', summary: 'Covers the image patch by patch and measures how much the class probability drops.', paper: 'https://arxiv.org/abs/1311.2901', defaults: { patch: 32, stride: 16 }, params: [
    { key: 'patch', label: 'patch (px)', kind: 'number', min: 4, max: 112, step: 4 },
    { key: 'stride', label: 'stride (px)', kind: 'number', min: 2, max: 112, step: 2 },
  ], slow: true, family: 'perturbation', cost: (p) => { const n = Math.ceil((224 - num(p, 'patch')) / num(p, 'stride') + 1); return { forward: n * n + 1, backward: 0, note: 'on wasm and cpu, each recomputes only what its patch reaches: about half a pass' }; } },
  { id: 'smoothgrad:gradient', name: 'SmoothGrad (Vanilla gradient)', summary: 'Vanilla gradient averaged over noisy copies of the image: less speckle, same idea.', paper: 'https://arxiv.org/abs/1706.03825', defaults: { samples: 25, sigma: 0.15 }, params: smooth, slow: true, family: 'smoothing', cost: (p) => ({ forward: 0, backward: num(p, 'samples') }) },
  { id: 'smoothgrad:gradient-x-input', name: 'SmoothGrad (Gradient × input)', summary: 'Gradient × input averaged over noisy copies of the image: less speckle, same idea.', paper: 'https://arxiv.org/abs/1706.03825', defaults: { samples: 25, sigma: 0.15 }, params: smooth, slow: true, family: 'smoothing', cost: (p) => ({ forward: 0, backward: num(p, 'samples') }) },
  // n × m backward passes: smaller defaults keep it to ~128 passes.
  { id: 'smoothgrad:integrated-gradients', name: 'SmoothGrad (Integrated Gradients)', summary: 'Integrated Gradients averaged over noisy copies of the image (slow: n × m passes).', paper: 'https://arxiv.org/abs/1706.03825', defaults: { samples: 8, sigma: 0.15, steps: 16, baseline: 'blurred', rule: 'trapezoid' }, params: [...smooth, ...ig], slow: true, family: 'smoothing', cost: (p) => ({ forward: 0, backward: num(p, 'samples') * (num(p, 'steps') + 1) }) },
  cam('xgrad-cam', 'XGrad-CAM', 'Grad-CAM with each channel’s gradient averaged where the channel is active, so the map adds up to the score for ReLU networks.', 'https://arxiv.org/abs/2008.02312'),
  cam('hires-cam', 'HiRes-CAM', 'Gradient times activation at every position, summed over channels: exactly the locations the score reads out.', 'https://arxiv.org/abs/2011.08891'),
  cam('layer-cam', 'LayerCAM', 'Like HiRes-CAM with only positive gradients: usable at shallow layers, where it shows finer detail.', 'https://doi.org/10.1109/TIP.2021.3089943'),
  cam('score-cam', 'Score-CAM', 'Masks the image with each channel in turn; the class probability of the masked image is that channel’s weight. No gradients.', 'https://arxiv.org/abs/1910.01279',
    (p) => ({ forward: num(p, 'channels') + 2, backward: 0 }), { defaults: { layer: '', channels: 64 }, params: [layer, { key: 'channels', label: 'channels (top-N by variance)', kind: 'number', min: 1, max: 2048, step: 1 }], slow: true }),
  cam('ablation-cam', 'Ablation-CAM', 'Switches each channel off in turn and measures how far the class score falls. No gradients.', 'https://doi.org/10.1109/WACV45572.2020.9093360',
    () => ({ forward: 1, backward: 0, note: 'plus one pass of the layers after the cut per channel' })),
  cam('eigen-cam', 'Eigen-CAM', 'The layer’s first principal component: what its activations vary along most. No gradients, and the same map for every class.', 'https://arxiv.org/abs/2008.00299',
    () => ({ forward: 1, backward: 0 })),
  { id: 'rise', name: 'RISE', summary: 'Shows the model many randomly masked copies; a pixel scores the average probability of the copies that kept it.', paper: 'https://arxiv.org/abs/1806.07421',
    defaults: { masks: 500, grid: 7, keep: 0.5 }, params: [
      { key: 'masks', label: 'masks (N)', kind: 'number', min: 10, max: 8000, step: 10 },
      { key: 'grid', label: 'grid cells', kind: 'number', min: 2, max: 32, step: 1 },
      { key: 'keep', label: 'keep probability', kind: 'number', min: 0.1, max: 0.9, step: 0.1 },
    ], slow: true, family: 'perturbation', cost: (p) => ({ forward: num(p, 'masks'), backward: 0 }) },
  { id: 'lime', name: 'LIME', summary: 'Cuts the image into superpixels, switches random sets of them off, and fits a weighted linear model of the probability.', paper: 'https://arxiv.org/abs/1602.04938',
    defaults: { samples: 300, segments: 50 }, params: [
      { key: 'samples', label: 'samples', kind: 'number', min: 20, max: 4000, step: 10 },
      { key: 'segments', label: 'superpixels', kind: 'number', min: 4, max: 400, step: 1 },
    ], slow: true, family: 'perturbation', cost: (p) => ({ forward: num(p, 'samples'), backward: 0 }) },
  { id: 'blur-ig', name: 'Blur IG', summary: 'Integrated Gradients along a path from a heavily blurred copy to the image: the baseline is the image without detail.', paper: 'https://arxiv.org/abs/2004.03383',
    defaults: { steps: 20, maxSigma: 37 }, params: [
      { key: 'steps', label: 'steps', kind: 'number', min: 2, max: 200, step: 1 },
      { key: 'maxSigma', label: 'strongest blur σ (px)', kind: 'number', min: 1, max: 100, step: 1 },
    ], slow: true, family: 'path', cost: (p) => ({ forward: 0, backward: num(p, 'steps') + 1 }) },
  { id: 'guided-ig', name: 'Guided IG', summary: 'Integrated Gradients on an adaptive path: pixels with the smallest gradient move first, which avoids noisy steep regions.', paper: 'https://arxiv.org/abs/2106.09788',
    defaults: { steps: 32, fraction: 0.25, band: 0.1, baseline: 'blurred' }, params: [
      { key: 'steps', label: 'steps', kind: 'number', min: 2, max: 200, step: 1 },
      { key: 'fraction', label: 'fraction moved per round', kind: 'number', min: 0.05, max: 1, step: 0.05 },
      { key: 'band', label: 'max distance from the straight path', kind: 'number', min: 0, max: 1, step: 0.05 },
      { key: 'baseline', label: 'baseline', kind: 'choice', options: ['blurred', 'black'] },
    ], slow: true, family: 'path', cost: (p) => ({ forward: 0, backward: num(p, 'steps'), note: 'one at a time: each step starts where the last one ended' }) },
  { id: 'xrai', name: 'XRAI', summary: 'Integrated Gradients summed over superpixels at several scales; regions are added greedily, densest evidence first.', paper: 'https://arxiv.org/abs/1906.02825',
    defaults: { steps: 32 }, params: [{ key: 'steps', label: 'IG steps', kind: 'number', min: 2, max: 256, step: 1 }],
    slow: true, family: 'path', cost: (p) => ({ forward: 2, backward: num(p, 'steps') + 1 }) },
  { id: 'smoothgrad-sq:gradient', name: 'SmoothGrad² (Vanilla gradient)', summary: 'The mean of the squared gradient over noisy copies: like SmoothGrad, but strong spots count more.', paper: 'https://arxiv.org/abs/1806.10758',
    defaults: { samples: 25, sigma: 0.15 }, params: smooth, slow: true, family: 'smoothing', cost: (p) => ({ forward: 0, backward: num(p, 'samples') }) },
  { id: 'vargrad:gradient', name: 'VarGrad (Vanilla gradient)', summary: 'The variance of the gradient over noisy copies: where the gradient is unstable.', paper: 'https://arxiv.org/abs/1810.03307',
    defaults: { samples: 25, sigma: 0.15 }, params: smooth, slow: true, family: 'smoothing', cost: (p) => ({ forward: 0, backward: num(p, 'samples') }) },
  { id: 'guided-backprop', name: 'Guided Backprop', summary: 'The gradient with every ReLU passing back only positive values: crisp edges, but it ignores what the model learned.', paper: 'https://arxiv.org/abs/1412.6806',
    defaults: {}, params: [], slow: false, family: 'fails', cost: once, failsSanity: true },
  { id: 'guided-grad-cam', name: 'Guided Grad-CAM', summary: 'Guided Backprop times Grad-CAM: sharp and class-coloured, but it inherits Guided Backprop’s failure.', paper: 'https://arxiv.org/abs/1610.02391',
    defaults: { layer: '' }, params: [layer], slow: false, family: 'fails', cost: () => ({ forward: 2, backward: 2 }), failsSanity: true,
    sanityNote: 'Its rank correlation can drop, because its coarse Grad-CAM factor changes with the weights; the fine detail you see is Guided Backprop’s, and that stays the same.' },
];

export const METHOD_INFO: ReadonlyMap<string, MethodInfo> = new Map(METHODS_LIST.map((m) => [m.id, m]));
