// Horizontal colour-scale bar for a saliency overlay, with tick labels.
import { useId } from 'preact/hooks';
import { lutCss, type ColormapName, type NormaliseMode } from './colormap';
import '../features/explain/popup/explain.css';

interface LegendProps {
  colormap: ColormapName;
  mode: NormaliseMode;
  min: number;
  max: number;
  /** whether the map's values are signed (affects what 'magnitude' shows) */
  signed: boolean;
  /** optional caption under the bar */
  label?: string;
}

const STOPS = 16;
const W = 224;
const BAR_H = 12;
const H = 30;

const ENDS: Record<ColormapName, [string, string, string]> = {
  inferno: ['black', 'orange', 'yellow'],
  viridis: ['purple', 'teal', 'yellow'],
  rdbu: ['blue', 'white', 'red'],
};

/** Compact number: 3 significant digits, exponent form for very small/large magnitudes, true minus sign. */
export function formatTick(v: number): string {
  if (!Number.isFinite(v)) return Number.isNaN(v) ? '–' : v > 0 ? '∞' : '−∞';
  if (v === 0) return '0';
  const a = Math.abs(v);
  let s: string;
  if (a >= 1e4 || a < 1e-3) {
    const [m, e] = a.toExponential(2).split('e');
    s = `${String(parseFloat(m!))}e${String(Number(e))}`;
  } else {
    s = String(parseFloat(a.toPrecision(3)));
  }
  return (v < 0 ? '−' : '') + s;
}

interface Tick { t: number; value: number }

/** Where the colour scale's ends (and zero, when centred) fall, in data units. */
export function legendTicks(mode: NormaliseMode, min: number, max: number, signed: boolean): Tick[] {
  const lo = Number.isFinite(min) ? min : 0;
  const hi = Number.isFinite(max) ? max : 0;
  const maxAbs = Math.max(Math.abs(lo), Math.abs(hi));
  if (mode === 'signed') return [{ t: 0, value: -maxAbs }, { t: 0.5, value: 0 }, { t: 1, value: maxAbs }];
  if (signed) return [{ t: 0, value: 0 }, { t: 1, value: maxAbs }];
  return [{ t: 0, value: lo }, { t: 1, value: hi }];
}

export function Legend({ colormap, mode, min, max, signed, label }: LegendProps) {
  const id = `nl-grad-${useId()}`;
  const ticks = legendTicks(mode, min, max, signed);
  const names = ENDS[colormap];
  const described = ticks.map(({ t, value }) => `${t === 0 ? names[0] : t === 1 ? names[2] : names[1]} = ${formatTick(value)}`);
  const aria = `Colour scale (${colormap}): ${described.join(', ')}`
    + (mode === 'magnitude' && signed ? ' (absolute value)' : '')
    + (label ? `. ${label}` : '');
  return (
    <figure class="nl-legend">
      <svg class="nl-legend-svg" role="img" aria-label={aria} viewBox={`0 0 ${W} ${H}`} width={W} height={H}>
        <defs>
          <linearGradient id={id} x1="0" x2="1" y1="0" y2="0">
            {Array.from({ length: STOPS }, (_, i) => {
              const t = i / (STOPS - 1);
              return <stop key={i} offset={`${(t * 100).toFixed(2)}%`} stop-color={lutCss(colormap, t)} />;
            })}
          </linearGradient>
        </defs>
        <rect class="nl-legend-bar" x="0.5" y="0.5" width={W - 1} height={BAR_H} rx="3" fill={`url(#${id})`} stroke="rgba(0,0,0,.15)" />
        {ticks.map(({ t, value }) => {
          const x = 0.5 + t * (W - 1);
          const anchor = t === 0 ? 'start' : t === 1 ? 'end' : 'middle';
          return (
            <g key={t} class="nl-legend-tick">
              <line x1={x} x2={x} y1={BAR_H + 0.5} y2={BAR_H + 4} stroke="#6b7280" />
              <text x={t === 0 ? 0 : t === 1 ? W : x} y={H - 2} text-anchor={anchor} font-size="10" fill="#6b7280">{formatTick(value)}</text>
            </g>
          );
        })}
      </svg>
      {label && <figcaption class="nl-legend-caption">{label}</figcaption>}
    </figure>
  );
}
