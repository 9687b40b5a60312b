// The Lens's track, generated from the model's own layer list: one stage per step of its computation, in order.
// A conv (or depthwise) layer takes the batch norm and activation right after it into its stage; pooling,
// global pooling, the class-score layer and the softmax each get one. Nothing here knows MobileNet by name.
import type * as tf from '@tensorflow/tfjs';
import type { ModelEntry } from '../../shared/catalog';
import type { Stage, Track } from './contract';
import { fieldsOf, type LayerGeometry } from './rf-box';

type Layer = tf.layers.Layer;
const cfg = (l: Layer) => l.getConfig() as Record<string, unknown>;
const shapeOf = (l: Layer) => ((Array.isArray(l.outputShape[0]) ? l.outputShape[0] : l.outputShape) as (number | null)[]).slice(1).map((d) => d ?? 0);
const pair = (x: unknown): [number, number] => (Array.isArray(x) ? [Number(x[0]), Number(x[1] ?? x[0])] : [Number(x), Number(x)]);
const isConv = (l: Layer) => l.getClassName() === 'Conv2D' || l.getClassName() === 'DepthwiseConv2D';
const PASS_THROUGH = new Set(['Dropout', 'Reshape']);

/** The activation a layer applies, or null when it is not an activation layer. */
export function activationOf(l: Layer): Stage['activation'] | null {
  const c = cfg(l);
  const name = l.getClassName();
  if (name === 'LeakyReLU') return { kind: 'leaky', alpha: Number(c.alpha ?? 0.3) };
  if (name === 'ReLU') return c.maxValue === 6 ? { kind: 'relu6', max: 6 } : { kind: 'relu' };
  if (name === 'Softmax') return { kind: 'softmax' };
  if (name === 'Activation' || c.activation !== undefined) {
    const a = String(c.activation ?? 'linear');
    if (a === 'relu6') return { kind: 'relu6', max: 6 };
    if (a === 'relu' || a === 'softmax' || a === 'linear') return { kind: a };
    return null;
  }
  return null;
}

/** Is this the layer that turns features into class scores (a Dense, or a 1×1 conv to one map per class)? */
function isClassScores(l: Layer, numClasses: number): boolean {
  if (l.getClassName() === 'Dense') return true;
  const c = cfg(l);
  return l.getClassName() === 'Conv2D' && Number(c.filters) === numClasses && pair(c.kernelSize).every((k) => k === 1);
}

export function buildTrack(model: tf.LayersModel, entry: ModelEntry): Track {
  const layers = model.layers;
  const numClasses = entry.labels?.count ?? 0;
  const inputLayer = layers[0]?.getClassName() === 'InputLayer' ? layers[0] : null;
  const inputName = inputLayer?.name ?? 'input';
  const stages: Stage[] = [{
    kind: 'pixels', layer: inputName, output: inputName, input: '', title: 'Pixels become numbers',
    inShape: [entry.input.height, entry.input.width, 3], outShape: [entry.input.height, entry.input.width, 3], activation: { kind: 'linear' },
  }];
  const geometry: LayerGeometry[] = [];
  let prev = inputName;
  let prevShape = [entry.input.height, entry.input.width, 3];
  let rfAdded = false;
  const addRf = () => {
    if (rfAdded) return;
    rfAdded = true;
    stages.push({ kind: 'receptive-field', layer: prev, output: prev, input: prev, title: 'Seeing bigger parts', inShape: prevShape, outShape: prevShape, activation: { kind: 'linear' } });
  };
  for (let i = inputLayer ? 1 : 0; i < layers.length; i++) {
    const l = layers[i]!;
    const name = l.getClassName();
    const c = cfg(l);
    const out = shapeOf(l);
    if (isConv(l) && !isClassScores(l, numClasses)) {
      const kernel = pair(c.kernelSize), stride = pair(c.strides);
      let j = i + 1, norm: string | undefined, act = activationOf(l) ?? { kind: 'linear' as const };
      if (layers[j]?.getClassName() === 'BatchNormalization') norm = layers[j++]!.name;
      const a = layers[j] ? activationOf(layers[j]!) : null;
      if (a && layers[j]!.getClassName() !== 'Dense' && !isConv(layers[j]!)) { act = a; j++; }
      const depthwise = name === 'DepthwiseConv2D';
      const kind = depthwise ? 'depthwise' : kernel[0] === 1 && kernel[1] === 1 ? 'pointwise' : 'conv';
      const output = layers[j - 1]!.name;
      stages.push({
        kind, layer: l.name, output, input: prev, title: `${kind === 'depthwise' ? 'Depthwise' : kind === 'pointwise' ? 'Pointwise' : 'Convolution'} ${l.name}`,
        inShape: prevShape, outShape: out, kernel, stride, padding: c.padding === 'valid' ? 'valid' : 'same', ...(norm ? { norm } : {}), activation: act,
      });
      geometry.push({ layer: output, kernel: kernel[0], stride: stride[0], padding: c.padding === 'valid' ? 'valid' : 'same', inSize: prevShape[0]!, outSize: out[0]! });
      prev = output; prevShape = out; i = j - 1;
      continue;
    }
    if (name === 'MaxPooling2D' || name === 'AveragePooling2D') {
      const kernel = pair(c.poolSize), stride = pair(c.strides ?? c.poolSize);
      stages.push({ kind: 'pool', layer: l.name, output: l.name, input: prev, title: `${name === 'MaxPooling2D' ? 'Max' : 'Average'} pooling ${l.name}`, inShape: prevShape, outShape: out, kernel, stride, padding: c.padding === 'same' ? 'same' : 'valid', activation: { kind: 'linear' } });
      geometry.push({ layer: l.name, kernel: kernel[0], stride: stride[0], padding: c.padding === 'same' ? 'same' : 'valid', inSize: prevShape[0]!, outSize: out[0]! });
      prev = l.name; prevShape = out;
      continue;
    }
    if (name === 'GlobalAveragePooling2D') {
      addRf();
      stages.push({ kind: 'global-pool', layer: l.name, output: l.name, input: prev, title: 'Global average pooling', inShape: prevShape, outShape: out, activation: { kind: 'linear' } });
      prev = l.name; prevShape = out;
      continue;
    }
    if (isClassScores(l, numClasses)) {
      addRf();
      const next = layers[i + 1] ? activationOf(layers[i + 1]!) : null;
      const own = activationOf(l);
      const act = own?.kind === 'softmax' || next?.kind === 'softmax' ? { kind: 'softmax' as const } : { kind: 'linear' as const };
      stages.push({ kind: 'dense', layer: l.name, output: l.name, input: prev, title: 'The class score', inShape: prevShape, outShape: out, activation: act });
      prev = l.name; prevShape = out;
      continue;
    }
    if (name === 'Flatten') addRf(); // the last spatial map comes just before the grid is unrolled
    if (name === 'Flatten' || PASS_THROUGH.has(name) || activationOf(l)?.kind === 'softmax') { prev = l.name; prevShape = out; continue; }
    prev = l.name; prevShape = out; // anything else is element-wise: it is shown with the stage before it
  }
  stages.push({ kind: 'softmax', layer: layers.at(-1)!.name, output: layers.at(-1)!.name, input: prev, title: 'Softmax: scores become probabilities', inShape: [numClasses], outShape: [numClasses], activation: { kind: 'softmax' } });
  return {
    modelId: entry.id, modelName: entry.name,
    input: { width: entry.input.width, height: entry.input.height, scale: entry.preprocess.scale, offset: entry.preprocess.offset },
    stages, fields: fieldsOf(geometry),
  };
}
