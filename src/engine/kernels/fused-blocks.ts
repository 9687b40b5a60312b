// The conv blocks CNNs are made of — a Conv2D or DepthwiseConv2D, the batch norm after it and the activation
// after that — run as ONE fused kernel, the batch norm folded into the filter and bias. Inference uses them
// (three kernels a block become one), and so do gradients, with a hand-written backward pass: the activation's
// mask (one kernel on wasm: activation-grad.ts), then one stride-1 conv with the filter rotated 180° (precomputed
// once). Layer by layer, each block cost five forward kernels and about ten backward ones, several of them slow on
// wasm (Minimum and Greater with a broadcast scalar run 5–10× slower than a clamp), plus a copy of every saved
// activation; and the rotated filter was rebuilt on every call, so XNNPACK re-packed its weights every time. Only the input gradient is computed:
// the weights are constants here.
import * as tf from '@tensorflow/tfjs';
import { activationGrad } from './activation-grad';
import { conv2dInputGrad, depthwiseInputGrad, subPixelFilter, subPixelInputGrad } from './wasm-grads';

type BlockActivation = { kind: 'linear' | 'relu' | 'relu6' } | { kind: 'leakyrelu'; alpha: number };

export interface BlockPlan {
  /** the last chain index the block covers (it starts at the conv) */
  to: number;
  conv: tf.layers.Layer;
  bn: tf.layers.Layer | null;
  act: BlockActivation;
}

interface ConvConfig { strides: [number, number]; padding: 'same' | 'valid'; dilationRate: number | [number, number]; dataFormat?: string; useBias: boolean }
type HasActivation = { activation?: { getClassName(): string } };

/** The activation a layer applies, when it is one the fused kernels have (null otherwise). */
function activationOf(layer: tf.layers.Layer): BlockActivation | null {
  const kind = layer.getClassName();
  const cfg = layer.getConfig() as Record<string, unknown>;
  if (kind === 'Activation') {
    const a = cfg.activation;
    return a === 'relu' || a === 'relu6' || a === 'linear' ? { kind: a } : null;
  }
  if (kind === 'ReLU') {
    const max = cfg.maxValue as number | null | undefined;
    if (cfg.threshold || cfg.negativeSlope) return null;
    return max == null ? { kind: 'relu' } : max === 6 ? { kind: 'relu6' } : null;
  }
  if (kind === 'LeakyReLU') return { kind: 'leakyrelu', alpha: (cfg.alpha as number | undefined) ?? 0.3 };
  return null;
}

/** The longest fusable block starting at chain[i] and ending at or before chain[limit], or null. */
export function planBlock(chain: readonly tf.layers.Layer[], i: number, limit: number): BlockPlan | null {
  const conv = chain[i];
  if (!conv) return null;
  const kind = conv.getClassName();
  if (kind !== 'Conv2D' && kind !== 'DepthwiseConv2D') return null;
  const c = conv.getConfig() as unknown as ConvConfig;
  const d = typeof c.dilationRate === 'number' ? [c.dilationRate, c.dilationRate] : c.dilationRate;
  if (d[0] !== 1 || d[1] !== 1 || (c.dataFormat && c.dataFormat !== 'channelsLast')) return null;
  const own = (conv as unknown as HasActivation).activation?.getClassName() ?? 'linear';
  let act: BlockActivation | null = own === 'linear' || own === 'relu' || own === 'relu6' ? { kind: own } : null;
  if (!act) return null;
  let j = i, bn: tf.layers.Layer | null = null;
  const next = chain[j + 1];
  if (act.kind === 'linear' && j + 1 <= limit && next?.getClassName() === 'BatchNormalization') {
    const axis = (next.getConfig() as { axis: number }).axis;
    if (axis === -1 || axis === 3) { bn = next; j++; }
  }
  if (act.kind === 'linear' && j + 1 <= limit) {
    const a = activationOf(chain[j + 1]!);
    if (a) { act = a; j++; }
  }
  return { to: j, conv, bn, act };
}

/** The model's layers after its input, if each feeds the next and nothing else (null for graphs with branches). */
export function plainChain(model: tf.LayersModel): tf.layers.Layer[] | null {
  const layers = model.layers;
  const chain = layers.slice(layers[0]?.getClassName() === 'InputLayer' ? 1 : 0);
  for (let i = 1; i < chain.length; i++) {
    const inbound = (chain[i] as unknown as { inboundNodes: { inboundLayers: tf.layers.Layer[] }[] }).inboundNodes[0]?.inboundLayers;
    if (inbound?.length !== 1 || inbound[0] !== chain[i - 1]) return null;
  }
  return chain;
}

