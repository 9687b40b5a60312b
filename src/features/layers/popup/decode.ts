// Plain-data helpers for the Layers view: decoding the compact wire form of a layer's activations, paging,
// and formatting. No DOM, no Preact: unit-tested in Node.
import type { LayerActivations, LayerInfo } from '../contract';
import { base64ToBytes, base64ToFloats } from '../../../shared/codecs';

/** One layer's activations, decoded once when they arrive (the popup never sees a tensor). */
export interface DecodedLayer {
  name: string;
  h: number;
  w: number;
  c: number;
  /** uint8 per value, one [h][w] map after another, for the channels loaded so far */
  q: Uint8Array;
  /** channel → which map of q holds it, −1 while it is not loaded (the host sends a page at a time) */
  slot: Int32Array;
  /** the input layer (its channels are R, G, B) */
  isInput: boolean;
  mins: Float32Array;
  maxs: Float32Array;
  means: Float32Array;
  /** channel indices, highest mean first */
  order: number[];
  stats: { sparsity: number; mean: number; max: number };
  /** lowest min and highest max over all channels (for the "whole layer" colour scale) */
  lo: number;
  hi: number;
  /** input layer only, once asked for: exact model input, [h][w][c] */
  floats?: Float32Array;
  /** first conv layer only: [kh][kw][cin][cout] */
  filters?: { shape: [number, number, number, number]; data: Float32Array };
  contributions?: LayerActivations['contributions'];
  /** bytes received (base64 decoded), for the status line */
  bytes: number;
}

/** The slots of the maps a reply carries: its `channels` in order, or every channel. */
function slotsOf(a: LayerActivations, c: number, n: number, q: Uint8Array): Int32Array {
  const slot = new Int32Array(c).fill(-1);
  const chans = a.channels ?? Array.from({ length: c }, (_, i) => i);
  if (q.length !== chans.length * n) throw new Error(`${a.name}: ${q.length} bytes for ${chans.length} maps of ${n}`);
  chans.forEach((ch, i) => { if (ch < 0 || ch >= c) throw new Error(`${a.name}: no channel ${ch}`); slot[ch] = i; });
  return slot;
}

export function decodeActivations(a: LayerActivations): DecodedLayer {
  const [h, w, c] = a.shape;
  const q = base64ToBytes(a.data);
  const slot = slotsOf(a, c, h * w, q);
  const mins = base64ToFloats(a.mins);
  const maxs = base64ToFloats(a.maxs);
  const means = base64ToFloats(a.means);
  if (mins.length !== c || maxs.length !== c || means.length !== c) throw new Error(`${a.name}: per-channel arrays do not have ${c} entries`);
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < c; i++) { if (mins[i]! < lo) lo = mins[i]!; if (maxs[i]! > hi) hi = maxs[i]!; }
  // A missing or short order (defensive): fall back to sorting by mean.
  const order = a.order.length === c ? a.order.slice() : Array.from({ length: c }, (_, i) => i).sort((x, y) => means[y]! - means[x]! || x - y);
  const d: DecodedLayer = { name: a.name, h, w, c, q, slot, isInput: a.input === true, mins, maxs, means, order, stats: a.stats, lo: c ? lo : 0, hi: c ? hi : 0, bytes: q.length + 12 * c };
  if (a.floats) d.floats = base64ToFloats(a.floats);
  if (a.filters) d.filters = { shape: a.filters.shape, data: base64ToFloats(a.filters.data) };
  if (a.contributions) d.contributions = a.contributions;
  return d;
}

/** A layer with more of its maps (a later page) or its floats added: a new object, the old one untouched. */
export function mergeActivations(d: DecodedLayer, a: LayerActivations): DecodedLayer {
  if (a.name !== d.name || a.shape[0] !== d.h || a.shape[1] !== d.w || a.shape[2] !== d.c) throw new Error(`${a.name}: does not match the layer shown`);
  const n = d.h * d.w, extra = base64ToBytes(a.data), more = slotsOf(a, d.c, n, extra);
  const slot = d.slot.slice();
  const add: number[] = [];
  more.forEach((s, ch) => { if (s >= 0 && slot[ch]! < 0) add.push(ch); });
  const loaded = d.q.length / n;
  const q = new Uint8Array((loaded + add.length) * n);
  q.set(d.q);
  add.forEach((ch, i) => { q.set(extra.subarray(more[ch]! * n, (more[ch]! + 1) * n), (loaded + i) * n); slot[ch] = loaded + i; });
  const out: DecodedLayer = { ...d, q, slot, bytes: d.bytes + extra.length };
  if (a.floats) out.floats = base64ToFloats(a.floats);
  return out;
}

