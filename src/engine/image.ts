// Turning the user's image (an http(s) or data: URL) into pixels, where the model runs (Chrome's model worker,
// Firefox's event page). fetch → blob → createImageBitmap works for cross-origin images without CORS thanks to
// host permissions, and in a worker too; img.decode() never resolved in the offscreen document, so it is not used.
import { fitWithin } from './fit';
import { MAX_SIDE } from '../shared/limits';
import { imageSize } from './image-size';
import { rasterizeSvg } from './svg';
import { ImageError } from './image-error';

export { ImageError };

const FETCH_TIMEOUT_MS = 15_000;

export interface DecodedImage {
  bitmap: ImageBitmap;
  width: number;
  height: number;
  originalWidth: number;
  originalHeight: number;
}

export function displayUrl(url: string): string {
  if (url.startsWith('data:')) return `${url.slice(0, Math.min(40, url.indexOf(',') + 1 || 40))}… (${Math.round(url.length / 1024)} kB)`;
  return url.length > 300 ? url.slice(0, 300) + '…' : url;
}

async function fetchBlob(url: string, timeoutMs: number): Promise<Blob> {
  const ctrl = new AbortController();
  const timer = setTimeout(() => ctrl.abort(), timeoutMs);
  try {
    let res: Response;
    try {
      res = await fetch(url, { signal: ctrl.signal, credentials: 'include', redirect: 'follow' });
    } catch (e) {
      if (ctrl.signal.aborted) throw new ImageError('timeout', `The image server did not answer within ${timeoutMs / 1000} s: ${displayUrl(url)}`);
      throw new ImageError('fetch-failed', `Could not download the image (${(e as Error).message}): ${displayUrl(url)}`);
    }
    if (!res.ok) throw new ImageError('http-status', `The image could not be downloaded: the server answered ${res.status}${res.statusText ? ' ' + res.statusText : ''} for ${displayUrl(url)}`);
    const type = (res.headers.get('content-type') ?? '').toLowerCase();
    if (type.startsWith('text/html') || type.startsWith('application/json')) {
      throw new ImageError('not-an-image', `That address returned a web page (${type.split(';')[0]}), not an image: ${displayUrl(url)}`);
    }
    try {
      return await res.blob();
    } catch (e) {
      if (ctrl.signal.aborted) throw new ImageError('timeout', `The image did not finish downloading within ${timeoutMs / 1000} s: ${displayUrl(url)}`);
      throw new ImageError('fetch-failed', `The download broke off (${(e as Error).message}): ${displayUrl(url)}`);
    }
  } finally {
    clearTimeout(timer);
  }
}

/** How an SVG becomes a bitmap here: drawn through an <img> where there is a DOM; a worker asks its document. */
let svgRasterizer: (blob: Blob) => Promise<ImageBitmap> = rasterizeSvg;
export function setSvgRasterizer(f: (blob: Blob) => Promise<ImageBitmap>): void { svgRasterizer = f; }

export async function decodeImage(url: string, opts: { timeoutMs?: number; maxSide?: number } = {}): Promise<DecodedImage> {
  const blob = await fetchBlob(url, opts.timeoutMs ?? FETCH_TIMEOUT_MS);
  if (blob.size === 0) throw new ImageError('not-an-image', `The image is empty (0 bytes): ${displayUrl(url)}`);
  const maxSide = opts.maxSide ?? MAX_SIDE;
  let full: ImageBitmap;
  try {
    if (blob.type.includes('svg')) {
      full = await svgRasterizer(blob);
    } else {
      // Known to be huge from its header: decode straight to the small size, never the full-size bitmap.
      const size = imageSize(new Uint8Array(await blob.slice(0, 256 * 1024).arrayBuffer()));
      const fit = size && size.width > 0 && size.height > 0 ? fitWithin(size.width, size.height, maxSide) : null;
      if (size && fit?.scaled) {
        const small = await createImageBitmap(blob, { resizeWidth: fit.width, resizeHeight: fit.height, resizeQuality: 'high' });
        return { bitmap: small, width: small.width, height: small.height, originalWidth: size.width, originalHeight: size.height };
      }
      full = await createImageBitmap(blob);
    }
  } catch (e) {
    if (e instanceof ImageError) throw e;
    const what = blob.type ? `a ${blob.type} file` : 'this file';
    throw new ImageError('decode-failed', `The browser could not decode ${what} as an image (it may be truncated, corrupt or not an image): ${displayUrl(url)}`);
  }
  const fit = fitWithin(full.width, full.height, maxSide);
  if (!fit.scaled) return { bitmap: full, width: full.width, height: full.height, originalWidth: full.width, originalHeight: full.height };
  // Scale down while still 8-bit, before any tensor exists.
  const small = await createImageBitmap(full, { resizeWidth: fit.width, resizeHeight: fit.height, resizeQuality: 'high' });
  const orig = { originalWidth: full.width, originalHeight: full.height };
  full.close();
  return { bitmap: small, width: small.width, height: small.height, ...orig };
}

/** A JPEG data URL of the image, at most maxSide px (or exactly maxSide² when `square`: how the model sees it). */
export async function thumbnailDataUrl(bitmap: ImageBitmap, maxSide = 224, square = false): Promise<string> {
  const { width, height } = square ? { width: maxSide, height: maxSide } : fitWithin(bitmap.width, bitmap.height, maxSide);
  // With a DOM, a <canvas> encodes synchronously (a 224-px JPEG takes a few ms). OffscreenCanvas.convertToBlob
  // encodes in the document's idle time instead, and after training (the offscreen document is rarely idle then)
  // it waited its full ~1 s fallback for every added example.
  if (typeof document !== 'undefined') {
    const c = document.createElement('canvas');
    c.width = width;
    c.height = height;
    const g = c.getContext('2d')!;
    g.imageSmoothingQuality = 'high';
    g.drawImage(bitmap, 0, 0, width, height);
    return c.toDataURL('image/jpeg', 0.85);
  }
  const c = new OffscreenCanvas(width, height);
  const g = c.getContext('2d')!;
  g.imageSmoothingQuality = 'high';
  g.drawImage(bitmap, 0, 0, width, height);
  const blob = await c.convertToBlob({ type: 'image/jpeg', quality: 0.85 });
  return await new Promise<string>((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(String(r.result));
    r.onerror = () => reject(r.error);
    r.readAsDataURL(blob);
  });
}