/**
 * Runs chain[from..to] in inference mode, each fusable block as one kernel, everything else by layer.apply.
 * `other` may take over a layer that is not in a block (the adapter's linear logits, constant batch norm).
 */
export function runChain(blocks: FusedBlocks, chain: readonly tf.layers.Layer[], x: tf.Tensor, from: number, to: number, other?: (i: number, y: tf.Tensor) => tf.Tensor | null): tf.Tensor {
  let y = x;
  for (let i = from; i <= to; i++) {
    const block = y.rank === 4 ? planBlock(chain, i, to) : null;
    if (block) {
      y = blocks.apply(block, y as tf.Tensor4D);
      i = block.to;
    } else {
      y = other?.(i, y) ?? chain[i]!.apply(y, { training: false }) as tf.Tensor;
    }
  }
  return y;
}

/**
 * A block's constants: folded filter and bias, and the filter as the input gradient uses it: rotated, or split
 * into phases for a strided regular conv (`subPixel`, the stride; 0 otherwise).
 */
interface Folded { ids: object[]; filter: tf.Tensor4D; bias: tf.Tensor1D; back: tf.Tensor4D; subPixel: number }

const weightIds = (p: BlockPlan) => [...p.conv.getWeights(), ...(p.bn?.getWeights() ?? [])].map((w) => w.dataId as object);

function fold(p: BlockPlan): Folded {
  const ids = weightIds(p);
  const t = tf.tidy(() => {
    const depthwise = p.conv.getClassName() === 'DepthwiseConv2D';
    const c = p.conv.getConfig() as unknown as ConvConfig;
    const [kernel, convBias] = p.conv.getWeights() as [tf.Tensor4D, tf.Tensor1D | undefined];
    const [kh, kw, cin, cm] = kernel.shape;
    const outCh = depthwise ? cin * cm : cm;
    let filter: tf.Tensor4D = kernel;
    let bias: tf.Tensor1D = c.useBias && convBias ? convBias : tf.zeros([outCh]);
    if (p.bn) {
      const bc = p.bn.getConfig() as unknown as { epsilon: number; center: boolean; scale: boolean };
      const w = p.bn.getWeights();
      let k = 0;
      const gamma = bc.scale ? w[k++]! : null;
      const beta = bc.center ? w[k++]! : null;
      const [mean, variance] = [w[k++]!, w[k++]!];
      // BN(z) = (z − mean)·γ/√(var + ε) + β = z·a + b: scale the filter's output channels by a.
      const inv = tf.rsqrt(tf.add(variance, bc.epsilon));
      const a = (gamma ? tf.mul(inv, gamma) : inv) as tf.Tensor1D;
      filter = tf.mul(kernel, depthwise ? a.reshape([1, 1, cin, cm]) : a) as tf.Tensor4D;
      bias = tf.add(tf.mul(tf.sub(bias, mean), a), beta ?? 0) as tf.Tensor1D;
    }
    const rotated = tf.reverse(filter, [0, 1]);
    const [sh, sw] = typeof c.strides === 'number' ? [c.strides, c.strides] : c.strides;
    const dil = c.dilationRate === undefined || c.dilationRate === 1 || (Array.isArray(c.dilationRate) && c.dilationRate.every((d) => d === 1));
    const subPixel = !depthwise && sh > 1 && sh === sw && dil ? sh : 0;
    const back = (subPixel ? subPixelFilter(filter, subPixel) : depthwise ? rotated.reshape([kh, kw, cin * cm, 1]) : tf.transpose(rotated, [0, 1, 3, 2])) as tf.Tensor4D;
    // Copies, so the cache owns its tensors even when nothing was folded (filter may be the layer's own weight).
    return { filter: tf.clone(filter), bias: tf.clone(bias), back: tf.clone(back), subPixel };
  });
  return { ids, ...t };
}

let guidedDepth = 0;

/**
 * Runs `fn` with "guided" activation gradients: backward through every block's activation passes only positive
 * gradients, as Guided Backpropagation defines it (Springenberg et al. 2015, https://arxiv.org/abs/1412.6806).
 * Explanation jobs run one at a time, so the switch cannot leak into another job's gradients.
 */
