// The explanation methods as data, without TF.js: names, summaries, papers, parameters and their defaults.
// The popup reads it directly; the model host's registry joins each entry with its implementation.
export type ParamSpec =
  | { key: string; label: string; kind: 'number'; min: number; max: number; step: number }
  | { key: string; label: string; kind: 'choice'; options: string[] }
  | { key: string; label: string; kind: 'layer' };

export interface MethodInfo { id: string; name: string; summary: string; paper: string; defaults: Record<string, number | string | boolean>; params: ParamSpec[]; slow: boolean }

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
  { id: 'grad-cam', name: 'Grad-CAM', summary: 'Which regions of a late conv layer push the class score up (coarse but class-specific).', paper: 'https://arxiv.org/abs/1610.02391', defaults: { layer: '' }, params: [{ key: 'layer', label: 'layer', kind: 'layer' }], slow: false },
  { id: 'grad-cam-plus-plus', name: 'Grad-CAM++', summary: 'Grad-CAM with per-position weights, so several parts of an object can all light up.', paper: 'https://arxiv.org/abs/1710.11063', defaults: { layer: '' }, params: [{ key: 'layer', label: 'layer', kind: 'layer' }], slow: false },
  { id: 'gradient', name: 'Vanilla gradient', summary: 'How strongly each pixel would change the class score if it were nudged.', paper: 'https://arxiv.org/abs/1312.6034', defaults: {}, params: [], slow: false },
  { id: 'gradient-x-input', name: 'Gradient × input', summary: 'Each pixel’s gradient times the pixel itself: a first-order estimate of its contribution.', paper: 'https://arxiv.org/abs/1605.01713', defaults: {}, params: [], slow: false },
  // Blurred + trapezoid by default: on MobileNet v1 0.75 at 64 steps it keeps completeness within 0.5 %, while a
  // black baseline's path crosses far-from-natural images and stays 8–16 % off (measured on eagle/dog).
  { id: 'integrated-gradients', name: 'Integrated Gradients', summary: 'Adds up the gradient along a path from a blank image to this one; the parts sum to the score change.', paper: 'https://arxiv.org/abs/1703.01365', defaults: { steps: 32, baseline: 'blurred', rule: 'trapezoid' }, params: ig, slow: true },
  { id: 'occlusion', name: 'Occlusion', summary: 'Covers the image patch by patch and measures how much the class probability drops.', paper: 'https://arxiv.org/abs/1311.2901', defaults: { patch: 32, stride: 16 }, params: [
    { key: 'patch', label: 'patch (px)', kind: 'number', min: 4, max: 112, step: 4 },
    { key: 'stride', label: 'stride (px)', kind: 'number', min: 2, max: 112, step: 2 },
  ], slow: true },
  { id: 'smoothgrad:gradient', name: 'SmoothGrad (Vanilla gradient)', summary: 'Vanilla gradient averaged over noisy copies of the image: less speckle, same idea.', paper: 'https://arxiv.org/abs/1706.03825', defaults: { samples: 25, sigma: 0.15 }, params: smooth, slow: true },
  { id: 'smoothgrad:gradient-x-input', name: 'SmoothGrad (Gradient × input)', summary: 'Gradient × input averaged over noisy copies of the image: less speckle, same idea.', paper: 'https://arxiv.org/abs/1706.03825', defaults: { samples: 25, sigma: 0.15 }, params: smooth, slow: true },
  // n × m backward passes: smaller defaults keep it to ~128 passes.
  { id: 'smoothgrad:integrated-gradients', name: 'SmoothGrad (Integrated Gradients)', summary: 'Integrated Gradients averaged over noisy copies of the image (slow: n × m passes).', paper: 'https://arxiv.org/abs/1706.03825', defaults: { samples: 8, sigma: 0.15, steps: 16, baseline: 'blurred', rule: 'trapezoid' }, params: [...smooth, ...ig], slow: true },
];

export const METHOD_INFO: ReadonlyMap<string, MethodInfo> = new Map(METHODS_LIST.map((m) => [m.id, m]));