/** Channel `ch`'s quantised map [h][w], or null while it is not loaded. */
export function channelBytes(d: DecodedLayer, ch: number): Uint8Array | null {
  const s = d.slot[ch] ?? -1, n = d.h * d.w;
  return s < 0 ? null : d.q.subarray(s * n, (s + 1) * n);
}

/** The channels of `chans` not loaded yet. */
export const missingChannels = (d: DecodedLayer, chans: readonly number[]): number[] => chans.filter((ch) => (d.slot[ch] ?? -1) < 0);

/**
 * value = min + q/255·(max − min), written as a weighted mean so that q = 0 gives min and q = 255 gives max
 * exactly (float32 × 255 is exact in double precision).
 */
export function dequantise(q: number, min: number, max: number): number {
  return (min * (255 - q) + max * q) / 255;
}

/** One channel's values, [h][w] row-major. */
export function channelValues(d: DecodedLayer, ch: number): Float32Array | null {
  const q = channelBytes(d, ch);
  if (!q) return null;
  const out = new Float32Array(q.length);
  const min = d.mins[ch]!, max = d.maxs[ch]!;
  for (let i = 0; i < q.length; i++) out[i] = dequantise(q[i]!, min, max);
  return out;
}


/** The exact model-input values at pixel (x, y) of the input layer (one per channel), or null if not the input. */
export function pixelValues(d: DecodedLayer, x: number, y: number): number[] | null {
  if (!d.floats || x < 0 || y < 0 || x >= d.w || y >= d.h) return null;
  const base = (y * d.w + x) * d.c;
  return Array.from(d.floats.subarray(base, base + d.c));
}

/** A 1-D layer (pooled vector, dense, logits): one number per channel. */
export const isFlat = (d: { h: number; w: number }): boolean => d.h === 1 && d.w === 1;

/** The per-channel values of a 1-D layer (min = max = the value there). */
export function flatValues(d: DecodedLayer): Float32Array {
  const out = new Float32Array(d.c);
  for (let i = 0; i < d.c; i++) { const s = d.slot[i]!; out[i] = s < 0 ? NaN : dequantise(d.q[s]!, d.mins[i]!, d.maxs[i]!); }
  return out;
}

export { CHANNELS_PER_PAGE as PER_PAGE } from '../contract';
import { CHANNELS_PER_PAGE as PER_PAGE } from '../contract';

export function pageCount(c: number, perPage = PER_PAGE): number {
  return Math.max(1, Math.ceil(c / perPage));
}

/** Channels on page `page` (0-based), in `order` (highest mean first). */
export function pageOf(order: readonly number[], page: number, perPage = PER_PAGE): number[] {
  const p = Math.min(Math.max(0, page), pageCount(order.length, perPage) - 1);
  return order.slice(p * perPage, (p + 1) * perPage);
}

// ---- formatting

export const formatShape = (shape: readonly number[]): string => shape.join('×');

export function formatCount(n: number): string {
  if (n === 0) return '0';
  if (n < 1000) return String(n);
  if (n < 1e6) return `${(n / 1000).toFixed(n < 10_000 ? 1 : 0)}k`;
  return `${(n / 1e6).toFixed(n < 1e7 ? 2 : 1)}M`;
}

/** Compact, sign-aware number: 3 significant digits, a real minus sign. */
export function num(x: number, digits = 3): string {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  const s = a === 0 ? '0' : a >= 999.5 ? a.toFixed(0) : a >= 0.001 ? a.toPrecision(digits).replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '') : a.toExponential(1);
  return (x < 0 ? '−' : '') + s;
}

export const signed = (x: number, digits = 3): string => (x > 0 ? '+' : '') + num(x, digits);

export const pct = (x: number): string => `${(x * 100).toFixed(x > 0 && x < 0.1 ? 1 : 0)}%`;


const KIND_LABEL: Record<LayerInfo['kind'], string> = {
  input: 'input', conv: 'conv', depthwise: 'dw conv', pool: 'pool', dense: 'dense', activation: 'act', norm: 'norm', reshape: 'reshape', other: 'other',
};
export const kindLabel = (k: LayerInfo['kind']): string => KIND_LABEL[k] ?? k;
