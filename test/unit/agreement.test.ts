// The real models on real photos must reproduce the reference top-5 of the model mirror (computed there with
// tfjs 4.22 in Node, squash-resize bilinear preprocessing). Reference numbers are parsed from PROVENANCE.md.
import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NetLensModel } from '../../src/engine/model';
import { toModelInput } from '../../src/engine/preprocess';
import {
  PHOTOS_DIR, SHARED_MODELS, TINY_SAMPLES_DIR, decodeJpeg, entryOf, initBackend, labelFile, loadModel, readJson,
  referenceTop5,
} from './helpers';

// The tables give percentages rounded to 0.1%, i.e. probabilities with 3 decimals: rounding alone can be off by
// up to 0.0005 (+1e-6 of float slack). 1e-3 covers that plus backend float differences (wasm here vs the pure-JS
// cpu backend the reference was made with), so the tolerance is max(1e-3, 0.0005 + 1e-6) = 1e-3.
const PROB_TOL = Math.max(1e-3, 0.0005 + 1e-6);

const photos = (dir: string, ext: RegExp) => fs.readdirSync(dir).filter((f) => ext.test(f)).sort();

const CASES = [
  { id: 'mobilenet-v1-0.75-224', dir: PHOTOS_DIR, files: photos(PHOTOS_DIR, /\.jpg$/), short: path.join(SHARED_MODELS, 'imagenet-classes-short.json') },
  { id: 'mobilenet-v1-0.25-224', dir: PHOTOS_DIR, files: photos(PHOTOS_DIR, /\.jpg$/), short: path.join(SHARED_MODELS, 'imagenet-classes-short.json') },
  { id: 'darknet-tiny-imagenet', dir: PHOTOS_DIR, files: photos(PHOTOS_DIR, /\.jpg$/), short: path.join(SHARED_MODELS, 'darknet-tiny-imagenet/classes-short.json') },
  { id: 'cnn-explainer-tiny-vgg', dir: TINY_SAMPLES_DIR, files: photos(TINY_SAMPLES_DIR, /\.jpeg$/), short: path.join(SHARED_MODELS, 'cnn-explainer-tiny-vgg/classes.json') },
];

let backend = '';
beforeAll(async () => { backend = await initBackend(); });

it('uses a real tfjs backend', () => {
  expect(['wasm', 'cpu']).toContain(backend);
  expect(tf.getBackend()).toBe(backend);
});

describe.each(CASES)('$id agrees with its PROVENANCE top-5', ({ id, dir, files, short }) => {
  const entry = entryOf(id);
  const ref = referenceTop5(id);
  const labels = labelFile(entry);
  const shortNames = readJson<string[]>(short);
  let model: NetLensModel;

  beforeAll(async () => { model = await loadModel(id); });
  afterAll(() => { model?.dispose(); });

  it('has a reference row for every photo, and nothing else', () => {
    expect(files.length).toBe(id === 'cnn-explainer-tiny-vgg' ? 10 : 7);
    expect([...ref.keys()].sort()).toEqual(files);
  });

  it('reference table names match the class files (the table is parsed correctly)', () => {
    for (const [photo, preds] of ref) {
      for (const p of preds) expect(shortNames[p.index], `${photo} #${p.index}`).toBe(p.name);
    }
  });

  it('loaded the label file as is', () => {
    expect(model.labels).toEqual(labels);
    expect(labels).toHaveLength(entry.labels!.count);
  });

  it.each(files)('%s', async (file) => {
    const pixels = decodeJpeg(path.join(dir, file));
    const expected = ref.get(file)!;
    const got = await model.classify(pixels, 5);

    expect(got.map((p) => p.index)).toEqual(expected.map((p) => p.index));
    got.forEach((p, i) => {
      expect(Math.abs(p.prob - expected[i]!.prob), `${file} #${i + 1} ${p.className}: ${p.prob} vs ${expected[i]!.prob}`)
        .toBeLessThanOrEqual(PROB_TOL);
      expect(p.className).toBe(labels[p.index]);
    });

    const probs = model.infer(toModelInput(pixels, entry));
    try {
      expect(probs.shape).toEqual([1, entry.labels!.count]);
      const v = await probs.data();
      let sum = 0;
      let min = Infinity;
      for (const x of v) { sum += x; min = Math.min(min, x); }
      expect(Math.abs(sum - 1)).toBeLessThanOrEqual(1e-4);
      expect(min).toBeGreaterThanOrEqual(0);
      // classify() reports the very numbers infer() computes
      got.forEach((p) => expect(p.prob).toBe(v[p.index]));
    } finally {
      probs.dispose();
    }
  });
});
