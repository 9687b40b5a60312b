// "Compare all" as plain data: each method's scores over the random baseline, one overall rank, and the CSV a
// learner can take to a spreadsheet. TF-free: the host ranks, the popup renders and exports.
import type { CompareRow, RandomBaselineResult } from './contract';

export type Scores = Omit<CompareRow, 'deletionRatio' | 'insertionRatio' | 'roadRatio' | 'rank'>;

/** A score over the random baseline's (NaN when the baseline is 0: no ratio exists). */
export const ratioOver = (x: number, base: number): number => (base > 0 ? x / base : Number.NaN);
/** A ratio as shown: two decimals and ×, or a dash when there is none. */
export const formatRatio = (r: number): string => (Number.isFinite(r) ? `${r.toFixed(2)}×` : '–');

/** 1-based ranks of `xs` in the given direction; ties share the best rank of their group. */
function ranksOf(xs: readonly number[], better: 'lower' | 'higher'): number[] {
  const sign = better === 'lower' ? 1 : -1;
  const order = xs.map((x, i) => [x * sign, i] as const).sort((a, b) => a[0] - b[0]);
  const r = new Array<number>(xs.length);
  order.forEach(([x, i], k) => { r[i] = k > 0 && order[k - 1]![0] === x ? r[order[k - 1]![1]]! : k + 1; });
  return r;
}

/**
 * Rank = the order of the mean of four per-metric ranks: deletion and ROAD (lower is better), insertion (higher
 * is better) and the sanity check's Spearman (lower is better: the map should change when the model does).
 * A method without a Spearman is ranked on the other three. Ties go to the lower deletion ratio.
 */
export function rankRows(rows: readonly Scores[], random: RandomBaselineResult): CompareRow[] {
  const withRatios = rows.map((r) => ({
    ...r,
    deletionRatio: ratioOver(r.deletion, random.deletion.mean),
    insertionRatio: ratioOver(r.insertion, random.insertion.mean),
    roadRatio: ratioOver(r.road, random.road.mean),
  }));
  const del = ranksOf(withRatios.map((r) => r.deletionRatio), 'lower');
  const ins = ranksOf(withRatios.map((r) => r.insertionRatio), 'higher');
  const road = ranksOf(withRatios.map((r) => r.roadRatio), 'lower');
  const sanity = ranksOf(withRatios.map((r) => r.spearman ?? Number.POSITIVE_INFINITY), 'lower');
  const score = withRatios.map((r, i) => (del[i]! + ins[i]! + road[i]! + (r.spearman === null ? 0 : sanity[i]!)) / (r.spearman === null ? 3 : 4));
  const order = withRatios.map((_, i) => i).sort((a, b) => (score[a]! - score[b]!) || (withRatios[a]!.deletionRatio - withRatios[b]!.deletionRatio));
  const rank = new Array<number>(rows.length);
  order.forEach((i, k) => { rank[i] = k + 1; });
  return withRatios.map((r, i) => ({ ...r, rank: rank[i]! })).sort((a, b) => a.rank - b.rank);
}

const CSV_COLUMNS = ['rank', 'method', 'deletion', 'deletionRatio', 'insertion', 'insertionRatio', 'road', 'roadRatio', 'spearman', 'ms'] as const;

/** One row a method, with the random baseline as the last rows (mean ± sd over its seeds). */
export function compareCsv(rows: readonly Omit<CompareRow, 'map'>[], random: RandomBaselineResult, names: (id: string) => string = (id) => id): string {
  const cell = (v: unknown) => {
    const s = typeof v === 'number' ? (Number.isFinite(v) ? String(Number(v.toPrecision(6))) : '') : v === null ? '' : String(v);
    return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const lines = [CSV_COLUMNS.join(',')];
  for (const r of rows) lines.push(CSV_COLUMNS.map((c) => cell(c === 'method' ? names(r.method) : r[c])).join(','));
  lines.push(['', `random mean (${random.seeds} seeds, ${random.substrate})`, random.deletion.mean, 1, random.insertion.mean, 1, random.road.mean, 1, '', ''].map(cell).join(','));
  lines.push(['', 'random sd', random.deletion.sd, '', random.insertion.sd, '', random.road.sd, '', '', ''].map(cell).join(','));
  return lines.join('\n') + '\n';
}
