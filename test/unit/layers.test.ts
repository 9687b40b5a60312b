// Layer views on the real default model: activations from one multi-output pass equal a sub-model cut at the
// layer, the compact encoding decodes back within its quantisation step, and feature visualisation makes its
// channel fire far above the random start.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { ActivationCache, computeActivations, describeLayers, firstPage, pack, toWire } from '../../src/features/layers/activations';
import { CHANNELS_PER_PAGE } from '../../src/features/layers/contract';
import { CHANNEL_VIS_SIZE, startInput, visualiseChannel } from '../../src/features/layers/feature-vis';
import { LayersAdapter } from '../../src/engine/adapter';
import { registerWasmGradientKernels } from '../../src/engine/kernels/wasm-grads';
import { toModelInput } from '../../src/engine/preprocess';
import type { NetLensModel } from '../../src/engine/model';
import { base64ToFloats } from '../../src/shared/codecs';
import { PHOTOS_DIR, decodeJpeg, initBackend, loadModel } from './helpers';

const bytes = (b64: string) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));

let model: NetLensModel;
let x: tf.Tensor4D;
const cache = new Map<string, tf.LayersModel>();

beforeAll(async () => {
  expect(await initBackend()).toBe('wasm');
  registerWasmGradientKernels();
  model = await loadModel('mobilenet-v1-0.75-224');
  x = toModelInput(decodeJpeg(path.join(PHOTOS_DIR, 'dog.jpg')), model.entry);
});
// The cached multi-output models share the model's layers: dropping them is enough (disposing one would free the weights).
afterAll(() => { x?.dispose(); cache.clear(); model?.dispose(); });

describe('layer list', () => {
  test('every layer with shape, parameters and receptive field', () => {
    const rows = describeLayers(model.model, model.entry);
    expect(rows).toHaveLength(model.model.layers.length);
    const pw1 = rows.find((r) => r.name === 'conv_pw_1')!;
    expect(pw1).toMatchObject({ kind: 'conv', shape: [112, 112, 48], params: 24 * 48, rf: { size: 7, jump: 2 } });
    expect(rows.find((r) => r.name === 'conv_preds')!.shape).toEqual([1, 1, 1000]);
    expect(rows.reduce((s, r) => s + r.params, 0)).toBe(2_601_976); // PROVENANCE's parameter count
  });
});

