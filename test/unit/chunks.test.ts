import { describe, expect, it } from 'vitest';
import { chunks } from '../../src/features/explain/util';

describe('chunks: batches of balanced sizes', () => {
  it('25 samples in batches of 8 run as 6 + 6 + 6 + 7 (no lone sample)', () => {
    expect(chunks(25, 8)).toEqual([[0, 6], [6, 12], [12, 18], [18, 25]]);
  });

  it('33 in batches of 8: five batches of 6 or 7', () => {
    expect(chunks(33, 8).map(([a, b]) => b - a)).toEqual([6, 7, 6, 7, 7]);
  });

  it('covers [0, n) in order, each batch at most `size`, sizes within one, as few batches as can be', () => {
    for (let n = 0; n <= 70; n++) {
      for (const size of [1, 2, 3, 5, 8, 11, 16, 64]) {
        const c = chunks(n, size);
        expect(c.length).toBe(Math.ceil(n / size));
        let at = 0;
        for (const [a, b] of c) { expect(a).toBe(at); expect(b).toBeGreaterThan(a); at = b; }
        expect(at).toBe(n);
        const sizes = c.map(([a, b]) => b - a);
        if (sizes.length) {
          expect(Math.max(...sizes)).toBeLessThanOrEqual(size);
          expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
        }
      }
    }
  });

  it('a size below 1 is taken as 1', () => {
    expect(chunks(3, 0)).toEqual([[0, 1], [1, 2], [2, 3]]);
    expect(chunks(3, 0.5)).toEqual([[0, 1], [1, 2], [2, 3]]);
  });
});
