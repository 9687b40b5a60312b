// The Lens's sliding-window stages, worked through on the real numbers: one output cell of a conv, depthwise,
// pointwise or pooling layer, from its input window, the kernel's weights, the bias, the batch norm and the
// activation, next to what the model itself produced at that cell.
import * as tf from '@tensorflow/tfjs';
import type { NetLensModel } from '../../engine/model';
import { RequestError } from '../../engine/jobs';
import { floatsToBase64 } from '../../shared/codecs';
import type { ConvData, PoolData, Stage } from './contract';
import { padBefore } from './rf-box';

/** A layer's output [1, h, w, c] for the model input (the input itself for the input layer). Caller disposes. */
export function outputOf(model: NetLensModel, input: tf.Tensor4D, layer: string): tf.Tensor {
  if (!model.model.layers.some((l) => l.name === layer)) return input.clone();
  if (model.model.layers[0]?.name === layer && model.model.layers[0].getClassName() === 'InputLayer') return input.clone();
  return model.layerOutput(input, layer);
}

export async function channelMap(t: tf.Tensor, channel: number) {
  const [, h, w] = t.shape as number[];
  const m = tf.tidy(() => tf.slice(t, [0, 0, 0, channel], [1, -1, -1, 1]).reshape([h!, w!]));
  const values = Float32Array.from(await m.data());
  m.dispose();
  return { height: h!, width: w!, values };
}

/** The k×k window of `x` [1, H, W, C] starting at (r0, c0), zero where it hangs over the edge: [kh][kw][C]. */
async function windowOf(x: tf.Tensor, r0: number, c0: number, kh: number, kw: number, channels: number[]) {
  const [, H, W] = x.shape as number[];
  const rs = Math.max(0, r0), cs = Math.max(0, c0), re = Math.min(H!, r0 + kh), ce = Math.min(W!, c0 + kw);
  const inside: boolean[] = [];
  const window: number[] = [];
  if (re <= rs || ce <= cs) throw new RequestError('that window lies outside the input');
  const part = tf.slice(x, [0, rs, cs, 0], [1, re - rs, ce - cs, -1]);
  const vals = await part.data();
  part.dispose();
  const C = x.shape[3]!, pw = ce - cs;
  for (let dy = 0; dy < kh; dy++) for (let dx = 0; dx < kw; dx++) {
    const r = r0 + dy, c = c0 + dx, ok = r >= rs && r < re && c >= cs && c < ce;
    inside.push(ok);
    for (const ch of channels) window.push(ok ? vals[((r - rs) * pw + (c - cs)) * C + ch]! : 0);
  }
  return { window, inside };
}

function activate(a: Stage['activation'], x: number): number {
  if (a.kind === 'relu') return Math.max(0, x);
  if (a.kind === 'relu6') return Math.min(a.max ?? 6, Math.max(0, x));
  if (a.kind === 'leaky') return x >= 0 ? x : (a.alpha ?? 0.3) * x;
  return x;
}

function checkCell(stage: Stage, row: number, col: number, channel: number) {
  const [h, w, c] = stage.outShape;
  if (row >= h! || col >= w! || channel >= c!) throw new RequestError(`${stage.layer} has ${h}×${w} cells and ${c} channels`);
}

async function batchNorm(model: NetLensModel, name: string | undefined, channel: number): Promise<ConvData['norm']> {
  if (!name) return null;
  const layer = model.model.getLayer(name);
  const c = layer.getConfig() as { epsilon: number; center: boolean; scale: boolean };
  const w = layer.getWeights();
  let i = 0;
  const pick = async (t: tf.Tensor | undefined) => (t ? (await t.data())[channel]! : null);
  const gamma = c.scale ? await pick(w[i++]) : 1;
  const beta = c.center ? await pick(w[i++]) : 0;
  const mean = await pick(w[i++]), variance = await pick(w[i++]);
  return { gamma: gamma!, beta: beta!, mean: mean!, variance: variance!, epsilon: c.epsilon };
}