describe('activations', () => {
  const layers = ['input_1', 'conv1_relu', 'conv_pw_3_relu', 'conv_pw_13_relu', 'conv_preds'];

  test('one multi-output pass equals a sub-model cut at each layer (≤ 1e-4), and the uint8 encoding decodes within one step', async () => {
    const before = tf.memory().numTensors;
    const acts = (await computeActivations(model, x, layers, { classIndex: 249 })).map((p) => toWire(p, null, true));
    expect(acts.map((a) => a.name)).toEqual(layers);
    for (const name of ['conv_pw_3_relu', 'conv_pw_13_relu']) {
      const a = acts.find((r) => r.name === name)!;
      const sub = tf.model({ inputs: model.model.inputs, outputs: model.model.getLayer(name).output as tf.SymbolicTensor });
      const ref = sub.predict(x) as tf.Tensor4D;
      const [h, w, c] = a.shape;
      expect(ref.shape.slice(1)).toEqual([h, w, c]);
      const refT = tf.tidy(() => ref.squeeze([0]).transpose([2, 0, 1]));
      const refChw = await refT.data();
      refT.dispose();
      // the float path that feeds the encoding, checked through a second multi-output model of the same layers
      const again = tf.model({ inputs: model.model.inputs, outputs: [model.model.getLayer(name).output as tf.SymbolicTensor] }).predict(x) as tf.Tensor;
      const diffT = tf.tidy(() => tf.max(tf.abs(tf.sub(again, ref))));
      expect((await diffT.data())[0]).toBeLessThanOrEqual(1e-4);
      diffT.dispose();
      again.dispose();
      const q = bytes(a.data), mins = base64ToFloats(a.mins), maxs = base64ToFloats(a.maxs);
      let worst = 0;
      for (let ch = 0; ch < c; ch++) {
        const step = (maxs[ch]! - mins[ch]!) / 255;
        for (let i = 0; i < h * w; i++) {
          const v = mins[ch]! + q[ch * h * w + i]! * step;
          worst = Math.max(worst, Math.abs(v - refChw[ch * h * w + i]!) - step / 2);
        }
      }
      expect(worst).toBeLessThanOrEqual(1e-4);
      expect(a.order[0]).toBe(Array.from(base64ToFloats(a.means)).reduce((bi, v, i, arr) => (v > arr[bi]! ? i : bi), 0));
      ref.dispose();
    }
    expect(acts[0]!.floats).toBeDefined();
    expect(base64ToFloats(acts[0]!.floats!).length).toBe(224 * 224 * 3);
    expect(acts.find((a) => a.name === 'conv1_relu')).toBeDefined();
    const contrib = acts.find((a) => a.name === 'conv_preds')!.contributions!;
    expect(contrib.classIndex).toBe(249);
    const scorer = new LayersAdapter(model.model, model.entry);
    const logitT = tf.tidy(() => scorer.logits(x).slice([0, 249], [1, 1]));
    scorer.dispose();
    const logit = await logitT.data();
    logitT.dispose();
    expect(contrib.total).toBeCloseTo(logit[0]!, 3); // Σ weight × activation + bias = the class score
    expect(contrib.items[0]!.value).toBeGreaterThanOrEqual(contrib.items[1]!.value);
    expect(tf.memory().numTensors).toBe(before);
  });

  test('the popup first gets a page of channel maps (strongest first) and every statistic; later pages are the same bytes', async () => {
    const [pw3, preds, inp] = await computeActivations(model, x, ['conv_pw_3_relu', 'conv_preds', 'input_1'], { classIndex: 249 });
    const [h, w, c] = pw3!.shape, n = h * w;
    expect(c).toBeGreaterThan(CHANNELS_PER_PAGE);
    const page = firstPage(pw3!)!;
    expect(page).toEqual(pw3!.order.slice(0, CHANNELS_PER_PAGE));
    const first = toWire(pw3!, page, false);
    expect(first.channels).toEqual(page);
    expect(bytes(first.data).length).toBe(CHANNELS_PER_PAGE * n);
    expect(base64ToFloats(first.means).length).toBe(c); // statistics of every channel, maps of one page
    const later = pw3!.order.slice(CHANNELS_PER_PAGE, 2 * CHANNELS_PER_PAGE), all = bytes(toWire(pw3!, null, false).data);
    const second = bytes(toWire(pw3!, later, false).data);
    later.forEach((ch, i) => expect(Array.from(second.subarray(i * n, (i + 1) * n))).toEqual(Array.from(all.subarray(ch * n, (ch + 1) * n))));
    expect(firstPage(preds!)).toBeNull(); // a 1-D layer comes whole: it is one strip of bars
    expect(firstPage(inp!)).toBeNull(); // three channels
    const input = toWire(inp!, null, false);
    expect(input.input).toBe(true);
    expect(input.floats).toBeUndefined();
    expect(base64ToFloats(toWire(inp!, null, true).floats!).length).toBe(224 * 224 * 3);
  });

  test("the default layers' first reply is at most 1 MB (everything would be twice that)", async () => {
    const packed = await computeActivations(model, x, model.entry.layers.show, { classIndex: 249 });
    const first = JSON.stringify(packed.map((p) => toWire(p, firstPage(p), false))).length;
    const everything = JSON.stringify(packed.map((p) => toWire(p, null, true))).length;
    console.log(`default layers: ${(first / 1048576).toFixed(2)} MB first, ${(everything / 1048576).toFixed(2)} MB with every channel and the floats`);
    expect(first).toBeLessThanOrEqual(1048576);
    expect(everything).toBeGreaterThan(2 * first);
  });

  test('layerOutputs: one pass through the fused blocks gives each layer as a Keras sub-model does, the input included', async () => {
    const names = ['conv_pw_13_relu', 'input_1', 'conv1_relu', 'conv_dw_5'];
    tf.dispose(model.layerOutputs(x, names)); // a cut inside a block folds its weights once, and keeps them
    const before = tf.memory().numTensors;
    const ours = model.layerOutputs(x, names);
    const ref = model.subModel(names).predict(x) as tf.Tensor[];
    for (let i = 0; i < names.length; i++) {
      expect(ours[i]!.shape).toEqual(ref[i]!.shape);
      // batch norm folded into the filters reorders float32 sums: within 1e-4 of the layer's largest value
      const d = tf.tidy(() => tf.stack([tf.sub(ours[i]!, ref[i]!).abs().max(), ref[i]!.abs().max()]));
      const [err, top] = await d.data();
      expect(err).toBeLessThanOrEqual(1e-4 * Math.max(1, top!));
      d.dispose();
    }
    tf.dispose([...ours, ...ref]);
    expect(tf.memory().numTensors).toBe(before);
  });

  test('pack: per-channel min/max/mean, channel-major uint8, zeros and order, by hand', () => {
    // [1, 2, 2, 2] channels-last: channel 0 = 0, 1, 2, 3; channel 1 = 6, 6, 6, 0
    const p = pack('l', [1, 2, 2, 2], Float32Array.from([0, 6, 1, 6, 2, 6, 3, 0]));
    expect(p.shape).toEqual([2, 2, 2]);
    expect(Array.from(p.mins)).toEqual([0, 0]);
    expect(Array.from(p.maxs)).toEqual([3, 6]);
    expect(Array.from(p.means)).toEqual([1.5, 4.5]);
    expect(Array.from(p.q)).toEqual([0, 85, 170, 255, 255, 255, 255, 0]);
    expect(p.order).toEqual([1, 0]);
    expect(p.stats).toEqual({ sparsity: 2 / 8, mean: 24 / 8, max: 6 });
    expect(pack('flat', [1, 3], Float32Array.from([2, -1, 0])).shape).toEqual([1, 1, 3]);
  });

  test('pack over several pixel blocks and a short last one: every byte is its value\'s, in its channel\'s row', () => {
    const [h, w, c] = [13, 11, 5]; // 143 pixels: two full blocks of 64 and one of 15
    // every 3rd value zero (and one tiny value below the 1e-6 threshold), the rest of both signs
    const v = Float32Array.from({ length: h * w * c }, (_, k) => (k % 3 === 0 ? 0 : k === 100 ? 5e-7 : Math.sin(k * 0.37) * (1 + (k % c))));
    const p = pack('l', [1, h, w, c], v);
    const n = h * w;
    // the statistics against the plainest loop
    const lo = Array<number>(c).fill(Infinity), hi = Array<number>(c).fill(-Infinity), sum = Array<number>(c).fill(0);
    let zeros = 0;
    v.forEach((x, k) => { const ch = k % c; lo[ch] = Math.min(lo[ch]!, x); hi[ch] = Math.max(hi[ch]!, x); sum[ch] = sum[ch]! + x; if (Math.abs(x) <= 1e-6) zeros++; });
    expect(Array.from(p.mins)).toEqual(lo.map(Math.fround));
    expect(Array.from(p.maxs)).toEqual(hi.map(Math.fround));
    p.means.forEach((m, ch) => expect(m).toBeCloseTo(sum[ch]! / n, 5));
    expect(zeros).toBe(Math.ceil(v.length / 3) + 1);
    expect(p.stats.sparsity).toBe(zeros / v.length);
    let wrong = 0;
    for (let i = 0; i < n; i++) {
      for (let ch = 0; ch < c; ch++) {
        const want = Math.round(((v[i * c + ch]! - p.mins[ch]!) / (p.maxs[ch]! - p.mins[ch]!)) * 255);
        if (Math.abs(p.q[ch * n + i]! - want) > 0) wrong++;
      }
    }
    expect(wrong).toBe(0);
  });

  test('the activation cache keeps the latest images, most recently used last', () => {
    const cache = new ActivationCache(2);
    const layer = (name: string) => ({ name }) as never;
    cache.put('a', [layer('l1')]);
    cache.put('b', [layer('l1')]);
    expect(cache.get('a', ['l1', 'l2'])).toEqual({ found: [{ name: 'l1' }], missing: ['l2'] });
    cache.put('c', [layer('l1')]); // evicts b, the least recently used
    expect(cache.get('b', ['l1']).missing).toEqual(['l1']);
    expect(cache.get('a', ['l1']).missing).toEqual([]);
  });

  test('the first conv layer brings its filters', async () => {
    const [a] = (await computeActivations(model, x, ['conv1'], { classIndex: 0 })).map((p) => toWire(p, null, false));
    expect(a!.filters!.shape).toEqual([3, 3, 3, 24]);
  });
});

