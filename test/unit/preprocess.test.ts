// toModelInput: shape, value range per model, RGB vs RGBA, TF's default bilinear resize; fitWithin arithmetic.
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { catalog, type ModelEntry } from '../../src/shared/catalog';
import { MAX_SIDE, fitWithin, toModelInput, type RawPixels } from '../../src/engine/preprocess';
import { initBackend } from './helpers';

beforeAll(async () => { await initBackend(); });
afterEach(() => { vi.restoreAllMocks(); });

/** The value range each model's preprocessing must produce for pixel values 0 and 255. */
const RANGE: Record<string, [number, number]> = {
  'mobilenet-v1-0.75-224': [-1, 1],
  'mobilenet-v1-0.25-224': [-1, 1],
  'mobilenet-v2-1.0-224-notop': [-1, 1],
  'darknet-tiny-imagenet': [0, 1],
  'cnn-explainer-tiny-vgg': [0, 1],
};

function solid(width: number, height: number, value: number, channels: 3 | 4 = 3): RawPixels {
  return { data: new Uint8Array(width * height * channels).fill(value), width, height, channels };
}

/** Deterministic pseudo-random bytes (LCG), so failures reproduce. */
function noise(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; out[i] = s >>> 24; }
  return out;
}

async function minMax(t: tf.Tensor): Promise<[number, number]> {
  const v = await t.data();
  let lo = Infinity;
  let hi = -Infinity;
  for (const x of v) { lo = Math.min(lo, x); hi = Math.max(hi, x); }
  return [lo, hi];
}

async function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): Promise<number> {
  const d = tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))));
  const v = (await d.data())[0]!;
  d.dispose();
  return v;
}

it('covers every catalog model', () => {
  expect(Object.keys(RANGE).sort()).toEqual(catalog.models.map((m) => m.id).sort());
});

describe.each(catalog.models)('toModelInput for $id', (entry: ModelEntry) => {
  const { width: W, height: H } = entry.input;
  const { scale, offset } = entry.preprocess;
  const [lo, hi] = RANGE[entry.id]!;

  it(`gives [1,${H},${W},3] float32`, () => {
    const t = toModelInput(solid(37, 23, 128), entry);
    expect(t.shape).toEqual([1, H, W, 3]);
    expect(t.dtype).toBe('float32');
    t.dispose();
  });

  it(`maps 0 → offset (${lo}) and 255 → 255·scale + offset (${hi})`, async () => {
    expect(offset).toBeCloseTo(lo, 10);
    expect(255 * scale + offset).toBeCloseTo(hi, 10);
    const black = toModelInput(solid(17, 11, 0), entry);
    const white = toModelInput(solid(17, 11, 255), entry);
    const [bLo, bHi] = await minMax(black);
    const [wLo, wHi] = await minMax(white);
    expect(Math.abs(bLo - lo)).toBeLessThanOrEqual(1e-5);
    expect(Math.abs(bHi - lo)).toBeLessThanOrEqual(1e-5);
    expect(Math.abs(wLo - hi)).toBeLessThanOrEqual(1e-5);
    expect(Math.abs(wHi - hi)).toBeLessThanOrEqual(1e-5);
    black.dispose();
    white.dispose();
  });

  it('gives the same tensor for RGBA as for RGB (alpha dropped, not mixed in)', async () => {
    const w = 29;
    const h = 19;
    const rgb = noise(w * h * 3, 7);
    const alpha = noise(w * h, 99);
    const rgba = new Uint8Array(w * h * 4);
    for (let i = 0; i < w * h; i++) {
      rgba.set(rgb.subarray(i * 3, i * 3 + 3), i * 4);
      rgba[i * 4 + 3] = alpha[i]!;
    }
    const a = toModelInput({ data: rgb, width: w, height: h, channels: 3 }, entry);
    const b = toModelInput({ data: rgba, width: w, height: h, channels: 4 }, entry);
    // channels omitted: inferred from the byte count
    const c = toModelInput({ data: rgba, width: w, height: h }, entry);
    const d = toModelInput({ data: rgb, width: w, height: h }, entry);
    expect(b.shape).toEqual(a.shape);
    expect(await maxAbsDiff(a, b)).toBe(0);
    expect(await maxAbsDiff(a, c)).toBe(0);
    expect(await maxAbsDiff(a, d)).toBe(0);
    // and the image content matters (guards against a constant output passing the comparisons above)
    const [mn, mx] = await minMax(a);
    expect(mx - mn).toBeGreaterThan(0.5 * (hi - lo));
    tf.dispose([a, b, c, d]);
  });
});

