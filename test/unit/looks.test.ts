// What the network looks for, on the real MobileNet v1 0.25 and a real photo: a channel's top patches are the
// true arg-max cells of its full map (checked against a Keras sub-model) with their receptive-field boxes, the
// first layer's filters are the model's weights, and a class's visualisation raises its score ≥ 10× (and
// leaves no tensor behind).
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { LayersAdapter } from '../../src/engine/adapter';
import type { NetLensModel } from '../../src/engine/model';
import { toModelInput } from '../../src/engine/preprocess';
import { base64ToFloats } from '../../src/shared/codecs';
import { visualiseClass } from '../../src/features/layers/class-vis';
import { firstFilters, topCells, topPatches } from '../../src/features/lens/probes';
import { boxOf } from '../../src/features/lens/rf-box';
import { buildTrack } from '../../src/features/lens/track';
import { PHOTOS_DIR, decodeJpeg, initBackend, loadModel } from './helpers';

let model: NetLensModel;
let input: tf.Tensor4D;
let adapter: LayersAdapter;

beforeAll(async () => {
  await initBackend();
  model = await loadModel('mobilenet-v1-0.25-224');
  input = toModelInput(decodeJpeg(path.join(PHOTOS_DIR, 'eagle.jpg')), model.entry);
  adapter = new LayersAdapter(model.model, model.entry, model.blocks ?? undefined);
});
afterAll(() => { input?.dispose(); adapter?.dispose(); model?.dispose(); });

describe('top patches', () => {
  test('topCells: highest first, ties in reading order', () => {
    expect(topCells(Float32Array.from([1, 5, 3, 5, 0, 2]), 3, 3)).toEqual([{ row: 0, col: 1, value: 5 }, { row: 1, col: 0, value: 5 }, { row: 0, col: 2, value: 3 }]);
  });

  test('the k cells are the true arg-max cells of the channel (Keras sub-model), each with its receptive-field box', async () => {
    const track = buildTrack(model.model, model.entry);
    const layer = 'conv_pw_5_relu', channel = 7;
    const before = tf.memory().numTensors;
    const d = await topPatches(model, input, track, layer, channel, 6);
    expect(tf.memory().numTensors).toBe(before);
    const keras = tf.tidy(() => {
      const sub = tf.model({ inputs: model.model.inputs, outputs: model.model.getLayer(layer).output as tf.SymbolicTensor });
      return (sub.predict(input) as tf.Tensor).slice([0, 0, 0, channel], [1, -1, -1, 1]).reshape([-1]).dataSync() as Float32Array;
    });
    const order = Array.from(keras, (v, i) => [v, i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]).slice(0, 6);
    const field = track.fields.find((f) => f.layer === layer)!;
    d.cells.forEach((c, n) => {
      const w = d.map.width;
      expect(c.row * w + c.col).toBe(order[n]![1]);
      expect(Math.abs(c.value - order[n]![0])).toBeLessThanOrEqual(1e-4 * Math.max(1, order[n]![0]));
      expect(c.box).toEqual(boxOf(field, c.row, c.col, 224, 224));
      expect(c.box.x1 - c.box.x0 + 1).toBeLessThanOrEqual(field.size);
    });
    expect(base64ToFloats(d.map.values).length).toBe(d.map.width * d.map.height);
  });

  test('the first layer’s filters are the model’s own weights, [3, 3, 3, 8]', async () => {
    const f = await firstFilters(model, buildTrack(model.model, model.entry));
    expect(f.layer).toBe('conv1');
    expect(f.shape).toEqual([3, 3, 3, 8]);
    const mine = model.model.getLayer('conv1').getWeights()[0]!.dataSync();
    expect(Array.from(base64ToFloats(f.values))).toEqual(Array.from(mine));
  });
});

describe('what a class looks like', () => {
  test('the class score rises ≥ 10× from its start (a class the photo does not show), no tensor left', async () => {
    const k = 281; // tabby cat
    const before = tf.memory().numTensors;
    const r = await visualiseClass(adapter, k, { steps: 48, seed: 1 });
    expect(tf.memory().numTensors).toBe(before);
    console.log(`class vis (tabby, 48 steps, MobileNet 0.25): score ${r.startScore.toFixed(3)} → ${r.finalScore.toFixed(3)}; the model's top-1 on it: #${r.top.index} (${(r.top.prob * 100).toFixed(1)} %)`);
    expect(r.finalScore).toBeGreaterThan(10 * Math.max(Math.abs(r.startScore), 0.5));
    expect(r.pixels.length).toBe(224 * 224 * 4);
  }, 120_000);
});