export async function convCell(model: NetLensModel, input: tf.Tensor4D, stage: Stage, row: number, col: number, channel: number): Promise<ConvData> {
  checkCell(stage, row, col, channel);
  const layer = model.model.getLayer(stage.layer);
  const [kh, kw] = stage.kernel!, [sh, sw] = stage.stride!;
  const padTop = padBefore({ kernel: kh, stride: sh, padding: stage.padding!, inSize: stage.inShape[0]!, outSize: stage.outShape[0]! });
  const padLeft = padBefore({ kernel: kw, stride: sw, padding: stage.padding!, inSize: stage.inShape[1]!, outSize: stage.outShape[1]! });
  const r0 = row * sh - padTop, c0 = col * sw - padLeft;
  const depthwise = stage.kind === 'depthwise';
  const cin = stage.inShape[2]!;
  const inChannels = depthwise ? [channel] : Array.from({ length: cin }, (_, i) => i);
  const [kernel, biasT] = layer.getWeights();
  const k = await kernel!.data(); // [kh, kw, cin, cout] or depthwise [kh, kw, cin, 1]
  const cout = kernel!.shape[3]!;
  const weights: number[] = [];
  for (let dy = 0; dy < kh; dy++) for (let dx = 0; dx < kw; dx++) for (const ci of inChannels) {
    weights.push(k[((dy * kw + dx) * cin + ci) * cout + (depthwise ? 0 : channel)]!);
  }
  const useBias = (layer.getConfig() as { useBias?: boolean; use_bias?: boolean }).useBias ?? false;
  const bias = useBias && biasT ? (await biasT.data())[channel]! : 0;

  const x = outputOf(model, input, stage.input);
  const y = model.layerOutput(input, stage.output);
  try {
    const { window, inside } = await windowOf(x, r0, c0, kh, kw, inChannels);
    let sum = 0;
    for (let i = 0; i < window.length; i++) sum += window[i]! * weights[i]!;
    const norm = await batchNorm(model, stage.norm, channel);
    const z = sum + bias;
    const preActivation = norm ? norm.gamma * (z - norm.mean) / Math.sqrt(norm.variance + norm.epsilon) + norm.beta : z;
    const value = activate(stage.activation, preActivation);
    const out = await channelMap(y, channel);
    // The input map shown under the sliding window: the channel this cell draws on most (the image's grey for 3 channels).
    let shown = inChannels[0]!;
    if (!depthwise) {
      const per = inChannels.map((ci) => inChannels.length === 3 ? -1 : window.reduce((s, v, i) => (i % inChannels.length === ci ? s + Math.abs(v * weights[i]!) : s), 0));
      shown = per[0] === -1 ? -1 : inChannels[per.indexOf(Math.max(...per))]!;
    }
    const inMap = shown === -1 ? await greyOf(x) : await channelMap(x, shown);
    return {
      kind: stage.kind as ConvData['kind'], layer: stage.layer, row, col, channel, origin: [r0, c0], inChannels, window, weights, inside,
      sum, bias, norm, preActivation, value, modelValue: out.values[row * out.width + col]!,
      outputMap: { height: out.height, width: out.width, values: floatsToBase64(out.values) },
      inputMap: { height: inMap.height, width: inMap.width, values: floatsToBase64(inMap.values), channel: shown },
    };
  } finally {
    x.dispose(); y.dispose();
  }
}

async function greyOf(x: tf.Tensor) {
  const [, h, w] = x.shape as number[];
  const g = tf.tidy(() => x.mean(3).reshape([h!, w!]));
  const values = Float32Array.from(await g.data());
  g.dispose();
  return { height: h!, width: w!, values };
}

export async function poolCell(model: NetLensModel, input: tf.Tensor4D, stage: Stage, row: number, col: number, channel: number): Promise<PoolData> {
  checkCell(stage, row, col, channel);
  const [kh, kw] = stage.kernel!, [sh, sw] = stage.stride!;
  const padTop = padBefore({ kernel: kh, stride: sh, padding: stage.padding!, inSize: stage.inShape[0]!, outSize: stage.outShape[0]! });
  const padLeft = padBefore({ kernel: kw, stride: sw, padding: stage.padding!, inSize: stage.inShape[1]!, outSize: stage.outShape[1]! });
  const r0 = row * sh - padTop, c0 = col * sw - padLeft;
  const x = outputOf(model, input, stage.input);
  const y = model.layerOutput(input, stage.output);
  try {
    const { window, inside } = await windowOf(x, r0, c0, kh, kw, [channel]);
    const candidates = window.map((v, i) => (inside[i] ? v : -Infinity));
    const average = model.model.getLayer(stage.layer).getClassName() === 'AveragePooling2D';
    const value = average ? window.reduce((s, v, i) => s + (inside[i] ? v : 0), 0) / inside.filter(Boolean).length : Math.max(...candidates);
    const out = await channelMap(y, channel);
    const inMap = await channelMap(x, channel);
    return {
      kind: 'pool', layer: stage.layer, row, col, channel, origin: [r0, c0], window, inside, winner: candidates.indexOf(Math.max(...candidates)),
      value, modelValue: out.values[row * out.width + col]!,
      inputMap: { height: inMap.height, width: inMap.width, values: floatsToBase64(inMap.values) },
      outputMap: { height: out.height, width: out.width, values: floatsToBase64(out.values) },
    };
  } finally {
    x.dispose(); y.dispose();
  }
}
