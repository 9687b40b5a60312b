import { describe, expect, it } from 'vitest';
import type { SaliencyMap } from '../../src/features/explain/types';
import { lut, normalise } from '../../src/ui/colormap';
import { mapToJson } from '../../src/ui/overlay';
import { auc } from '../../src/features/explain/popup/Curves';
import { formatTick, legendTicks } from '../../src/ui/Legend';

function makeMap(values: number[], signed: boolean, width = values.length, height = 1): SaliencyMap {
  const v = Float32Array.from(values);
  let min = Infinity, max = -Infinity;
  for (const x of v) { min = Math.min(min, x); max = Math.max(max, x); }
  return { method: 'test', target: { kind: 'class', index: 7 }, width, height, values: v, min, max, signed };
}

const rgb = (t: Uint8Array, i: number) => [t[i * 3], t[i * 3 + 1], t[i * 3 + 2]];

describe('lut', () => {
  it('is 256 × RGB bytes', () => {
    for (const name of ['inferno', 'viridis', 'rdbu'] as const) {
      const t = lut(name);
      expect(t).toBeInstanceOf(Uint8Array);
      expect(t.length).toBe(768);
    }
  });
  it('inferno runs from near-black to bright yellow', () => {
    const t = lut('inferno');
    expect(rgb(t, 0)).toEqual([0, 0, 4]); // #000004
    expect(rgb(t, 255)).toEqual([252, 255, 164]); // #fcffa4
    const lum = (i: number) => t[i * 3]! + t[i * 3 + 1]! + t[i * 3 + 2]!;
    expect(lum(0)).toBeLessThan(lum(128));
    expect(lum(128)).toBeLessThan(lum(255));
  });
  it('viridis starts purple and ends yellow', () => {
    const t = lut('viridis');
    expect(rgb(t, 0)).toEqual([68, 1, 84]); // #440154
    const [r, g, b] = rgb(t, 255) as [number, number, number];
    expect(r).toBeGreaterThan(200);
    expect(g).toBeGreaterThan(200);
    expect(b).toBeLessThan(60);
  });
  it('rdbu is reversed: 0 blue, 0.5 near white, 1 red', () => {
    const t = lut('rdbu');
    expect(rgb(t, 0)).toEqual([5, 48, 97]);
    expect(rgb(t, 255)).toEqual([103, 0, 31]);
    const mid = rgb(t, 128) as [number, number, number];
    for (const c of mid) expect(c).toBeGreaterThan(230);
  });
  it('is cached', () => {
    expect(lut('viridis')).toBe(lut('viridis'));
  });
});

describe('normalise', () => {
  it('unsigned magnitude: (v − min) / (max − min)', () => {
    const out = normalise(makeMap([2, 4, 6, 10], false), 'magnitude');
    expect(Array.from(out)).toEqual([0, 0.25, 0.5, 1]);
  });
  it('signed mode: zero → 0.5, most positive → 1, most negative scaled by max|v|', () => {
    const out = normalise(makeMap([-1, 0, 2, 4], true), 'signed');
    expect(Array.from(out)).toEqual([0.375, 0.5, 0.75, 1]);
  });
  it('signed mode: symmetric extremes hit 0 and 1', () => {
    const out = normalise(makeMap([-3, 3, 0], true), 'signed');
    expect(Array.from(out)).toEqual([0, 1, 0.5]);
  });
  it('magnitude of a signed map uses |v| / max|v|', () => {
    const out = normalise(makeMap([-4, -2, 0, 1, 2], true), 'magnitude');
    expect(Array.from(out)).toEqual([1, 0.5, 0, 0.25, 0.5]);
  });
  it('constant maps give zeros, never NaN', () => {
    for (const signed of [false, true]) {
      const out = normalise(makeMap([3, 3, 3, 3], signed), 'magnitude');
      expect(Array.from(out)).toEqual([0, 0, 0, 0]);
    }
    const zero = normalise(makeMap([0, 0, 0], true), 'signed');
    expect(Array.from(zero)).toEqual([0.5, 0.5, 0.5]);
    expect(Array.from(normalise(makeMap([0, 0], false), 'magnitude'))).toEqual([0, 0]);
  });
  it('stays within [0,1] and ignores non-finite values', () => {
    const out = normalise(makeMap([NaN, 1, 3, Infinity], false), 'magnitude');
    expect(Array.from(out)).toEqual([0, 0, 1, 0]);
    const rnd = Array.from({ length: 1000 }, (_, i) => Math.sin(i * 12.9898) * 1e-3);
    for (const mode of ['signed', 'magnitude'] as const) {
      for (const x of normalise(makeMap(rnd, true), mode)) {
        expect(x).toBeGreaterThanOrEqual(0);
        expect(x).toBeLessThanOrEqual(1);
      }
    }
  });
});

describe('auc', () => {
  it('uses the trapezoid rule on [0,1]', () => {
    expect(auc([1, 1])).toBe(1);
    expect(auc([1, 0])).toBe(0.5);
    expect(auc([0, 1, 0])).toBe(0.5);
    expect(auc([1, 0.5, 0.5, 0])).toBeCloseTo(0.5, 12);
    expect(auc([0, 0, 0, 1])).toBeCloseTo(1 / 6, 12);
    expect(auc([0.3])).toBe(0.3);
    expect(auc([])).toBeNaN();
  });
});

describe('mapToJson', () => {
  it('round-trips with exactly the documented keys', () => {
    const map = makeMap([0.5, -0.25, 1, 0, 2, -3], true, 3, 2);
    map.method = 'grad-cam';
    const parsed = JSON.parse(mapToJson(map, 'golden retriever')) as Record<string, unknown>;
    expect(Object.keys(parsed)).toEqual(['method', 'classIndex', 'className', 'width', 'height', 'values']);
    expect(parsed).toEqual({
      method: 'grad-cam', classIndex: 7, className: 'golden retriever', width: 3, height: 2,
      values: [0.5, -0.25, 1, 0, 2, -3],
    });
    expect(Array.isArray(parsed.values)).toBe(true);
  });
  it('keeps float32 values exactly', () => {
    const map = makeMap([0.1, 1 / 3], false);
    const parsed = JSON.parse(mapToJson(map, 'x')) as { values: number[] };
    expect(Float32Array.from(parsed.values)).toEqual(map.values);
    expect(parsed.values[0]).toBe(map.values[0]);
  });
});

describe('legend helpers', () => {
  it('formats ticks compactly to 3 significant digits', () => {
    expect(formatTick(0)).toBe('0');
    expect(formatTick(1)).toBe('1');
    expect(formatTick(0.123456)).toBe('0.123');
    expect(formatTick(-12.3456)).toBe('−12.3');
    expect(formatTick(0.000123456)).toBe('1.23e-4');
    expect(formatTick(123456)).toBe('1.23e5');
  });
  it('places ticks according to the mode', () => {
    expect(legendTicks('signed', -1, 4, true)).toEqual([{ t: 0, value: -4 }, { t: 0.5, value: 0 }, { t: 1, value: 4 }]);
    expect(legendTicks('magnitude', -5, 4, true)).toEqual([{ t: 0, value: 0 }, { t: 1, value: 5 }]);
    expect(legendTicks('magnitude', 2, 9, false)).toEqual([{ t: 0, value: 2 }, { t: 1, value: 9 }]);
  });
});