export async function withGuidedActivations<T>(fn: () => Promise<T>): Promise<T> {
  guidedDepth++;
  try { return await fn(); } finally { guidedDepth--; }
}

/** dL/dz of the block's activation, from its output y (every kind here keeps the input's sign). */
function blockActivationGrad(act: BlockActivation, dy: tf.Tensor4D, y: tf.Tensor4D): tf.Tensor4D {
  if (act.kind === 'linear') return dy;
  return activationGrad(dy, y, {
    max: act.kind === 'relu6' ? 6 : Infinity,
    alpha: act.kind === 'leakyrelu' ? act.alpha : 0,
    guided: guidedDepth > 0,
  });
}

/** Compiled blocks of one model, keyed by their first layer; rebuilt when the weights change (sanity check). */
export class FusedBlocks {
  private readonly folded = new Map<string, Folded>();

  private constants(p: BlockPlan): Folded {
    const key = `${p.conv.name}|${p.bn?.name ?? ''}`;
    const have = this.folded.get(key);
    const ids = weightIds(p);
    if (have && have.ids.length === ids.length && have.ids.every((id, i) => id === ids[i])) return have;
    if (have) { have.filter.dispose(); have.bias.dispose(); have.back.dispose(); }
    const f = fold(p);
    [f.filter, f.bias, f.back].forEach((t) => tf.keep(t)); // may be first built inside a caller's tidy
    this.folded.set(key, f);
    return f;
  }

  /**
   * Folds every block of chain[0..last] up front, so the owner (the loaded model, or an adapter of its own) holds
   * its constants from construction to dispose(); a cut inside a block, e.g. a CAM layer at a conv before its
   * batch norm, folds that part on first use.
   */
  prepare(chain: readonly tf.layers.Layer[], last: number): void {
    for (let i = 0; i <= last; i++) {
      const p = planBlock(chain, i, last);
      if (p) { this.constants(p); i = p.to; }
    }
  }

  /** The block's forward kernel alone, with another padding: 'valid' on a crop that carries its own border. */
  forward(p: BlockPlan, x: tf.Tensor4D, pad: 'same' | 'valid'): tf.Tensor4D {
    const k = this.constants(p);
    const c = p.conv.getConfig() as unknown as ConvConfig;
    const attrs = { strides: c.strides, pad, dataFormat: 'NHWC', dilations: [1, 1], activation: p.act.kind, leakyreluAlpha: p.act.kind === 'leakyrelu' ? p.act.alpha : undefined };
    return tf.engine().runKernel(p.conv.getClassName() === 'DepthwiseConv2D' ? 'FusedDepthwiseConv2D' : 'FusedConv2D', { x, filter: k.filter, bias: k.bias }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor4D;
  }

  /** Applies the block: one fused kernel forward, the custom gradient backward. */
  apply(p: BlockPlan, x: tf.Tensor4D): tf.Tensor4D {
    const k = this.constants(p);
    const depthwise = p.conv.getClassName() === 'DepthwiseConv2D';
    const c = p.conv.getConfig() as unknown as ConvConfig;
    // The kernel itself: tf.fused.* would split into conv, add and activation whenever a gradient is being
    // recorded, which is exactly when the custom gradient below runs.
    const forward = (input: tf.Tensor4D) => this.forward(p, input, c.padding);
    if ((tf.engine().state as unknown as { gradientDepth: number }).gradientDepth === 0) return forward(x);
    const run = tf.customGrad(((input: tf.Tensor4D, save: tf.GradSaveFunc) => {
      const y = forward(input);
      save([y]);
      return {
        value: y,
        gradFunc: (dy: tf.Tensor4D, [saved]: tf.Tensor[]) => {
          const dz = blockActivationGrad(p.act, dy, saved as tf.Tensor4D);
          const info = tf.backend_util.computeConv2DInfo(input.shape, k.filter.shape, c.strides, 1, c.padding, undefined, depthwise, 'channelsLast');
          if (depthwise) return depthwiseInputGrad(dz, k.back, info, k.filter.shape[3]);
          return k.subPixel ? subPixelInputGrad(dz, k.back, k.subPixel, info) : conv2dInputGrad(dz, k.back, info);
        },
      };
    }) as unknown as Parameters<typeof tf.customGrad>[0]);
    return run(x) as tf.Tensor4D;
  }

  dispose(): void {
    for (const f of this.folded.values()) { f.filter.dispose(); f.bias.dispose(); f.back.dispose(); }
    this.folded.clear();
  }
}