describe('feature visualisation', () => {
  // The user picks a ReLU6 layer; the optimiser works on its pre-activation (batch-norm output), as the model
  // host does. In each layer the test takes the channel the random start excites least while still above 0.05
  // (a 10× rise from ~0 would say nothing), so the criterion is about the optimiser, not a lucky pick.
  // Earlier layers see fewer pixels, so their mean over a larger map needs the pattern tiled everywhere: more steps.
  for (const [layer, pre, steps] of [['conv_pw_4_relu', 'conv_pw_4_bn', 128], ['conv_pw_7_relu', 'conv_pw_7_bn', 96], ['conv_pw_11_relu', 'conv_pw_11_bn', 64]] as const) {
    test(`${layer}: mean activation ≥ 10× the random start`, async () => {
      const a = new LayersAdapter(model.model, model.entry);
      const shown = a.split(layer).features, objective = a.split(pre).features;
      // start activations of every channel, on the optimiser's own (seeded) start image
      const start = await startInput(a);
      const startAll = await (async () => {
        const t = tf.tidy(() => shown(start).mean([0, 1, 2]));
        const v = Array.from(await t.data()); t.dispose(); start.dispose(); return v;
      })();
      const candidates = startAll.map((v, i) => [v, i] as const).filter(([v]) => v >= 0.05 && v <= 0.5).sort((p, q) => p[0] - q[0]);
      expect(candidates.length).toBeGreaterThan(0);
      const channel = candidates[0]![1];
      const before = tf.memory().numTensors;
      const r = await visualiseChannel(a, objective, channel, { steps }, shown);
      expect(tf.memory().numTensors).toBe(before);
      console.log(`feature vis ${layer} #${channel}: ${r.startActivation.toFixed(4)} → ${r.finalActivation.toFixed(4)} (${(r.finalActivation / r.startActivation).toFixed(1)}×)`);
      expect(r.startActivation).toBeGreaterThan(0.01);
      expect(r.finalActivation).toBeGreaterThanOrEqual(10 * r.startActivation);
      expect([r.width, r.height]).toEqual([CHANNEL_VIS_SIZE, CHANNEL_VIS_SIZE]);
      expect(r.pixels.length).toBe(CHANNEL_VIS_SIZE * CHANNEL_VIS_SIZE * 4);
      a.dispose();
    }, 300_000);
  }
});
