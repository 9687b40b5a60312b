// Darknet-tiny outputs classes in Darknet's order, not Keras/ILSVRC order: its own label file must be used, and
// darknet-to-keras-index.json translates between the two.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NetLensModel } from '../../src/engine/model';
import {
  PHOTOS_DIR, SHARED_MODELS, decodeJpeg, entryOf, initBackend, labelFile, loadModel, readJson,
} from './helpers';

const darknetEntry = entryOf('darknet-tiny-imagenet');
const mobilenetEntry = entryOf('mobilenet-v1-0.75-224');
const darknetLabels = labelFile(darknetEntry);
const keras = labelFile(mobilenetEntry); // imagenet-classes.json, Keras order
const toKeras = readJson<number[]>(path.join(SHARED_MODELS, 'darknet-tiny-imagenet/darknet-to-keras-index.json'));

// The only known spelling difference between ImageNet name lists (see ../shared/models/README.md): Keras' list
// says "jelly fish" at 107 where Debian darknet's short names say "jellyfish".
const normalise = (name: string) => name.replace(/^jellyfish$/, 'jelly fish');

describe('label files', () => {
  it('the catalog declares the orders', () => {
    expect(darknetEntry.labels).toMatchObject({ file: 'darknet-tiny-imagenet/classes.json', order: 'darknet', count: 1000 });
    expect(mobilenetEntry.labels).toMatchObject({ file: 'imagenet-classes.json', order: 'imagenet-keras', count: 1000 });
  });

  it('Keras order: 0 tench, 207 golden retriever, 281 tabby', () => {
    expect(keras).toHaveLength(1000);
    expect(keras[0]).toBe('tench, Tinca tinca');
    expect(keras[207]).toBe('golden retriever');
    expect(keras[281]).toBe('tabby, tabby cat');
  });

  it("Darknet's file holds the same 1000 names in a different order", () => {
    expect(darknetLabels).toHaveLength(1000);
    expect(darknetLabels).not.toEqual(keras);
    const differing = darknetLabels.filter((n, i) => normalise(n) !== normalise(keras[i]!)).length;
    expect(differing).toBeGreaterThan(900);
    expect([...darknetLabels].map(normalise).sort()).toEqual([...keras].map(normalise).sort());
  });

  it('darknet-to-keras-index is a permutation of 0..999', () => {
    expect(toKeras).toHaveLength(1000);
    expect([...toKeras].sort((a, b) => a - b)).toEqual([...Array(1000).keys()]);
  });

  it('darknet name at i equals imagenet-classes[map[i]]', () => {
    const exceptions: number[] = [];
    for (let i = 0; i < 1000; i++) {
      const d = darknetLabels[i]!;
      const k = keras[toKeras[i]!]!;
      if (d !== k) exceptions.push(i);
      expect(normalise(d), `darknet #${i}`).toBe(normalise(k));
    }
    // at most the one known spelling difference needed the normalisation
    expect(exceptions.length).toBeLessThanOrEqual(1);
    // the Keras anchors, seen from the Darknet side
    expect(darknetLabels[toKeras.indexOf(0)]).toBe('tench, Tinca tinca');
    expect(darknetLabels[toKeras.indexOf(207)]).toBe('golden retriever');
    expect(darknetLabels[toKeras.indexOf(281)]).toBe('tabby, tabby cat');
  });
});

describe('models on eagle.jpg', () => {
  let darknet: NetLensModel;
  let mobilenet: NetLensModel;
  beforeAll(async () => {
    await initBackend();
    [darknet, mobilenet] = await Promise.all([loadModel(darknetEntry.id), loadModel(mobilenetEntry.id)]);
  });
  afterAll(() => { darknet?.dispose(); mobilenet?.dispose(); });

  it('each model names classes from its own label file', () => {
    expect(darknet.labels).toEqual(darknetLabels);
    expect(mobilenet.labels).toEqual(keras);
  });

  it("Darknet's top-1, mapped to Keras order, is in MobileNet's top-5", async () => {
    const pixels = decodeJpeg(path.join(PHOTOS_DIR, 'eagle.jpg'));
    const [dTop1] = await darknet.classify(pixels, 1);
    const mTop5 = await mobilenet.classify(pixels, 5);
    expect(dTop1).toBeDefined();
    expect(mTop5).toHaveLength(5);

    const mapped = toKeras[dTop1!.index]!;
    expect(dTop1!.className).toBe(darknetLabels[dTop1!.index]);
    expect(normalise(dTop1!.className)).toBe(normalise(keras[mapped]!));

    const shared = mTop5.find((p) => p.index === mapped);
    expect(shared, `darknet top-1 ${dTop1!.className} (#${dTop1!.index} → Keras #${mapped}) vs MobileNet ${mTop5.map((p) => `${p.className} #${p.index}`).join('; ')}`).toBeDefined();
    expect(normalise(shared!.className)).toBe(normalise(dTop1!.className));
    // the mapping is what makes them agree: Darknet's raw index means something else in Keras order
    expect(dTop1!.index).not.toBe(mapped);
    expect(keras[dTop1!.index]).not.toBe(dTop1!.className);
  });
});
