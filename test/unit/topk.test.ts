import { describe, expect, it } from 'vitest';
import { topK } from '../../src/engine/topk';

const LABELS = ['a', 'b', 'c', 'd', 'e', 'f'];
const idx = (r: { index: number }[]) => r.map((p) => p.index);

/** Reference: full stable sort by descending value (ties by lower index), NaN dropped. */
function reference(probs: number[], k: number): number[] {
  return probs
    .map((p, i) => ({ p, i }))
    .filter(({ p }) => !Number.isNaN(p))
    .sort((x, y) => y.p - x.p || x.i - y.i)
    .slice(0, Math.max(0, k))
    .map(({ i }) => i);
}

describe('topK', () => {
  it('returns the k largest, highest first, with index, name and probability', () => {
    const probs = [0.05, 0.4, 0.1, 0.3, 0.15, 0];
    expect(topK(probs, 3, LABELS)).toEqual([
      { index: 1, className: 'b', prob: 0.4 },
      { index: 3, className: 'd', prob: 0.3 },
      { index: 4, className: 'e', prob: 0.15 },
    ]);
  });

  it('works on a typed array (what tensor.data() returns)', () => {
    const probs = new Float32Array([0.1, 0.2, 0.7]);
    expect(topK(probs, 2, LABELS).map((p) => [p.index, p.prob])).toEqual([[2, probs[2]], [1, probs[1]]]);
  });

  it('keeps the lower index first on ties, also at the k boundary', () => {
    expect(idx(topK([0.2, 0.5, 0.2, 0.5, 0.2], 5, LABELS))).toEqual([1, 3, 0, 2, 4]);
    // the tie straddles the cut: the lower indices win the remaining slots
    expect(idx(topK([0.2, 0.5, 0.2, 0.5, 0.2], 3, LABELS))).toEqual([1, 3, 0]);
    expect(idx(topK([0.3, 0.3, 0.3, 0.3], 2, LABELS))).toEqual([0, 1]);
  });

  it('returns all n entries, sorted, when k > n', () => {
    const r = topK([0.1, 0.6, 0.3], 10, LABELS);
    expect(r).toHaveLength(3);
    expect(idx(r)).toEqual([1, 2, 0]);
  });

  it('skips NaN wherever it appears', () => {
    expect(idx(topK([NaN, 0.1, 0.9, NaN, 0.5], 3, LABELS))).toEqual([2, 4, 1]);
    expect(idx(topK([0.1, NaN, 0.2], 5, LABELS))).toEqual([2, 0]);
    expect(topK([NaN, NaN], 2, LABELS)).toEqual([]);
  });

  it('returns nothing for k = 0, a negative k or no scores', () => {
    expect(topK([0.2, 0.8], 0, LABELS)).toEqual([]);
    expect(topK([0.2, 0.8], -3, LABELS)).toEqual([]);
    expect(topK([], 5, LABELS)).toEqual([]);
  });

  it('handles negative scores and infinities (logits, not only probabilities)', () => {
    expect(idx(topK([-3, -1, -Infinity, Infinity, -2], 4, LABELS))).toEqual([3, 1, 4, 0]);
  });

  it('a fractional k is rounded down', () => {
    expect(topK([0.1, 0.5, 0.3, 0.2], 2.5, []).map((p) => p.index)).toEqual([1, 2]);
  });

  it('names from labels, falling back to "class N" when the label is missing', () => {
    const r = topK([0.1, 0.2, 0.3, 0.4], 4, ['zero', 'one']);
    expect(r.map((p) => p.className)).toEqual(['class 3', 'class 2', 'one', 'zero']);
    expect(topK([1], 1, [])[0]!.className).toBe('class 0');
  });

  it('matches a full sort on pseudo-random data with many ties', () => {
    let s = 12345;
    const rnd = () => { s = (Math.imul(s, 1103515245) + 12345) >>> 0; return s / 2 ** 32; };
    for (let trial = 0; trial < 200; trial++) {
      const n = 1 + Math.floor(rnd() * 40);
      const probs = Array.from({ length: n }, () => (rnd() < 0.1 ? NaN : Math.round(rnd() * 8) / 8));
      const k = Math.floor(rnd() * (n + 3));
      expect(idx(topK(probs, k, [])), `n=${n} k=${k} ${JSON.stringify(probs)}`).toEqual(reference(probs, k));
    }
  });
});
