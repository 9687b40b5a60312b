// The Lens on every catalog classifier and a real photo: the track comes from the model's layer list, and
// every number a stage shows agrees (1e-4) with an independent TF.js computation: a Keras sub-model of the
// same layers, run with model.predict (not NetLens's fused blocks). The worked arithmetic adds up, receptive
// fields match a hand computation, and no stage leaves a tensor behind.
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { LayersAdapter } from '../../src/engine/adapter';
import type { NetLensModel } from '../../src/engine/model';
import { toModelInput } from '../../src/engine/preprocess';
import { base64ToFloats } from '../../src/shared/codecs';
import type { ConvData, Stage, Track } from '../../src/features/lens/contract';
import { dense, globalPool, pixels, receptiveField, softmax } from '../../src/features/lens/ends';
import { boxOf, fieldsOf } from '../../src/features/lens/rf-box';
import { buildTrack } from '../../src/features/lens/track';
import { convCell, poolCell } from '../../src/features/lens/windows';
import { PHOTOS_DIR, decodeJpeg, initBackend, loadModel } from './helpers';

const TOL = 1e-4;
const close = (a: number, b: number, tol = TOL) => expect(Math.abs(a - b), `${a} vs ${b}`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(b)));

/** The Keras layer output at a cell, by model.predict of a sub-model (independent of the fused path). */
function keras(model: NetLensModel, input: tf.Tensor4D, layer: string): Float32Array {
  return tf.tidy(() => {
    const sub = tf.model({ inputs: model.model.inputs, outputs: model.model.getLayer(layer).output as tf.SymbolicTensor });
    return (sub.predict(input) as tf.Tensor).dataSync() as Float32Array;
  });
}
const at = (t: Float32Array, shape: number[], r: number, c: number, ch: number) => t[(r * shape[1]! + c) * shape[2]! + ch]!;

function activate(a: Stage['activation'], x: number) {
  if (a.kind === 'relu') return Math.max(0, x);
  if (a.kind === 'relu6') return Math.min(6, Math.max(0, x));
  if (a.kind === 'leaky') return x >= 0 ? x : a.alpha! * x;
  return x;
}

/** The worked arithmetic, redone here: Σ window·weights, + bias, batch norm, activation. */
function checkArithmetic(d: ConvData, stage: Stage) {
  let sum = 0;
  d.window.forEach((v, i) => { sum += v * d.weights[i]!; });
  close(sum, d.sum);
  const z = d.sum + d.bias;
  const pre = d.norm ? d.norm.gamma * (z - d.norm.mean) / Math.sqrt(d.norm.variance + d.norm.epsilon) + d.norm.beta : z;
  close(pre, d.preActivation);
  close(activate(stage.activation, pre), d.value);
  close(d.value, d.modelValue);
}

const MODELS = ['mobilenet-v1-0.75-224', 'darknet-tiny-imagenet', 'cnn-explainer-tiny-vgg'] as const;
const EXPECTED_KINDS: Record<string, string> = {
  'mobilenet-v1-0.75-224': `pixels conv ${'depthwise pointwise '.repeat(13)}receptive-field global-pool dense softmax`,
  'darknet-tiny-imagenet': 'pixels conv pool conv pool pointwise conv pointwise conv pool pointwise conv pointwise conv pool pointwise conv pointwise conv pointwise receptive-field dense global-pool softmax',
  'cnn-explainer-tiny-vgg': 'pixels conv conv pool conv conv pool receptive-field dense softmax',
};

