// Saliency overlay drawing and export helpers (plain DOM/canvas, no Preact).
import type { SaliencyMap } from '../features/explain/types';
import { lut, normalise, type ColormapName, type NormaliseMode } from './colormap';

interface OverlayOptions {
  /** 0..1 */
  opacity: number;
  colormap: ColormapName;
  mode: NormaliseMode;
  /** output edge in CSS pixels; default 224 */
  size?: number;
}

const DEFAULT_OVERLAY_SIZE = 224;

type Scratch = HTMLCanvasElement | OffscreenCanvas;
type Scratch2D = CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D;

// One reusable map-sized canvas: drawing is synchronous, so sharing it between overlays is safe.
let scratch: { canvas: Scratch; ctx: Scratch2D } | null = null;

function scratchCanvas(width: number, height: number): { canvas: Scratch; ctx: Scratch2D } {
  if (!scratch) {
    const canvas: Scratch = typeof OffscreenCanvas !== 'undefined'
      ? new OffscreenCanvas(width, height)
      : document.createElement('canvas');
    const ctx = canvas.getContext('2d') as Scratch2D | null;
    if (!ctx) throw new Error('2D canvas unavailable');
    scratch = { canvas, ctx };
  }
  if (scratch.canvas.width !== width) scratch.canvas.width = width;
  if (scratch.canvas.height !== height) scratch.canvas.height = height;
  return scratch;
}

/**
 * Paint `image` squashed to a size×size square (as the model saw it) and the saliency map on top,
 * bilinearly upscaled, with the given opacity. With image = null only the map is drawn.
 */
export function drawOverlay(canvas: HTMLCanvasElement, image: CanvasImageSource | null, map: SaliencyMap, opts: OverlayOptions): void {
  const size = Math.max(1, Math.round(opts.size ?? DEFAULT_OVERLAY_SIZE));
  if (canvas.width !== size) canvas.width = size;
  if (canvas.height !== size) canvas.height = size;
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('2D canvas unavailable');
  ctx.clearRect(0, 0, size, size);
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = 'high';
  if (image) ctx.drawImage(image, 0, 0, size, size);

  const { width: w, height: h } = map;
  if (!(w > 0 && h > 0) || map.values.length < w * h) return;
  const alpha = Math.round(Math.min(1, Math.max(0, Number.isFinite(opts.opacity) ? opts.opacity : 0)) * 255);
  if (alpha === 0) return;

  const t = normalise(map, opts.mode);
  const table = lut(opts.colormap);
  const { canvas: off, ctx: offCtx } = scratchCanvas(w, h);
  const img = offCtx.createImageData(w, h);
  const px = img.data;
  for (let i = 0, n = w * h; i < n; i++) {
    const k = Math.round(t[i]! * 255) * 3; // t ∈ [0,1] by construction
    const o = i * 4;
    px[o] = table[k]!;
    px[o + 1] = table[k + 1]!;
    px[o + 2] = table[k + 2]!;
    px[o + 3] = alpha;
  }
  offCtx.putImageData(img, 0, 0);
  // 'low' is bilinear in Chromium; 'high' may use a different (mipmapped) filter for upscaling.
  ctx.imageSmoothingQuality = 'low';
  ctx.drawImage(off, 0, 0, w, h, 0, 0, size, size);
}

/** The canvas as a PNG blob. */
export function mapToPngBlob(canvas: HTMLCanvasElement): Promise<Blob> {
  return new Promise((resolve, reject) => {
    canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('canvas.toBlob produced no image'))), 'image/png');
  });
}

/** The raw map as JSON, for analysis elsewhere: {"method","classIndex","className","width","height","values":[…]}. */
export function mapToJson(map: SaliencyMap, className: string): string {
  return JSON.stringify({
    method: map.method,
    classIndex: map.target.index,
    className,
    width: map.width,
    height: map.height,
    values: Array.from(map.values),
  });
}

/** Save a blob as a file via a temporary <a download>. */
export function download(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.rel = 'noopener';
  a.style.display = 'none';
  document.body.appendChild(a);
  try {
    a.click();
  } finally {
    a.remove();
    // the click starts the download asynchronously; give it a moment before freeing the URL
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }
}
