// Canvas drawing for the Layers view (plain DOM, no Preact). Everything is drawn from the decoded uint8 maps,
// on demand, one channel at a time: the largest layers (112×112×96) never get painted all at once.
import { lut } from '../../../ui/colormap';
import { channelBytes, channelValues, dequantise, type DecodedLayer } from './decode';
import type { ColourScale } from './layers-vm';

type Scratch = { canvas: HTMLCanvasElement | OffscreenCanvas; ctx: CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D };
let scratch: Scratch | null = null;

// One shared map-sized canvas: drawing is synchronous, so reusing it is safe.
function scratchFor(w: number, h: number): Scratch {
  if (!scratch) {
    const canvas = typeof OffscreenCanvas !== 'undefined' ? new OffscreenCanvas(w, h) : document.createElement('canvas');
    const ctx = canvas.getContext('2d') as Scratch['ctx'] | null;
    if (!ctx) throw new Error('2D canvas unavailable');
    scratch = { canvas, ctx };
  }
  if (scratch.canvas.width !== w) scratch.canvas.width = w;
  if (scratch.canvas.height !== h) scratch.canvas.height = h;
  return scratch;
}

const dpr = () => (typeof devicePixelRatio === 'number' && devicePixelRatio > 0 ? Math.min(3, devicePixelRatio) : 1);

function sized(canvas: HTMLCanvasElement, cssW: number, cssH: number): CanvasRenderingContext2D {
  const r = dpr();
  const w = Math.round(cssW * r), h = Math.round(cssH * r);
  if (canvas.width !== w) canvas.width = w;
  if (canvas.height !== h) canvas.height = h;
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('2D canvas unavailable');
  return ctx;
}

/** q (0..255) → colour index (0..255) for channel `ch`, per the colour scale. */
function levels(d: DecodedLayer, ch: number, scale: ColourScale): Uint8Array {
  const out = new Uint8Array(256);
  const min = d.mins[ch]!, max = d.maxs[ch]!;
  if (scale === 'channel') {
    if (max > min) for (let q = 0; q < 256; q++) out[q] = q;
    return out;
  }
  const span = d.hi - d.lo;
  if (!(span > 0)) return out;
  for (let q = 0; q < 256; q++) {
    const t = (dequantise(q, min, max) - d.lo) / span;
    out[q] = Math.round(Math.min(1, Math.max(0, t)) * 255);
  }
  return out;
}

/** Tints for the input layer's channels, so R, G and B read as such. */
function tint(ch: number): Uint8Array {
  const t = new Uint8Array(256 * 3);
  for (let i = 0; i < 256; i++) t[i * 3 + ch] = i;
  return t;
}

interface MapStyle {
  scale: ColourScale;
  /** draw the input layer's channels in red, green and blue instead of inferno */
  rgb?: boolean;
  /** per-pixel alpha: a + b·t (t = colour level / 255); default opaque */
  alpha?: [number, number];
}

/** Paints channel `ch` into the shared scratch canvas at its own resolution; returns it. */
function paint(d: DecodedLayer, ch: number, style: MapStyle): Scratch['canvas'] {
  const { w, h } = d;
  const s = scratchFor(w, h);
  const img = s.ctx.createImageData(w, h);
  const px = img.data;
  const table = style.rgb && d.c === 3 ? tint(ch) : lut('inferno');
  const lv = levels(d, ch, style.scale);
  const [a0, a1] = style.alpha ?? [255, 0];
  const q = channelBytes(d, ch);
  // a map still on its way paints transparent
  for (let i = 0, n = q ? w * h : 0; i < n; i++) {
    const t = lv[q![i]!]!;
    const k = t * 3, o = i * 4;
    px[o] = table[k]!;
    px[o + 1] = table[k + 1]!;
    px[o + 2] = table[k + 2]!;
    px[o + 3] = Math.round(a0 + a1 * (t / 255));
  }
  s.ctx.putImageData(img, 0, 0);
  return s.canvas;
}

/** A small channel tile: crisp pixels when the map is smaller than the tile, smooth when larger. */
export function drawTile(canvas: HTMLCanvasElement, d: DecodedLayer, ch: number, css: number, style: MapStyle): void {
  const ctx = sized(canvas, css, css);
  const src = paint(d, ch, style);
  ctx.imageSmoothingEnabled = d.w > canvas.width;
  ctx.imageSmoothingQuality = 'low';
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  ctx.drawImage(src, 0, 0, d.w, d.h, 0, 0, canvas.width, canvas.height);
}

/** The image squashed to a square (as the model saw it), channel `ch`'s map upscaled on top. */
export function drawOverlay(canvas: HTMLCanvasElement, image: CanvasImageSource | null, d: DecodedLayer, ch: number, css: number, style: MapStyle): void {
  const ctx = sized(canvas, css, css);
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = 'high';
  if (image) ctx.drawImage(image, 0, 0, canvas.width, canvas.height);
  const src = paint(d, ch, { ...style, alpha: style.alpha ?? (image ? [70, 185] : [255, 0]) });
  ctx.imageSmoothingQuality = 'low'; // bilinear
  ctx.drawImage(src, 0, 0, d.w, d.h, 0, 0, canvas.width, canvas.height);
}

/**
 * The exact model input as an image (the preprocessing undone: pixel = (value − offset) / scale), with a
 * marker on the picked pixel.
 */
