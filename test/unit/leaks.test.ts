// No tensor outlives its use; load errors name the model and file and say what is wrong.
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelLoadError, NetLensModel, type ReadFile } from '../../src/engine/model';
import { toModelInput } from '../../src/engine/preprocess';
import { PHOTOS_DIR, decodeJpeg, entryOf, initBackend, loadModel, readInstalled } from './helpers';

const dog = decodeJpeg(path.join(PHOTOS_DIR, 'dog.jpg'));
const count = () => tf.memory().numTensors;

beforeAll(async () => { await initBackend(); });

// softmax inside the model (MobileNet) and logits + softmax in infer() (Darknet)
describe.each(['mobilenet-v1-0.25-224', 'darknet-tiny-imagenet'])('%s leaves no tensors behind', (id) => {
  const entry = entryOf(id);
  let model: NetLensModel;
  beforeAll(async () => { model = await loadModel(id); });
  afterAll(() => { model?.dispose(); });

  it('toModelInput + dispose', () => {
    const before = count();
    const x = toModelInput(dog, entry);
    expect(count()).toBe(before + 1); // exactly one tensor survives: the result
    x.dispose();
    expect(count()).toBe(before);
  });

  it('classify ×3', async () => {
    const before = count();
    const runs = [];
    for (let i = 0; i < 3; i++) runs.push(await model.classify(dog, 5));
    expect(runs[0]).toHaveLength(5);
    expect(runs[1]).toEqual(runs[0]);
    expect(runs[2]).toEqual(runs[0]);
    expect(count()).toBe(before);
  });

  it('infer + dispose', async () => {
    const before = count();
    const x = toModelInput(dog, entry);
    const y = model.infer(x);
    expect(count()).toBe(before + 2); // input and output only, no intermediates
    expect(y.shape).toEqual([1, 1000]);
    await y.data();
    tf.dispose([x, y]);
    expect(count()).toBe(before);
  });

  it('warmUp', async () => {
    const before = count();
    await model.warmUp();
    expect(count()).toBe(before);
  });
});

describe('load and dispose', () => {
  it.each(['mobilenet-v1-0.25-224', 'darknet-tiny-imagenet', 'cnn-explainer-tiny-vgg'])('%s frees its weights', async (id) => {
    const before = tf.memory();
    const m = await loadModel(id);
    const loaded = tf.memory();
    // positive control: the weights really are tensors while the model is loaded
    expect(loaded.numTensors).toBeGreaterThan(before.numTensors);
    expect(loaded.numBytes - before.numBytes).toBeGreaterThanOrEqual(m.entry.params * 4);
    m.dispose();
    const after = tf.memory();
    expect(after.numTensors).toBe(before.numTensors);
    expect(after.numBytes).toBe(before.numBytes);
  });

  it('load with warmUp leaves only the weights', async () => {
    const entry = entryOf('cnn-explainer-tiny-vgg');
    const plain = await NetLensModel.load(entry, { read: readInstalled, verify: true });
    const weights = count();
    plain.dispose();
    const before = count();
    const warm = await NetLensModel.load(entry, { read: readInstalled, verify: true, warmUp: true });
    expect(count()).toBe(weights);
    warm.dispose();
    expect(count()).toBe(before);
  });
});

describe('load errors', () => {
  const entry = entryOf('cnn-explainer-tiny-vgg');
  const shard = entry.files.find((f) => f.path.endsWith('.bin'))!.path;

  async function loadError(read: ReadFile): Promise<ModelLoadError> {
    const before = count();
    const err = await NetLensModel.load(entry, { read, verify: true }).then(
      () => { throw new Error('load resolved, expected a rejection'); },
      (e: unknown) => e,
    );
    expect(count()).toBe(before); // nothing half-loaded stays in memory
    expect(err).toBeInstanceOf(ModelLoadError);
    const e = err as ModelLoadError;
    expect(e.name).toBe('ModelLoadError');
    expect(e.modelId).toBe(entry.id);
    expect(e.message).toContain(entry.name);
    return e;
  }

  it('the intact files load (control for the cases below)', async () => {
    const m = await NetLensModel.load(entry, { read: readInstalled, verify: true });
    expect(m.labels).toHaveLength(10);
    m.dispose();
  });

  it('a flipped byte in a weight shard → "corrupt", naming the file', async () => {
    let flipped = 0;
    const e = await loadError(async (p) => {
      const buf = await readInstalled(p);
      if (p === shard) {
        const b = new Uint8Array(buf);
        b[Math.floor(b.length / 2)]! ^= 0x01;
        flipped++;
      }
      return buf;
    });
    expect(flipped).toBe(1);
    expect(e.message).toContain(shard);
    expect(e.message).toContain('corrupt');
    expect(e.message).not.toContain('missing');
  });

  it('a corrupted model.json is caught by the checksum too', async () => {
    const e = await loadError(async (p) => {
      const buf = await readInstalled(p);
      if (p === entry.modelFile) new Uint8Array(buf)[10]! ^= 0x20;
      return buf;
    });
    expect(e.message).toContain(entry.modelFile);
    expect(e.message).toContain('corrupt');
  });

  it('a missing file → "missing", naming the file', async () => {
    const e = await loadError((p) => readInstalled(p === shard ? `${p}.does-not-exist` : p));
    expect(e.message).toContain(shard);
    expect(e.message).toContain('missing');
    expect(e.message).not.toContain('corrupt');
    // the underlying reason is kept (here Node's ENOENT for the path under models/installed)
    expect(e.message).toContain('ENOENT');
  });

  it('an unreadable label file (checksums off) → ModelLoadError, and the loaded weights are freed', async () => {
    const labels = entry.labels!.file;
    const before = count();
    const err = await NetLensModel.load(entry, {
      verify: false,
      read: async (p) => (p === labels ? new TextEncoder().encode('{not json').buffer as ArrayBuffer : readInstalled(p)),
    }).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(ModelLoadError);
    expect((err as Error).message).toContain(entry.name);
    expect(count()).toBe(before);
  });
});
