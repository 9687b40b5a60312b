// XRAI's region ranking (Kapishnikov et al. 2019, https://arxiv.org/abs/1906.02825, §3.2): pixel attributions
// are noisy, so XRAI reports them per region instead. Segments from several segmentations compete; the greedy
// step takes the one whose *not yet covered* pixels have the highest mean attribution, so overlapping regions
// are judged only on what they add. The output map is constant per chosen region — that is what makes XRAI
// heatmaps read as "these parts of the picture, in this order".

/**
 * map[p]: the gain (mean attribution of the newly covered pixels) of the region that first covered p.
 * order[p]: the greedy step (0, 1, 2, …) at which p was covered. Every pixel is covered exactly once.
 * Label −1 in a segmentation means "no segment here"; pixels no candidate covers form one last region.
 * Ties in gain go to the earlier segmentation, then the lower label (deterministic, and in a tie between
 * regions with the same uncovered pixels the choice does not change the output).
 */
export function xraiRegions(
  attr: ArrayLike<number>,
  width: number,
  height: number,
  segmentations: readonly Int32Array[],
): { map: Float32Array; order: Int32Array } {
  const n = width * height;
  if (attr.length !== n) throw new Error(`xraiRegions: attr has ${attr.length} values, expected ${width}×${height} = ${n}`);
  for (let p = 0; p < n; p++) {
    // A NaN would make every gain comparison false and silently stop the greedy loop.
    if (!Number.isFinite(attr[p]!)) throw new Error(`xraiRegions: attribution ${attr[p]} at pixel ${p} is not finite`);
  }
  const ns = segmentations.length;

  // Candidate ids: segmentation s, label l ↦ base[s] + l. pixelCand[s·n + p] is p's candidate in s (or −1).
  const base = new Int32Array(ns + 1);
  for (let s = 0; s < ns; s++) {
    const seg = segmentations[s]!;
    if (seg.length !== n) throw new Error(`xraiRegions: segmentation ${s} has ${seg.length} labels, expected ${n}`);
    let max = -1;
    for (let p = 0; p < n; p++) {
      const l = seg[p]!;
      if (l < -1) throw new Error(`xraiRegions: segmentation ${s} has label ${l} at pixel ${p} (labels are ≥ 0, or −1 for none)`);
      if (l > max) max = l;
    }
    base[s + 1] = base[s]! + max + 1;
  }
  const nc = base[ns]!;
  const pixelCand = new Int32Array(ns * n);
  const sum = new Float64Array(nc); // running sums over each candidate's uncovered pixels
  const cnt = new Int32Array(nc);
  for (let s = 0; s < ns; s++) {
    const seg = segmentations[s]!;
    for (let p = 0; p < n; p++) {
      const l = seg[p]!;
      const c = l < 0 ? -1 : base[s]! + l;
      pixelCand[s * n + p] = c;
      if (c >= 0) {
        sum[c]! += attr[p]!;
        cnt[c]!++;
      }
    }
  }

  // Candidate → pixels, compressed (counting sort by candidate), to visit a chosen region's pixels directly.
  const start = new Int32Array(nc + 1);
  for (let c = 0; c < nc; c++) start[c + 1] = start[c]! + cnt[c]!;
  const fill = start.slice(0, nc);
  const members = new Int32Array(start[nc]!);
  for (let s = 0; s < ns; s++) {
    for (let p = 0; p < n; p++) {
      const c = pixelCand[s * n + p]!;
      if (c >= 0) members[fill[c]!++] = p;
    }
  }

  const map = new Float32Array(n);
  const order = new Int32Array(n).fill(-1);
  let covered = 0;
  let step = 0;
  // Each step scans all candidates (a few hundred to a few thousand) — cheap next to the per-pixel updates,
  // which are O(n · segmentations) in total because each pixel is covered once.
  while (covered < n) {
    let best = -1, bestGain = -Infinity;
    for (let c = 0; c < nc; c++) {
      if (cnt[c] === 0) continue;
      const g = sum[c]! / cnt[c]!;
      if (g > bestGain) {
        bestGain = g;
        best = c;
      }
    }
    if (best < 0) break; // only pixels outside every segmentation remain
    for (let i = start[best]!; i < start[best + 1]!; i++) {
      const p = members[i]!;
      if (order[p]! >= 0) continue;
      order[p] = step;
      map[p] = bestGain;
      covered++;
      for (let s = 0; s < ns; s++) {
        const c = pixelCand[s * n + p]!;
        if (c < 0) continue;
        // Reset to exactly 0 when emptied so float residue cannot make an empty region look attractive.
        if (--cnt[c]! === 0) sum[c] = 0;
        else sum[c]! -= attr[p]!;
      }
    }
    step++;
  }

  if (covered < n) {
    let rest = 0;
    for (let p = 0; p < n; p++) if (order[p]! < 0) rest += attr[p]!;
    const gain = rest / (n - covered);
    for (let p = 0; p < n; p++) {
      if (order[p]! < 0) {
        order[p] = step;
        map[p] = gain;
      }
    }
  }
  return { map, order };
}