describe.each(MODELS)('the Lens on %s', (id) => {
  let model: NetLensModel;
  let input: tf.Tensor4D;
  let track: Track;
  let adapter: LayersAdapter;

  beforeAll(async () => {
    await initBackend();
    model = await loadModel(id);
    input = toModelInput(decodeJpeg(path.join(PHOTOS_DIR, 'dog.jpg')), model.entry);
    track = buildTrack(model.model, model.entry);
    adapter = new LayersAdapter(model.model, model.entry, model.blocks ?? undefined);
    console.log(`${id}: ${track.stages.length} stages: ${track.stages.map((s) => `${s.kind}(${s.layer})`).join(' → ')}`);
  });
  afterAll(() => { input?.dispose(); adapter?.dispose(); model?.dispose(); });

  test('the track follows the layer list, in order, with every stage the model has', () => {
    expect(track.stages.map((s) => s.kind).join(' ')).toBe(EXPECTED_KINDS[id]);
    // the receptive-field stage sits on the last spatial map
    const rf = track.stages.find((s) => s.kind === 'receptive-field')!;
    expect(rf.layer).toBe({ 'mobilenet-v1-0.75-224': 'conv_pw_13_relu', 'darknet-tiny-imagenet': 'leaky_re_lu_15', 'cnn-explainer-tiny-vgg': 'max_pool_2' }[id]);
    // every stage starts where the one before ended (shapes chain)
    for (let i = 2; i < track.stages.length; i++) {
      const s = track.stages[i]!, before = track.stages[i - 1]!;
      if (s.kind === 'softmax' || before.kind === 'receptive-field' || s.kind === 'receptive-field') continue;
      expect(s.inShape.reduce((a, b) => a * b, 1), `${s.layer} after ${before.layer}`).toBe(before.outShape.reduce((a, b) => a * b, 1));
    }
  });

  test('pixels: the numbers are the model input, x·scale + offset of the resized pixel', async () => {
    const before = tf.memory().numTensors;
    const d = await pixels(input);
    expect(tf.memory().numTensors).toBe(before);
    const v = base64ToFloats(d.input);
    expect(v.length).toBe(track.input.width * track.input.height * 3);
    const mine = input.dataSync();
    for (const i of [0, 1, 2, 1000, v.length - 1]) expect(v[i]).toBe(mine[i]);
    const lo = track.input.offset, hi = 255 * track.input.scale + track.input.offset;
    let min = Infinity, max = -Infinity;
    for (const x of v) { min = Math.min(min, x); max = Math.max(max, x); }
    expect(min).toBeGreaterThanOrEqual(lo - 1e-6);
    expect(max).toBeLessThanOrEqual(hi + 1e-6);
  });

  test('every conv-type stage: the worked cell adds up and equals the Keras layers (conv, batch norm, activation)', async () => {
    const convs = track.stages.filter((s) => s.kind === 'conv' || s.kind === 'depthwise' || s.kind === 'pointwise');
    const pick = [convs[0]!, convs[1]!, convs[Math.floor(convs.length / 2)]!, convs.at(-1)!];
    for (const stage of pick) {
      const [h, w, c] = stage.outShape as [number, number, number];
      for (const [r, col, ch] of [[0, 0, 0], [Math.floor(h / 2), Math.floor(w / 3), c - 1], [h - 1, w - 1, Math.floor(c / 2)]] as const) {
        const before = tf.memory().numTensors;
        const d = await convCell(model, input, stage, r, col, ch);
        expect(tf.memory().numTensors, `${stage.layer} leaks`).toBe(before);
        expect(d.window.length).toBe(stage.kernel![0] * stage.kernel![1] * (stage.kind === 'depthwise' ? 1 : stage.inShape[2]!));
        checkArithmetic(d, stage);
        close(d.value, at(keras(model, input, stage.output), stage.outShape, r, col, ch));
        if (stage.norm) close(d.preActivation, at(keras(model, input, stage.norm), stage.outShape, r, col, ch));
        close(d.sum + d.bias, at(keras(model, input, stage.layer), stage.outShape, r, col, ch));
        expect(base64ToFloats(d.outputMap.values)[r * w + col]).toBeCloseTo(d.modelValue, 6);
      }
    }
  });

  test('pooling: the winner of the window is the model’s value', async () => {
    const pools = track.stages.filter((s) => s.kind === 'pool');
    expect(pools.length).toBe({ 'mobilenet-v1-0.75-224': 0, 'darknet-tiny-imagenet': 4, 'cnn-explainer-tiny-vgg': 2 }[id]);
    for (const stage of pools) {
      const [h, w, c] = stage.outShape as [number, number, number];
      const d = await poolCell(model, input, stage, h - 1, Math.floor(w / 2), c - 1);
      expect(d.window[d.winner]).toBe(d.value);
      close(d.value, d.modelValue);
      close(d.value, at(keras(model, input, stage.layer), stage.outShape, h - 1, Math.floor(w / 2), c - 1));
      expect(d.window.every((v, i) => !d.inside[i] || v <= d.value)).toBe(true);
    }
  });

  test('global pooling, the class score and softmax equal the model', async () => {
    const probsKeras = tf.tidy(() => (model.model.predict(input) as tf.Tensor).reshape([-1]).dataSync() as Float32Array);
    const probsModel = model.entry.output === 'logits' ? tf.tidy(() => tf.softmax(tf.tensor1d(probsKeras)).dataSync() as Float32Array) : probsKeras;
    const gp = track.stages.find((s) => s.kind === 'global-pool');
    expect(Boolean(gp)).toBe(id !== 'cnn-explainer-tiny-vgg'); // Tiny VGG flattens instead
    if (gp) {
      const d = await globalPool(model, input, gp, 3);
      close(d.mean, d.modelValue);
      close(d.modelValue, keras(model, input, gp.layer)[3]!);
    }
    const stage = track.stages.find((s) => s.kind === 'dense')!;
    const top = Array.from(probsModel).indexOf(Math.max(...probsModel));
    const before = tf.memory().numTensors;
    const d = await dense(model, adapter, input, track, stage, top);
    expect(tf.memory().numTensors).toBe(before);
    close(d.terms.reduce((s, t) => s + t.product, 0) + d.restSum, d.sum);
    expect(d.terms.length + d.restCount).toBe(d.inputs.count);
    close(d.sum + d.bias, d.score);
    close(d.score, d.modelScore);
    // an independent logit: softmax's input, recovered from Keras's probabilities up to a constant
    const logits = base64ToFloats((await softmax(model, adapter, input)).logits);
    close(d.score, logits[top]!);
    const ratio = Math.log(probsModel[top]! / probsModel[(top + 1) % probsModel.length]!);
    close(logits[top]! - logits[(top + 1) % probsModel.length]!, ratio, 1e-3);
    if (d.cam) {
      const cam = base64ToFloats(d.cam.values);
      const total = cam.reduce((s, v) => s + v, 0);
      close((d.cam.combine === 'mean' ? total / cam.length : total) + d.bias, d.score);
    }
    const sm = await softmax(model, adapter, input);
    const p = base64ToFloats(sm.probs);
    p.forEach((v, i) => { if (i % 97 === 0) close(v, probsModel[i]!); });
    close(p.reduce((s, v) => s + v, 0), 1);
    const l = base64ToFloats(sm.logits);
    const m = Math.max(...l);
    const z = l.reduce((s, v) => s + Math.exp(v - m), 0);
    for (const t of sm.top) close(Math.exp(t.logit - m) / z, t.prob);
  });

  test('receptive field: the box from the architecture, and the gradient’s mass mostly inside it', async () => {
    const last = track.fields.at(-1)!;
    const d = await receptiveField(adapter, input, track, track.fields[1]!.layer, 3, 4);
    expect(d.box).toEqual(boxOf(track.fields[1]!, 3, 4, track.input.height, track.input.width));
    expect(d.inside).toBeGreaterThan(0.999); // nothing outside the theoretical field can move the cell
    expect(last.size).toBeGreaterThan(track.fields[0]!.size);
  });
});

