// A layer's-eye view of one image: all requested layers' activations from ONE forward pass of a multi-output
// model, sent as compact plain data (each channel quantised to uint8 between its own min and max, channel-major).
import * as tf from '@tensorflow/tfjs';
import type { ModelEntry } from '../../shared/catalog';
import type { NetLensModel } from '../../engine/model';
import type { LayerActivations, LayerInfo } from './contract';
import { bytesToBase64, floatsToBase64 } from '../../shared/codecs';
import { receptiveFields, specsFromTopology, type LayerSpec } from './receptive-field';

function kindOf(className: string): LayerInfo['kind'] {
  if (className === 'InputLayer') return 'input';
  if (className === 'Conv2D') return 'conv';
  if (className === 'DepthwiseConv2D') return 'depthwise';
  if (/Pooling/.test(className)) return 'pool';
  if (className === 'Dense') return 'dense';
  if (/Activation|ReLU|LeakyReLU|Softmax/.test(className)) return 'activation';
  if (/BatchNormalization/.test(className)) return 'norm';
  if (/Reshape|Flatten|Dropout/.test(className)) return 'reshape';
  return 'other';
}

/** The layers of a model with shapes, parameter counts and receptive fields. */
export function describeLayers(model: tf.LayersModel, entry: ModelEntry): LayerInfo[] {
  const topology = (model as unknown as { toJSON(u: unknown, b: boolean): unknown }).toJSON(null, false);
  const specs: LayerSpec[] = specsFromTopology(topology);
  const rf = receptiveFields(specs, entry.input.height);
  const rows: LayerInfo[] = [];
  const inputLayer = model.layers[0]?.getClassName() === 'InputLayer' ? null : model.inputs[0];
  if (inputLayer) {
    // Sequential models keep their input layer out of model.layers: list it anyway, it is what the network sees.
    rows.push({ index: 0, name: INPUT, className: 'InputLayer', kind: 'input', shape: [entry.input.height, entry.input.width, 3], params: 0, rf: { size: 1, jump: 1 } });
  }
  model.layers.forEach((l) => {
    const shape = (Array.isArray(l.outputShape[0]) ? l.outputShape[0] : l.outputShape) as (number | null)[];
    rows.push({
      index: rows.length,
      name: l.name,
      className: l.getClassName(),
      kind: kindOf(l.getClassName()),
      shape: shape.slice(1).map((d) => d ?? 0),
      params: l.countParams(),
      rf: rf.get(l.name) ?? null,
    });
  });
  return rows;
}

/** Name used for the input of models whose input layer is implicit (Sequential). */
const INPUT = 'input';

interface Extras { classIndex: number }

/**
 * Activations of `names` for one preprocessed image [1, H, W, 3]. One forward pass computes every requested
 * layer (and the layer before the class scores, for the contributions). Tidy: nothing is left behind.
 */
export async function computeActivations(m: NetLensModel, input: tf.Tensor4D, names: string[], extras: Extras): Promise<LayerActivations[]> {
  const { model, entry } = m;
  const layers = model.layers;
  const inputName = layers[0]?.getClassName() === 'InputLayer' ? layers[0].name : INPUT;
  const preName = entry.layers.preSoftmax?.layer ?? null;
  const preIdx = preName ? layers.findIndex((l) => l.name === preName) : -1;
  const prevName = preIdx > 0 ? layers[preIdx - 1]!.name : null;
  const wanted = names.filter((n) => n !== inputName && layers.some((l) => l.name === n));
  const outputs = [...new Set([...wanted, ...(preName && names.includes(preName) && prevName ? [prevName] : [])])];
  const multi = outputs.length ? m.subModel(outputs) : null;
  const results: LayerActivations[] = [];
  const tensors = new Map<string, tf.Tensor>();
  try {
    if (multi) {
      const ys = multi.predict(input) as tf.Tensor | tf.Tensor[];
      (Array.isArray(ys) ? ys : [ys]).forEach((y, i) => tensors.set(outputs[i]!, y));
    }
    for (const name of names) {
      const t = name === inputName ? input : tensors.get(name);
      if (!t) continue;
      const a = await pack(name, t);
      if (name === inputName) a.floats = floatsToBase64(Float32Array.from(await input.data()));
      const first = layers.find((l) => l.getClassName() === 'Conv2D');
      if (first && first.name === name) {
        const k = first.getWeights()[0]!;
        a.filters = { shape: k.shape as [number, number, number, number], data: floatsToBase64(Float32Array.from(await k.data())) };
      }
      if (name === preName && prevName && tensors.get(prevName)) a.contributions = await contributions(layers[preIdx]!, prevName, tensors.get(prevName)!, extras.classIndex);
      results.push(a);
    }
  } finally {
    tensors.forEach((t) => t.dispose());
  }
  return results;
}

