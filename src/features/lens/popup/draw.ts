// Canvas drawing for the Lens: a value map in a colour map, and the model input back as the picture it was.
import { lut, type ColormapName } from '../../../ui/colormap';

export interface Grid { width: number; height: number; values: Float32Array }

/** min and max of a map (a flat map gets a range of 1, so it draws as one colour). */
export function rangeOf(values: Float32Array): [number, number] {
  let lo = Infinity, hi = -Infinity;
  for (const v of values) { if (v < lo) lo = v; if (v > hi) hi = v; }
  return hi > lo ? [lo, hi] : [lo, lo + 1];
}

/**
 * Draws a map at one canvas pixel per cell (CSS scales it up, pixelated); signed maps are centred on zero. `shown` limits drawing to the first
 * n cells in reading order (the sliding window's output filling in); the rest stay blank.
 */
export function drawGrid(canvas: HTMLCanvasElement, g: Grid, opts: { colormap?: ColormapName; signed?: boolean; shown?: number; alpha?: number; /** transparent where the value is small (an overlay on the picture) */ fade?: boolean } = {}): void {
  canvas.width = g.width;
  canvas.height = g.height;
  const ctx = canvas.getContext('2d')!;
  const img = ctx.createImageData(g.width, g.height);
  const table = lut(opts.colormap ?? (opts.signed ? 'rdbu' : 'viridis'));
  const [lo, hi] = rangeOf(g.values);
  const m = Math.max(Math.abs(lo), Math.abs(hi)) || 1;
  const n = opts.shown ?? g.values.length;
  for (let i = 0; i < g.values.length; i++) {
    const v = g.values[i]!;
    const t = opts.signed ? (v / m + 1) / 2 : (v - lo) / (hi - lo);
    const k = Math.max(0, Math.min(255, Math.round(t * 255))) * 3;
    img.data[i * 4] = table[k]!; img.data[i * 4 + 1] = table[k + 1]!; img.data[i * 4 + 2] = table[k + 2]!;
    const strength = opts.fade ? Math.sqrt(opts.signed ? Math.abs(v) / m : Math.max(0, t)) : 1;
    img.data[i * 4 + 3] = i < n ? Math.round((opts.alpha ?? 1) * strength * 255) : 0;
  }
  ctx.putImageData(img, 0, 0);
}

/** The model input [h][w][3] drawn as the picture it came from: pixel = (x − offset) / scale. */
export function drawInput(canvas: HTMLCanvasElement, input: Float32Array, width: number, height: number, pre: { scale: number; offset: number }): void {
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d')!;
  const img = ctx.createImageData(width, height);
  for (let i = 0; i < width * height; i++) {
    for (let c = 0; c < 3; c++) img.data[i * 4 + c] = Math.round((input[i * 3 + c]! - pre.offset) / pre.scale);
    img.data[i * 4 + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
}

/** The cell under a pointer event on a canvas drawn at one pixel per cell. */
export function cellAt(e: MouseEvent, canvas: HTMLCanvasElement, rows: number, cols: number): { row: number; col: number } {
  const r = canvas.getBoundingClientRect();
  const col = Math.min(cols - 1, Math.max(0, Math.floor(((e.clientX - r.left) / r.width) * cols)));
  const row = Math.min(rows - 1, Math.max(0, Math.floor(((e.clientY - r.top) / r.height) * rows)));
  return { row, col };
}

export const fmt = (x: number, digits = 4) => (x === 0 ? '0' : Math.abs(x) >= 1000 || Math.abs(x) < 1e-3 ? x.toExponential(2) : x.toFixed(digits));
