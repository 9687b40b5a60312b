// The kernel playground's maths by hand: Sobel on a synthetic step edge, grey-equivalent filters, and the
// similarity ranking on two filters built to be (anti-)Sobel.
import { describe, expect, test } from 'vitest';
import { convolve3x3, cosine, greyEquivalent, greyOf, KERNELS, parseKernel, rankFilters } from '../../src/features/looks/kernels';

describe('kernels', () => {
  test('Sobel x on a vertical step edge (0 | 100): 400 on the two columns beside the edge, 0 elsewhere inside', () => {
    const W = 8, H = 6;
    const img = new Float32Array(W * H).map((_, i) => (i % W >= 4 ? 100 : 0));
    const out = convolve3x3(img, W, H, KERNELS['sobel-x']!.k);
    // rows away from the top/bottom border: columns 3 and 4 see the step: (−1−2−1)·0 + (1+2+1)·100 = 400
    for (let y = 1; y < H - 1; y++) {
      expect(Array.from(out.slice(y * W, y * W + W))).toEqual([0, 0, 0, 400, 400, 0, 0, -400]); // the right border: zero padding
    }
    // Sobel y finds nothing on a vertical edge, away from the top and bottom borders
    const oy = convolve3x3(img, W, H, KERNELS['sobel-y']!.k);
    for (let y = 1; y < H - 1; y++) for (let x = 0; x < W; x++) expect(oy[y * W + x]).toBe(0);
  });

  test('a blur keeps a flat image flat (inside), and sums to one', () => {
    const img = new Float32Array(25).fill(80);
    const out = convolve3x3(img, 5, 5, KERNELS.gaussian!.k);
    expect(out[12]).toBeCloseTo(80, 5);
    expect(KERNELS.box!.k.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 10);
  });

  test('grey: the mean of the three resized pixel values, from the model input', () => {
    const pre = { scale: 1 / 127.5, offset: -1 };
    const input = Float32Array.from([30, 60, 90].map((p) => p * pre.scale + pre.offset));
    expect(greyOf(input, 1, 1, pre)[0]).toBeCloseTo(60, 4);
  });

  test('grey-equivalent weights and the ranking, on two hand-built filters', () => {
    // shape [3, 3, 3, 2]: filter 0 = Sobel-x split over R and G (R: Sobel-x, G: Sobel-x, B: 0) → grey-equivalent 2·Sobel-x
    // filter 1 = minus Sobel-y in R only → grey-equivalent −Sobel-y
    const sx = KERNELS['sobel-x']!.k, sy = KERNELS['sobel-y']!.k;
    const shape = [3, 3, 3, 2] as const;
    const w = new Float32Array(3 * 3 * 3 * 2);
    for (let i = 0; i < 9; i++) {
      w[(i * 3 + 0) * 2 + 0] = sx[i]!; w[(i * 3 + 1) * 2 + 0] = sx[i]!;
      w[(i * 3 + 0) * 2 + 1] = -sy[i]!;
    }
    expect(greyEquivalent(w, shape, 0)).toEqual(sx.map((v) => 2 * v));
    expect(greyEquivalent(w, shape, 1).map((v) => v + 0)).toEqual(sy.map((v) => -v + 0));
    const bySx = rankFilters(w, shape, sx);
    expect(bySx.map((r) => r.filter)).toEqual([0, 1]);
    expect(bySx[0]!.similarity).toBeCloseTo(1, 10);
    expect(bySx[1]!.similarity).toBeCloseTo(0, 10); // Sobel x and y are orthogonal
    const bySy = rankFilters(w, shape, sy);
    expect(bySy.map((r) => [r.filter, Math.round(r.similarity * 1e6) / 1e6])).toEqual([[0, 0], [1, -1]]);
    expect(cosine([1, 0], [0, 0])).toBe(0);
  });

  test('typed kernels: nine numbers, separated by spaces or commas', () => {
    expect(parseKernel('1 0 -1, 2 0 -2; 1 0 -1')).toEqual([1, 0, -1, 2, 0, -2, 1, 0, -1]);
    expect(parseKernel('1 2 3')).toBeNull();
    expect(parseKernel('1 2 3 4 5 6 7 8 x')).toBeNull();
  });
});
