import type { Prediction } from '../features/classify/contract';

/** The k largest entries of `probs`, highest first (ties keep the lower index first), named from `labels`. */
export function topK(probs: ArrayLike<number>, k: number, labels: readonly string[]): Prediction[] {
  const n = probs.length;
  const kk = Math.max(0, Math.min(Math.floor(k), n));
  // A k-slot insertion list is O(n·k) with tiny constants; for 1000 classes and k=5 it beats sorting.
  const idx: number[] = [];
  for (let i = 0; i < n; i++) {
    const p = probs[i]!;
    if (Number.isNaN(p)) continue;
    if (idx.length === kk && p <= probs[idx[kk - 1]!]!) continue;
    let j = idx.length < kk ? idx.length : kk - 1;
    while (j > 0 && probs[idx[j - 1]!]! < p) { idx[j] = idx[j - 1]!; j--; }
    idx[j] = i;
  }
  return idx.map((i) => ({ index: i, className: labels[i] ?? `class ${i}`, prob: probs[i]! }));
}
