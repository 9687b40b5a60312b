// Export/import of taught classes: a round trip restores identical predictions; damaged files and files from
// another backbone are refused with a clear message.
import { beforeAll, describe, expect, test } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { strToU8, unzipSync, zipSync } from 'fflate';
import { ArchiveError, packArchive, unpackArchive, type Bundle } from '../../src/features/teach/archive';
import { trainHead, type Sample } from '../../src/features/teach/head';
import { initBackend } from './helpers';

let bundle: Bundle;
let head: tf.LayersModel;
const probe = () => tf.tensor2d(Float32Array.from({ length: 3 * 8 }, (_, i) => Math.sin(i)), [3, 8]);

beforeAll(async () => {
  await initBackend();
  const samples: Sample[] = [];
  for (let g = 0; g < 12; g++) samples.push({ group: g, label: g % 2, original: true, x: Float32Array.from({ length: 8 }, (_, i) => (g % 2 ? 1 : -1) * (i + 1) + Math.cos(g * i)) });
  const r = await trainHead(samples, 2, { maxEpochs: 10 });
  head = r.head;
  let artifacts: tf.io.ModelArtifacts | null = null;
  await head.save(tf.io.withSaveHandler(async (a) => { artifacts = a; return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }; }));
  const a = artifacts! as tf.io.ModelArtifacts;
  bundle = {
    modelId: 'mobilenet-v1-0.75-224',
    classes: [{ id: 'c1', name: 'cats', createdAt: 1 }, { id: 'c2', name: 'dogs', createdAt: 2 }],
    examples: Array.from({ length: 6 }, (_, i) => ({ id: `e${i}`, classId: i % 2 ? 'c2' : 'c1', url: `https://example.com/${i}.jpg`, at: 1000 + i, thumbnail: 'data:image/jpeg;base64,/9j/4AAQ', embeddings: { 'mobilenet-v1-0.75-224': Float32Array.from({ length: 8 }, (_, k) => i * 10 + k) } })),
    head: {
      info: { modelId: 'mobilenet-v1-0.75-224', classIds: ['c1', 'c2'], classNames: ['cats', 'dogs'], embeddingLayer: 'conv_pw_13_relu', dims: 8, hidden: 0, trainedAt: 5, examples: 6, valAccuracy: 1, confusion: [[1, 0], [0, 1]], epochs: 10 },
      artifacts: { modelTopology: a.modelTopology, weightSpecs: a.weightSpecs as never, weightData: a.weightData as ArrayBuffer },
    },
  };
});

describe('archive', () => {
  test('round trip: the same dataset, and the head predicts exactly the same', async () => {
    const bytes = await packArchive(bundle);
    const back = await unpackArchive(bytes, 'mobilenet-v1-0.75-224');
    expect(back.classes).toEqual(bundle.classes);
    expect(back.examples.map((e) => ({ ...e, embeddings: Object.fromEntries(Object.entries(e.embeddings).map(([k, v]) => [k, Array.from(v)])) })))
      .toEqual(bundle.examples.map((e) => ({ ...e, embeddings: Object.fromEntries(Object.entries(e.embeddings).map(([k, v]) => [k, Array.from(v)])) })));
    expect(back.head!.info).toEqual(bundle.head!.info);
    const loaded = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: back.head!.artifacts.modelTopology as object, weightSpecs: back.head!.artifacts.weightSpecs as never, weightData: back.head!.artifacts.weightData }));
    const x = probe();
    const [a, b] = [head.predict(x) as tf.Tensor, loaded.predict(x) as tf.Tensor];
    expect(Array.from(await b.data())).toEqual(Array.from(await a.data()));
    [x, a, b].forEach((t) => t.dispose());
    loaded.dispose();
  });

  test('a file from another backbone is refused, naming both models', async () => {
    const bytes = await packArchive(bundle);
    await expect(unpackArchive(bytes, 'darknet-tiny-imagenet', 'Darknet tiny')).rejects.toThrow(/taught on mobilenet-v1-0\.75-224, but the current model is Darknet tiny/);
  });

  test('not a zip, a truncated zip, a flipped byte: refused as damaged', async () => {
    const bytes = await packArchive(bundle);
    await expect(unpackArchive(strToU8('hello'), 'mobilenet-v1-0.75-224')).rejects.toThrow(/not a readable zip/);
    await expect(unpackArchive(bytes.slice(0, bytes.length >> 1), 'mobilenet-v1-0.75-224')).rejects.toBeInstanceOf(ArchiveError);
    // Change one file's content inside a well-formed zip: the checksum catches it.
    const files = unzipSync(bytes);
    const ex = JSON.parse(new TextDecoder().decode(files['examples.json']!));
    ex[0].url = 'https://evil.example/x.jpg';
    files['examples.json'] = strToU8(JSON.stringify(ex));
    await expect(unpackArchive(zipSync(files), 'mobilenet-v1-0.75-224')).rejects.toThrow(/examples\.json does not match its checksum/);
  });

  test('a missing part or a wrong-sized head is refused', async () => {
    const files = unzipSync(await packArchive(bundle));
    const noWeights = { ...files };
    delete noWeights['head/weights.bin'];
    await expect(unpackArchive(zipSync(noWeights), 'mobilenet-v1-0.75-224')).rejects.toThrow(/head\/weights\.bin is missing/);
    const noClasses = { ...files };
    delete noClasses['classes.json'];
    await expect(unpackArchive(zipSync(noClasses), 'mobilenet-v1-0.75-224')).rejects.toThrow(/classes\.json is missing/);
  });
});
