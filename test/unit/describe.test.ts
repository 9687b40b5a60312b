// Text alternatives for maps, checked on hand-built maps.
import { describe, expect, test } from 'vitest';
import { describeMap, mapAlt, whereStrongest } from '../../src/ui/describe';

const map = (w: number, h: number, f: (x: number, y: number) => number, signed = false) => ({ width: w, height: h, signed, values: Float32Array.from({ length: w * h }, (_, i) => f(i % w, Math.floor(i / w))) });

describe('describeMap', () => {
  test('a blob in the upper left covering a quarter of the image', () => {
    const m = map(10, 10, (x, y) => (x < 5 && y < 5 ? (x === 1 && y === 1 ? 1 : 0.8) : 0.1));
    expect(describeMap(m)).toEqual({ where: 'upper left', share: 0.25 });
    expect(mapAlt('Grad-CAM', 'tabby cat', m)).toBe('Grad-CAM for tabby cat: strongest in the upper left, 25 % of the image above half of the peak');
  });
  test('the centre and the middle right; a map with no positive evidence says so', () => {
    expect(describeMap(map(9, 9, (x, y) => (x === 4 && y === 4 ? 1 : 0))).where).toBe('centre');
    expect(describeMap(map(9, 9, (x, y) => (x === 8 && y === 4 ? 1 : 0))).where).toBe('middle right');
    expect(mapAlt('Gradient × input', 'kite', map(4, 4, () => -1, true))).toBe('Gradient × input for kite: no evidence for the class anywhere in the image');
  });
  test('whereStrongest: a channel map (its real values) or a class map, in words', () => {
    expect(whereStrongest(Float32Array.from({ length: 16 }, (_, i) => (i === 15 ? 4.5 : 0.05)), 4, 4)).toBe('strongest in the lower right');
    expect(whereStrongest([0, 0, 0, 0], 2, 2)).toBe('silent everywhere');
  });
});
