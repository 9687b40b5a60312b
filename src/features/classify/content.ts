// Classification's part of the content script: when the background asks, turns the right-clicked element
// into an image source. http(s) and data: URLs go to the model host as they are (it fetches them
// itself with the extension's host permissions); blob: images and canvases can only be read here, in the page.
import { fail, type ImageSource } from '../../shared/protocol';
import type { Replies } from '../../shared/messages';
import { MAX_SIDE } from '../../shared/limits';

/** A right-click as the content script's entry saw it (src/content/index.ts keeps the last one). */
export interface RightClick { path: EventTarget[]; x: number; y: number; at: number }

type Resolved = Replies['bg/resolve-target'];

function firstCssUrl(value: string): string | null {
  const m = /url\(\s*(['"]?)(.*?)\1\s*\)/.exec(value);
  return m?.[2] ? new URL(m[2], document.baseURI).href : null;
}

function scaledCanvas(src: CanvasImageSource, w: number, h: number): HTMLCanvasElement {
  const f = Math.min(1, MAX_SIDE / Math.max(w, h));
  const c = document.createElement('canvas');
  c.width = Math.max(1, Math.round(w * f));
  c.height = Math.max(1, Math.round(h * f));
  c.getContext('2d')!.drawImage(src, 0, 0, c.width, c.height);
  return c;
}

function canvasToDataUrl(c: HTMLCanvasElement): string {
  // PNG keeps the pixels exact; large captures use high-quality JPEG to stay a few MB.
  return c.width * c.height <= 1_000_000 ? c.toDataURL('image/png') : c.toDataURL('image/jpeg', 0.95);
}

function readCanvas(el: HTMLCanvasElement): Resolved {
  if (!el.width || !el.height) return fail('no-image', 'This canvas is empty (0 pixels wide or high).');
  try {
    const c = el.width > MAX_SIDE || el.height > MAX_SIDE ? scaledCanvas(el, el.width, el.height) : el;
    return { ok: true, source: { url: canvasToDataUrl(c), kind: 'canvas' } };
  } catch {
    return fail('tainted', 'This canvas shows pixels from another website, and the browser does not let extensions read them.');
  }
}

async function readBlobImage(img: HTMLImageElement | null, url: string): Promise<Resolved> {
  // Drawing the element works even after the page revoked the blob: URL, as long as the picture is shown.
  if (img?.complete && img.naturalWidth) {
    try {
      return { ok: true, source: { url: canvasToDataUrl(scaledCanvas(img, img.naturalWidth, img.naturalHeight)), kind: 'blob' } };
    } catch { /* fall through to fetching the blob */ }
  }
  try {
    const blob = await (await fetch(url)).blob();
    const bmp = await createImageBitmap(blob);
    const c = scaledCanvas(bmp, bmp.width, bmp.height);
    bmp.close();
    return { ok: true, source: { url: canvasToDataUrl(c), kind: 'blob' } };
  } catch {
    return fail('no-image', 'This blob: image is no longer available (the page has released it). Reload the page and try again.');
  }
}

async function fromUrl(url: string, kind: ImageSource['kind'], img: HTMLImageElement | null = null): Promise<Resolved> {
  if (url.startsWith('blob:')) return readBlobImage(img, url);
  if (url.startsWith('data:')) return { ok: true, source: { url, kind: kind === 'img' ? 'data-url' : kind } };
  if (/^https?:/i.test(url)) return { ok: true, source: { url, kind } };
  return fail('no-image', `NetLens cannot read images from ${url.split(':')[0]}: addresses.`);
}

async function fromElement(el: Element): Promise<Resolved | null> {
  if (el instanceof HTMLImageElement) {
    const url = el.currentSrc || el.src;
    if (!url) return null;
    const kind = el.parentElement instanceof HTMLPictureElement ? 'picture' : el.srcset ? 'srcset' : 'img';
    return fromUrl(url, kind, el);
  }
  if (el instanceof HTMLCanvasElement) return readCanvas(el);
  if (el instanceof SVGImageElement) {
    const href = el.href.baseVal;
    return href ? fromUrl(new URL(href, document.baseURI).href, 'img') : null;
  }
  if (el instanceof HTMLVideoElement && el.videoWidth) {
    try {
      return { ok: true, source: { url: canvasToDataUrl(scaledCanvas(el, el.videoWidth, el.videoHeight)), kind: 'canvas' } };
    } catch {
      return fail('tainted', 'This video comes from another website, and the browser does not let extensions read its frames.');
    }
  }
  const bg = firstCssUrl(getComputedStyle(el).backgroundImage);
  return bg ? fromUrl(bg, 'css-background') : null;
}

export async function resolveTarget(srcUrl: string | null, click: RightClick | null): Promise<Resolved> {
  if (click && Date.now() - click.at < 60_000) {
    // The clicked element and its ancestors first (a caption inside a CSS-background card), then whatever
    // lies under the pointer (an image behind a transparent overlay).
    const seen = new Set<Element>();
    const chain = click.path.filter((t): t is Element => t instanceof Element).slice(0, 8);
    const under = document.elementsFromPoint(click.x, click.y);
    for (const el of [...chain, ...under]) {
      if (seen.has(el) || el === document.documentElement) continue;
      seen.add(el);
      const r = await fromElement(el);
      if (r) return r;
    }
  }
  if (srcUrl) return fromUrl(srcUrl, 'menu');
  return fail('no-image', 'NetLens found no image where you right-clicked. Right-click a picture (a photo, a canvas or a CSS background) and choose “Classify with NetLens”.');
}