/** [1, h, w, c] or [1, c] → quantised channel-major plain data. */
async function pack(name: string, t: tf.Tensor): Promise<LayerActivations> {
  const [q, mins, maxs, means, zeros, stats] = tf.tidy(() => {
    const x = (t.rank === 4 ? t : t.reshape([1, 1, 1, -1])) as tf.Tensor4D;
    const mn = x.min([0, 1, 2]);
    const mx = x.max([0, 1, 2]);
    const range = tf.maximum(tf.sub(mx, mn), 1e-12);
    // channel-major [c, h, w] so each channel's map is one contiguous run
    const quant = tf.round(tf.mul(tf.div(tf.sub(x, mn), range), 255)).squeeze([0]).transpose([2, 0, 1]).toInt();
    return [quant, mn, mx, x.mean([0, 1, 2]), tf.lessEqual(tf.abs(x), 1e-6).toFloat().mean(), tf.stack([x.mean(), x.max()])];
  });
  try {
    const shape4 = t.rank === 4 ? t.shape : [1, 1, 1, t.size];
    const [h, w, c] = [shape4[1]!, shape4[2]!, shape4[3]!];
    const [qd, mnd, mxd, md, zd, sd] = await Promise.all([q.data(), mins.data(), maxs.data(), means.data(), zeros.data(), stats.data()]);
    const bytes = Uint8Array.from(qd as Int32Array);
    const m = Float32Array.from(md);
    const order = Array.from({ length: c }, (_, i) => i).sort((a, b) => m[b]! - m[a]! || a - b);
    return {
      name, shape: [h, w, c],
      data: bytesToBase64(bytes),
      mins: floatsToBase64(Float32Array.from(mnd)), maxs: floatsToBase64(Float32Array.from(mxd)), means: floatsToBase64(m),
      order, stats: { sparsity: zd[0]!, mean: sd[0]!, max: sd[1]! },
    };
  } finally {
    [q, mins, maxs, means, zeros, stats].forEach((x) => x.dispose());
  }
}


/** What each channel of the layer before the class scores adds to the class: mean activation × weight. */
async function contributions(scoreLayer: tf.layers.Layer, from: string, prev: tf.Tensor, classIndex: number): Promise<NonNullable<LayerActivations['contributions']>> {
  const [kernel, bias] = scoreLayer.getWeights();
  const [c, b] = tf.tidy(() => {
    const a = prev.rank === 4 ? prev.mean([0, 1, 2]) : prev.reshape([-1]);
    const k = kernel!.reshape([-1, kernel!.shape[kernel!.shape.length - 1]!]); // [C, classes] for Dense and 1×1 conv
    const col = tf.slice(k, [0, classIndex], [-1, 1]).reshape([-1]);
    return [tf.mul(a, col), bias ? tf.slice(bias, [classIndex], [1]) : tf.zeros([1])];
  });
  const cv = Float32Array.from(await c.data());
  const bv = (await b.data())[0]!;
  c.dispose(); b.dispose();
  const items = Array.from(cv, (value, channel) => ({ channel, value })).sort((p, q) => q.value - p.value).slice(0, 12);
  return { classIndex, from, items, bias: bv, total: cv.reduce((s, v) => s + v, 0) + bv };
}