export function drawInput(canvas: HTMLCanvasElement, d: DecodedLayer, pre: { scale: number; offset: number }, css: number, pick: { x: number; y: number } | null): void {
  const ctx = sized(canvas, css, css);
  const { w, h, c } = d;
  if (c < 3) return;
  // The exact floats once they are in; until then each channel's uint8 map, within half a colour level of them.
  const f = d.floats;
  const maps = f ? [] : [0, 1, 2].map((k) => channelValues(d, k));
  if (!f && maps.some((m) => !m)) return;
  const s = scratchFor(w, h);
  const img = s.ctx.createImageData(w, h);
  const px = img.data;
  for (let i = 0, n = w * h; i < n; i++) {
    for (let k = 0; k < 3; k++) px[i * 4 + k] = Math.round(Math.min(255, Math.max(0, ((f ? f[i * c + k]! : maps[k]![i]!) - pre.offset) / pre.scale)));
    px[i * 4 + 3] = 255;
  }
  s.ctx.putImageData(img, 0, 0);
  ctx.imageSmoothingEnabled = canvas.width < w;
  ctx.drawImage(s.canvas, 0, 0, w, h, 0, 0, canvas.width, canvas.height);
  if (pick) {
    const k = canvas.width / w;
    const cx = (pick.x + 0.5) * k, cy = (pick.y + 0.5) * k;
    const r = Math.max(5 * dpr(), k * 2);
    ctx.lineWidth = 1.5 * dpr();
    for (const [colour, off] of [['rgba(0,0,0,.75)', 1], ['#fff', 0]] as const) {
      ctx.strokeStyle = colour;
      ctx.beginPath();
      ctx.arc(cx + off, cy + off, r, 0, Math.PI * 2);
      ctx.moveTo(cx - r * 2 + off, cy + off); ctx.lineTo(cx - r + off, cy + off);
      ctx.moveTo(cx + r + off, cy + off); ctx.lineTo(cx + r * 2 + off, cy + off);
      ctx.moveTo(cx + off, cy - r * 2 + off); ctx.lineTo(cx + off, cy - r + off);
      ctx.moveTo(cx + off, cy + r + off); ctx.lineTo(cx + off, cy + r * 2 + off);
      ctx.stroke();
    }
  }
}

/**
 * A 1-D layer as a strip of bars, one per channel in index order (several channels share a pixel column when
 * there are more channels than columns: the column shows the largest magnitude). Zero is the baseline.
 */
export function drawBars(canvas: HTMLCanvasElement, values: Float32Array, cssW: number, cssH: number, highlight: number | null): void {
  const ctx = sized(canvas, cssW, cssH);
  const W = canvas.width, H = canvas.height;
  ctx.clearRect(0, 0, W, H);
  const n = values.length;
  if (!n) return;
  let lo = 0, hi = 0;
  for (const v of values) { if (v < lo) lo = v; if (v > hi) hi = v; }
  const span = hi - lo || 1;
  const zero = Math.round((hi / span) * (H - 1));
  const table = lut('inferno');
  ctx.fillStyle = '#e5e7eb';
  ctx.fillRect(0, zero, W, Math.max(1, Math.round(dpr())));
  const cols = Math.min(W, n);
  const colW = W / cols;
  const maxAbs = Math.max(Math.abs(lo), Math.abs(hi)) || 1;
  for (let x = 0; x < cols; x++) {
    const a = Math.floor((x * n) / cols), b = Math.max(a + 1, Math.floor(((x + 1) * n) / cols));
    let v = 0;
    for (let i = a; i < b; i++) if (Math.abs(values[i]!) > Math.abs(v)) v = values[i]!;
    if (v === 0) continue;
    const hgt = Math.max(1, Math.round((Math.abs(v) / span) * (H - 1)));
    const k = Math.round(Math.min(1, 0.25 + 0.75 * (Math.abs(v) / maxAbs)) * 255) * 3;
    ctx.fillStyle = v > 0 ? `rgb(${table[k]},${table[k + 1]},${table[k + 2]})` : '#60a5fa';
    const x0 = Math.floor(x * colW), x1 = Math.max(x0 + 1, Math.floor((x + 1) * colW) - (colW >= 3 ? 1 : 0));
    ctx.fillRect(x0, v > 0 ? zero - hgt : zero, x1 - x0, hgt);
  }
  if (highlight !== null && highlight >= 0 && highlight < n) {
    const x = Math.floor(((highlight + 0.5) / n) * W);
    ctx.fillStyle = 'rgba(67,56,202,.9)';
    ctx.fillRect(x - Math.round(dpr()), 0, Math.max(2, Math.round(2 * dpr())), H);
  }
}

/** Filter `k` of a first conv layer ([kh][kw][cin][cout]) as a small image, normalised to its own min/max. */
export function drawFilter(canvas: HTMLCanvasElement, filters: { shape: [number, number, number, number]; data: Float32Array }, k: number, zoom: number): void {
  const [kh, kw, cin, cout] = filters.shape;
  const ctx = sized(canvas, kw * zoom, kh * zoom);
  const f = filters.data;
  let lo = Infinity, hi = -Infinity;
  for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) for (let c = 0; c < cin; c++) {
    const v = f[((y * kw + x) * cin + c) * cout + k]!;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const span = hi - lo || 1;
  const s = scratchFor(kw, kh);
  const img = s.ctx.createImageData(kw, kh);
  for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) {
    const o = (y * kw + x) * 4;
    const at = (c: number) => Math.round(((f[((y * kw + x) * cin + c) * cout + k]! - lo) / span) * 255);
    if (cin === 3) { img.data[o] = at(0); img.data[o + 1] = at(1); img.data[o + 2] = at(2); }
    else { let m = 0; for (let c = 0; c < cin; c++) m += at(c); m = Math.round(m / cin); img.data[o] = img.data[o + 1] = img.data[o + 2] = m; }
    img.data[o + 3] = 255;
  }
  s.ctx.putImageData(img, 0, 0);
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(s.canvas, 0, 0, kw, kh, 0, 0, canvas.width, canvas.height);
}
