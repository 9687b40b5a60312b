// Perceptual colour maps as 256-entry RGB look-up tables, and the value → [0,1] normalisation that indexes them.
import { interpolateInferno, interpolateRdBu, interpolateViridis } from 'd3-scale-chromatic';
import type { SaliencyMap } from '../features/explain/types';

export type ColormapName = 'inferno' | 'viridis' | 'rdbu';
export type NormaliseMode = 'magnitude' | 'signed';


// d3's RdBu runs red → blue; reversed here so that 1 (most positive, evidence for the class) is red.
const INTERPOLATORS: Record<ColormapName, (t: number) => string> = {
  inferno: interpolateInferno,
  viridis: interpolateViridis,
  rdbu: (t) => interpolateRdBu(1 - t),
};

/** Parses the two forms d3 interpolators return: "#rrggbb" and "rgb(r, g, b)". */
function parseColour(css: string): [number, number, number] {
  const hex = /^#([0-9a-f]{6})$/i.exec(css);
  if (hex) {
    const n = parseInt(hex[1]!, 16);
    return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
  }
  const fn = /^rgba?\(\s*([\d.]+)\s*,\s*([\d.]+)\s*,\s*([\d.]+)/i.exec(css);
  if (fn) return [Math.round(Number(fn[1])), Math.round(Number(fn[2])), Math.round(Number(fn[3]))];
  throw new Error(`unexpected colour from d3-scale-chromatic: ${css}`);
}

const cache = new Map<ColormapName, Uint8Array>();

/** 256 × RGB bytes (entry i at [3i, 3i+1, 3i+2]) for t = i/255. Built once per map; treat as read-only. */
export function lut(name: ColormapName): Uint8Array {
  let table = cache.get(name);
  if (!table) {
    const interp = INTERPOLATORS[name];
    if (!interp) throw new Error(`unknown colormap: ${String(name)}`);
    table = new Uint8Array(256 * 3);
    for (let i = 0; i < 256; i++) table.set(parseColour(interp(i / 255)), i * 3);
    cache.set(name, table);
  }
  return table;
}

/** CSS colour of the LUT entry nearest t ∈ [0,1]. */
export function lutCss(name: ColormapName, t: number): string {
  const table = lut(name);
  const i = Math.round(Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * 255) * 3;
  return `rgb(${table[i]}, ${table[i + 1]}, ${table[i + 2]})`;
}

/**
 * Map values → [0,1] for LUT lookup.
 * - 'magnitude': signed maps |v| / max|v|; unsigned maps (v − min) / (max − min).
 * - 'signed': v / max|v| mapped to [0,1] with 0.5 = zero (1 = most positive).
 * Extents are taken from the values themselves (non-finite values are ignored and map to 0, or 0.5 in 'signed').
 * Degenerate maps never give NaN: a constant map is all 0 in 'magnitude'; an all-zero map is all 0.5 in 'signed'.
 */
export function normalise(map: SaliencyMap, mode: NormaliseMode): Float32Array {
  const v = map.values;
  const n = v.length;
  const out = new Float32Array(n);
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < n; i++) {
    const x = v[i]!;
    if (x < lo) lo = x;
    if (x > hi) hi = x; // NaN fails both comparisons; ±Infinity is filtered below
  }
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) {
    // recompute over finite values only (rare path)
    lo = Infinity; hi = -Infinity;
    for (let i = 0; i < n; i++) {
      const x = v[i]!;
      if (!Number.isFinite(x)) continue;
      if (x < lo) lo = x;
      if (x > hi) hi = x;
    }
  }
  if (lo > hi) { // no finite values at all
    out.fill(mode === 'signed' ? 0.5 : 0);
    return out;
  }
  const maxAbs = Math.max(Math.abs(lo), Math.abs(hi));

  if (mode === 'signed') {
    if (maxAbs === 0) { out.fill(0.5); return out; }
    const k = 0.5 / maxAbs;
    for (let i = 0; i < n; i++) {
      const x = v[i]!;
      const y = 0.5 + x * k;
      out[i] = Number.isFinite(x) ? (y < 0 ? 0 : y > 1 ? 1 : y) : 0.5; // clamp guards 1-ulp rounding
    }
    return out;
  }

  if (hi === lo) return out; // constant: all 0
  if (map.signed) {
    const k = 1 / maxAbs;
    for (let i = 0; i < n; i++) {
      const x = v[i]!;
      out[i] = Number.isFinite(x) ? Math.abs(x) * k : 0;
    }
  } else {
    const k = 1 / (hi - lo);
    for (let i = 0; i < n; i++) {
      const x = v[i]!;
      out[i] = Number.isFinite(x) ? (x - lo) * k : 0;
    }
  }
  return out;
}
