// The Lens's other stages on the real numbers: the input as numbers, receptive fields (theoretical and
// effective), global average pooling, the class score Σ wᵢ·xᵢ + b with its class activation map, and softmax.
import * as tf from '@tensorflow/tfjs';
import type { LayersAdapter } from '../../engine/adapter';
import { RequestError } from '../../engine/jobs';
import type { NetLensModel } from '../../engine/model';
import { floatsToBase64 } from '../../shared/codecs';
import type { DenseData, GlobalPoolData, PixelsData, RfData, SoftmaxData, Stage, Track } from './contract';
import { boxOf } from './rf-box';
import { channelMap, outputOf } from './windows';

const read = async (t: tf.Tensor) => { const v = Float32Array.from(await t.data()); t.dispose(); return v; };

export async function pixels(input: tf.Tensor4D): Promise<PixelsData> {
  return { kind: 'pixels', input: floatsToBase64(Float32Array.from(await input.data())) };
}

export async function receptiveField(adapter: LayersAdapter, input: tf.Tensor4D, track: Track, layer: string, row: number, col: number): Promise<RfData> {
  const field = track.fields.find((f) => f.layer === layer);
  if (!field) throw new RequestError(`"${layer}" is not a layer whose receptive field NetLens can draw`);
  if (row >= field.outSize || col >= field.outSize) throw new RequestError(`${layer} has ${field.outSize}×${field.outSize} cells`);
  const { height, width } = track.input;
  const box = boxOf(field, row, col, height, width);
  const { features } = adapter.split(layer);
  // The effective field: how much each input pixel moves this cell (all its channels together).
  const g = tf.tidy(() => {
    const grad = tf.grad((x: tf.Tensor) => tf.slice(features(x as tf.Tensor4D), [0, row, col, 0], [1, 1, 1, -1]).sum())(input);
    return grad.abs().sum(3).reshape([height, width]);
  });
  const values = await read(g);
  let total = 0, inside = 0;
  values.forEach((v, i) => {
    total += v;
    const y = Math.floor(i / width), x = i % width;
    if (y >= box.y0 && y <= box.y1 && x >= box.x0 && x <= box.x1) inside += v;
  });
  return { kind: 'receptive-field', layer, row, col, box, effective: { height, width, values: floatsToBase64(values) }, inside: total > 0 ? inside / total : 0 };
}

export async function globalPool(model: NetLensModel, input: tf.Tensor4D, stage: Stage, channel: number): Promise<GlobalPoolData> {
  const channels = stage.outShape.at(-1)!;
  if (channel >= channels) throw new RequestError(`${stage.layer} has ${channels} channels`);
  const x = outputOf(model, input, stage.input);
  const map = await channelMap(x, channel).finally(() => x.dispose());
  const pooled = await read(model.layerOutput(input, stage.output).reshape([-1]));
  let sum = 0;
  for (const v of map.values) sum += v;
  const top = Array.from(pooled, (value, c) => ({ channel: c, value })).sort((a, b) => b.value - a.value).slice(0, 8);
  return {
    kind: 'global-pool', layer: stage.layer, from: stage.input, channel, channels,
    map: { height: map.height, width: map.width, values: floatsToBase64(map.values) }, mean: sum / map.values.length, modelValue: pooled[channel]!, top,
  };
}

/** The class score Σ wᵢ·xᵢ + b: the largest terms, the rest summed, and the same weights at every position. */
export async function dense(model: NetLensModel, adapter: LayersAdapter, input: tf.Tensor4D, track: Track, stage: Stage, classIndex: number): Promise<DenseData> {
  const layer = model.model.getLayer(stage.layer);
  const [kernel, biasT] = layer.getWeights();
  const classes = kernel!.shape.at(-1)!;
  if (classIndex >= classes) throw new RequestError(`${model.entry.name} has ${classes} classes`);
  const w = await read(tf.tidy(() => tf.slice(kernel!.reshape([-1, classes]), [0, classIndex], [-1, 1]).reshape([-1])));
  const bias = biasT ? (await biasT.data())[classIndex]! : 0;
  const from = outputOf(model, input, stage.input);
  const spatial = from.rank === 4 && (from.shape[1]! > 1 || from.shape[2]! > 1);
  // A 1×1 conv before global pooling (Darknet) scores every position, then averages: by linearity that is the
  // weights applied to each channel's mean. A Dense after Flatten reads the map unrolled row by row.
  const how: DenseData['inputs']['how'] = layer.getClassName() === 'Dense' ? (spatial ? 'flattened' : 'pooled') : spatial ? 'per-position' : 'pooled';
  const x = await read(how === 'per-position' ? from.mean([0, 1, 2]) : from.reshape([-1]));
  const [, wd, c] = spatial ? from.shape.slice(1) as number[] : [1, 1, x.length];
  const camLayer = how === 'pooled' ? track.stages.find((s) => s.kind === 'global-pool')?.input ?? null : stage.input;
  let cam: DenseData['cam'] = null;
  if (camLayer) {
    const A = how === 'pooled' ? outputOf(model, input, camLayer) : from.clone();
    const [ch, cw] = A.shape.slice(1, 3) as number[];
    const map = await read(tf.tidy(() => {
      if (how === 'flattened') return tf.mul(A.reshape([-1]), tf.tensor1d(w)).reshape([ch!, cw!, -1]).sum(2);
      return tf.sum(tf.mul(A.reshape([ch!, cw!, -1]), tf.tensor1d(w)), 2);
    }));
    A.dispose();
    cam = { layer: camLayer, height: ch!, width: cw!, values: floatsToBase64(map), combine: how === 'flattened' ? 'sum' : 'mean' };
  }
  from.dispose();
  const terms = Array.from(x, (input_, index) => ({ index, input: input_, weight: w[index]!, product: input_ * w[index]!, position: how === 'flattened' ? [Math.floor(index / (wd! * c!)), Math.floor(index / c!) % wd!, index % c!] as [number, number, number] : null }));
  let sum = 0;
  for (const t of terms) sum += t.product;
  const top = [...terms].sort((a, b) => Math.abs(b.product) - Math.abs(a.product)).slice(0, 12);
  const restSum = sum - top.reduce((s, t) => s + t.product, 0);
  const logits = await read(adapter.logits(input));
  return {
    kind: 'dense', layer: stage.layer, classIndex, className: model.labels[classIndex] ?? `class ${classIndex}`,
    inputs: { from: stage.input, count: x.length, how }, terms: top, restSum, restCount: terms.length - top.length,
    sum, bias, score: sum + bias, modelScore: logits[classIndex]!, cam,
  };
}

export async function softmax(model: NetLensModel, adapter: LayersAdapter, input: tf.Tensor4D): Promise<SoftmaxData> {
  const logits = await read(adapter.logits(input));
  const probs = await read(model.infer(input));
  const top = Array.from(probs, (prob, index) => ({ index, prob })).sort((a, b) => b.prob - a.prob).slice(0, 5)
    .map(({ index, prob }) => ({ index, className: model.labels[index] ?? `class ${index}`, logit: logits[index]!, prob }));
  return { kind: 'softmax', logits: floatsToBase64(logits), probs: floatsToBase64(probs), top };
}