describe('resize', () => {
  // 2×2 → 4×4, per channel [[0,10],[20,30]] (R), ×2 (G), +100 (B).
  const src: RawPixels = {
    data: new Uint8Array([0, 0, 100, 10, 20, 110, 20, 40, 120, 30, 60, 130]),
    width: 2, height: 2, channels: 3,
  };
  const identity = { input: { width: 4, height: 4, channels: 3 as const }, preprocess: { scale: 1, offset: 0 } };

  it("is TF's default bilinear (no align-corners, no half-pixel centres): out(1,1) = 15 by hand", async () => {
    // Default TF bilinear maps output pixel x to source x·(in/out) = x/2 and clamps at the edge, so output (1,1)
    // samples source (0.5,0.5) = mean of the four pixels: (0+10+20+30)/4 = 15.
    // Half-pixel centres would sample (0.25,0.25) → 7.5; align-corners would sample (1/3,1/3) → 10.
    const t = toModelInput(src, identity);
    expect(t.shape).toEqual([1, 4, 4, 3]);
    const v = await t.data();
    const at = (y: number, x: number, c: number) => v[(y * 4 + x) * 3 + c]!;
    expect(at(1, 1, 0)).toBeCloseTo(15, 5);
    expect(at(1, 1, 1)).toBeCloseTo(30, 5);
    expect(at(1, 1, 2)).toBeCloseTo(115, 5);
    // whole red plane, by the same rule: rows sample source y = 0, .5, 1, 1(clamped)
    const red = [0, 1, 2, 3].flatMap((y) => [0, 1, 2, 3].map((x) => at(y, x, 0)));
    expect(red).toEqual([0, 5, 10, 10, 10, 15, 20, 20, 20, 25, 30, 30, 20, 25, 30, 30]);
    t.dispose();
  });

  it('applies scale and offset after resizing', async () => {
    const entry = { input: identity.input, preprocess: { scale: 1 / 127.5, offset: -1 } };
    const t = toModelInput(src, entry);
    const v = await t.data();
    expect(v[(1 * 4 + 1) * 3]!).toBeCloseTo(15 / 127.5 - 1, 5);
    t.dispose();
  });
});

describe('the one-pass CPU resize against TF.js resizeBilinear', () => {
  it.each([[768, 576, 224, 224], [37, 23, 224, 224], [300, 300, 64, 64], [5, 9, 12, 7]])('%i×%i → %i×%i, RGB and RGBA: the same numbers within 1e-5', async (W, H, w, h) => {
    const rgb = noise(W * H * 3, W + H);
    const rgba = new Uint8Array(W * H * 4);
    for (let i = 0; i < W * H; i++) { rgba.set(rgb.subarray(i * 3, i * 3 + 3), i * 4); rgba[i * 4 + 3] = 255; }
    const entry = { input: { width: w, height: h, channels: 3 as const }, preprocess: { scale: 1 / 127.5, offset: -1 } };
    // independent: TF.js's own kernel on the int pixels, then the same scale and offset
    const ref = tf.tidy(() => tf.add(tf.mul(tf.image.resizeBilinear(tf.tensor3d(rgb, [H, W, 3], 'int32'), [h, w]), 1 / 127.5), -1).expandDims(0));
    for (const data of [rgb, rgba]) {
      const ours = toModelInput({ data, width: W, height: H }, entry);
      expect(await maxAbsDiff(ours, ref)).toBeLessThan(1e-5);
      ours.dispose();
    }
    // positive control: one source pixel changed shows up
    const other = rgb.slice(); other[0] = (other[0]! + 128) % 256;
    const moved = toModelInput({ data: other, width: W, height: H, channels: 3 }, entry);
    expect(await maxAbsDiff(moved, ref)).toBeGreaterThan(0.1);
    tf.dispose([ref, moved]);
  });
});

describe('fitWithin', () => {
  it('keeps images that already fit', () => {
    expect(fitWithin(224, 224)).toEqual({ width: 224, height: 224, scaled: false });
    expect(fitWithin(MAX_SIDE, 17)).toEqual({ width: MAX_SIDE, height: 17, scaled: false });
    expect(fitWithin(1, 1)).toEqual({ width: 1, height: 1, scaled: false });
  });

  it('scales a 12000×12000 image to 2048×2048, keeping the aspect ratio of others', () => {
    expect(MAX_SIDE).toBe(2048);
    expect(fitWithin(12000, 12000)).toEqual({ width: 2048, height: 2048, scaled: true });
    expect(fitWithin(12000, 6000)).toEqual({ width: 2048, height: 1024, scaled: true });
    expect(fitWithin(3000, 4000, 1000)).toEqual({ width: 750, height: 1000, scaled: true });
    // a sliver never collapses to 0 px
    expect(fitWithin(100000, 3)).toEqual({ width: 2048, height: 1, scaled: true });
  });

  it('is pure arithmetic: creates no tensor at all', () => {
    const track = vi.spyOn(tf.engine(), 'trackTensor');
    // positive control: the spy does see tensor creation
    tf.zeros([1]).dispose();
    expect(track).toHaveBeenCalledTimes(1);
    track.mockClear();

    const before = tf.memory().numTensors;
    const r = fitWithin(12000, 12000);
    expect(r.scaled).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
    expect(track).not.toHaveBeenCalled();
  });
});
