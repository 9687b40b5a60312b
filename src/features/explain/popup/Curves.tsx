// Deletion / insertion faithfulness curves: two small hand-drawn SVG line charts.
import './explain.css';

interface CurvesProps {
  /** class probability after deleting the top-k fraction of pixels (most salient first), evenly spaced over 0..1 */
  deletion: number[];
  /** class probability after inserting the top-k fraction of pixels into a blank/blurred image */
  insertion: number[];
  randomDeletion: number[];
  randomInsertion: number[];
}

/** Area under ys sampled evenly on [0,1] (trapezoid rule). One point → that value; empty → NaN. */
export function auc(ys: readonly number[]): number {
  const n = ys.length;
  if (n === 0) return NaN;
  if (n === 1) return ys[0]!;
  let s = 0;
  for (let i = 1; i < n; i++) s += (ys[i - 1]! + ys[i]!) / 2;
  return s / (n - 1);
}

const W = 170;
const H = 110;
const M = { l: 26, r: 6, t: 6, b: 22 };
const PW = W - M.l - M.r;
const PH = H - M.t - M.b;
const STRONG = '#4338ca';
const GREY = '#9ca3af';

const px = (x: number) => M.l + x * PW;
const py = (y: number) => M.t + (1 - Math.min(1, Math.max(0, y))) * PH;
const fmtAuc = (a: number) => (Number.isFinite(a) ? a.toFixed(3) : '–');

function points(ys: readonly number[]): [number, number][] {
  const n = ys.length;
  const out: [number, number][] = [];
  ys.forEach((y, i) => {
    if (Number.isFinite(y)) out.push([px(n === 1 ? 0 : i / (n - 1)), py(y)]);
  });
  return out;
}

const path = (pts: [number, number][]) => pts.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(' ');

function Chart({ kind, ys, random }: { kind: 'deletion' | 'insertion'; ys: number[]; random: number[] }) {
  const title = kind === 'deletion' ? 'Deletion (lower is better)' : 'Insertion (higher is better)';
  const verb = kind === 'deletion' ? 'deleted' : 'inserted';
  const a = auc(ys);
  const ar = auc(random);
  const method = points(ys);
  const base = points(random);
  const area = method.length > 1
    ? `${path(method)} ${method[method.length - 1]![0].toFixed(1)},${py(0)} ${method[0]![0].toFixed(1)},${py(0)}`
    : '';
  const aria = `${title}: class probability as pixels are ${verb}, most salient first. AUC ${fmtAuc(a)}; random order AUC ${fmtAuc(ar)}.`;
  return (
    <figure class="nl-curve" data-kind={kind}>
      <figcaption class="nl-curve-title"><span class="nl-curve-name">{title}</span> <span class="nl-curve-auc">AUC {fmtAuc(a)}</span></figcaption>
      <svg class="nl-curve-svg" role="img" aria-label={aria} viewBox={`0 0 ${W} ${H}`} width={W} height={H}>
        {[0, 0.5, 1].map((v) => (
          <g key={`y${v}`}>
            <line class="nl-curve-grid" x1={M.l} x2={W - M.r} y1={py(v)} y2={py(v)} stroke="#e5e7eb" />
            <text class="nl-curve-label" x={M.l - 4} y={py(v) + 3} text-anchor="end" font-size="9" fill="#6b7280">{v}</text>
          </g>
        ))}
        {[0, 0.5, 1].map((v) => (
          <text key={`x${v}`} class="nl-curve-label" x={px(v)} y={M.t + PH + 11} text-anchor={v === 0 ? 'start' : v === 1 ? 'end' : 'middle'} font-size="9" fill="#6b7280">{v}</text>
        ))}
        <text class="nl-curve-label" x={M.l + PW / 2} y={H - 2} text-anchor="middle" font-size="9" fill="#6b7280">fraction {verb}</text>
        <line class="nl-curve-axis" x1={M.l} x2={M.l} y1={M.t} y2={M.t + PH} stroke="#9ca3af" />
        <line class="nl-curve-axis" x1={M.l} x2={W - M.r} y1={M.t + PH} y2={M.t + PH} stroke="#9ca3af" />
        {area && <polygon class="nl-curve-area" points={area} fill={STRONG} fill-opacity="0.1" />}
        {base.length > 1 && <polyline class="nl-curve-random" points={path(base)} fill="none" stroke={GREY} stroke-width="1.5" stroke-dasharray="4 3" />}
        {method.length > 1 && <polyline class="nl-curve-method" points={path(method)} fill="none" stroke={STRONG} stroke-width="2" stroke-linejoin="round" />}
        {method.length === 1 && <circle class="nl-curve-dot" cx={method[0]![0]} cy={method[0]![1]} r="2.5" fill={STRONG} />}
        {method.length === 0 && base.length === 0 && (
          <text class="nl-curve-label" x={M.l + PW / 2} y={M.t + PH / 2} text-anchor="middle" font-size="10" fill="#6b7280">no data</text>
        )}
      </svg>
      <div class="nl-curve-key">
        <span class="nl-key-method">method</span>
        <span class="nl-key-random">random ({fmtAuc(ar)})</span>
      </div>
    </figure>
  );
}

export function Curves({ deletion, insertion, randomDeletion, randomInsertion }: CurvesProps) {
  return (
    <div class="nl-curves">
      <Chart kind="deletion" ys={deletion} random={randomDeletion} />
      <Chart kind="insertion" ys={insertion} random={randomInsertion} />
    </div>
  );
}