describe('receptive-field boxes by hand', () => {
  test('MobileNet v1: 3 px at conv1, 315 px at conv_pw_13, with TF’s “same” padding', async () => {
    await initBackend();
    const model = await loadModel('mobilenet-v1-0.25-224');
    const t = buildTrack(model.model, model.entry);
    model.dispose();
    const f = new Map(t.fields.map((x) => [x.layer, x]));
    // conv1: k3 s2 on 224 → 112, total padding (112−1)·2 + 3 − 224 = 1, none of it before: cell 0 sees rows 0…2.
    expect(f.get('conv1_relu')).toMatchObject({ size: 3, jump: 2, offset: 0 });
    expect(boxOf(f.get('conv1_relu')!, 0, 0, 224, 224)).toEqual({ x0: 0, y0: 0, x1: 2, y1: 2 });
    // conv_dw_1: k3 s1 on 112, one row of padding before (jump 2): offset −2, size 3 + 2·2 = 7.
    expect(f.get('conv_dw_1_relu')).toMatchObject({ size: 7, jump: 2, offset: -2 });
    expect(boxOf(f.get('conv_dw_1_relu')!, 10, 20, 224, 224)).toEqual({ x0: 38, y0: 18, x1: 44, y1: 24 });
    expect(f.get('conv_pw_13_relu')).toMatchObject({ size: 315, jump: 32 });
  });

  test('Tiny VGG (valid convs): 3, 5, 6, 10, 14, 16 px; pool 2 cell (i, j) sees [4i, 4i + 15]', () => {
    const fields = fieldsOf([
      { layer: 'relu_1_1', kernel: 3, stride: 1, padding: 'valid', inSize: 64, outSize: 62 },
      { layer: 'relu_1_2', kernel: 3, stride: 1, padding: 'valid', inSize: 62, outSize: 60 },
      { layer: 'max_pool_1', kernel: 2, stride: 2, padding: 'valid', inSize: 60, outSize: 30 },
      { layer: 'relu_2_1', kernel: 3, stride: 1, padding: 'valid', inSize: 30, outSize: 28 },
      { layer: 'relu_2_2', kernel: 3, stride: 1, padding: 'valid', inSize: 28, outSize: 26 },
      { layer: 'max_pool_2', kernel: 2, stride: 2, padding: 'valid', inSize: 26, outSize: 13 },
    ]);
    // size' = size + (k − 1)·jump: 1+2, +2, +1·1, +2·2, +2·2, +1·2
    expect(fields.map((x) => x.size)).toEqual([3, 5, 6, 10, 14, 16]);
    expect(fields.map((x) => x.jump)).toEqual([1, 1, 2, 2, 2, 4]);
    expect(boxOf(fields[5]!, 2, 12, 64, 64)).toEqual({ x0: 48, y0: 8, x1: 63, y1: 23 });
  });

  test('the track’s own Tiny VGG fields are the same as the hand list', async () => {
    const model = await loadModel('cnn-explainer-tiny-vgg');
    const t = buildTrack(model.model, model.entry);
    model.dispose();
    expect(t.fields.map((x) => [x.layer, x.size, x.jump, x.offset])).toEqual([
      ['relu_1_1', 3, 1, 0], ['relu_1_2', 5, 1, 0], ['max_pool_1', 6, 2, 0], ['relu_2_1', 10, 2, 0], ['relu_2_2', 14, 2, 0], ['max_pool_2', 16, 4, 0],
    ]);
  });
});
