// Content script (all frames): remembers what was right-clicked and, when the background asks, turns it into
// an image source. http(s) and data: URLs go to the model host as they are (it fetches them itself with the
// extension's host permissions); blob: images and canvases can only be read here, in the page.
import browser from 'webextension-polyfill';
import { assertContext } from '../shared/context';
import { BackgroundToContentSchema, type Replies } from '../shared/messages';
import { fail, parse, type ImageSource } from '../shared/protocol';
import { MAX_SIDE } from '../shared/limits';

assertContext('content');

let last: { path: EventTarget[]; x: number; y: number; at: number } | null = null;

document.addEventListener('contextmenu', (e) => {
  last = { path: e.composedPath(), x: e.clientX, y: e.clientY, at: Date.now() };
}, true);

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

async function resolveTarget(srcUrl: string | null): Promise<Resolved> {
  const click = last;
  last = null; // one right-click, one answer: a frame never answers for an old click
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

/** A small prompt for a new class name, drawn by us in a closed shadow root (the page can neither style nor read it). */
function askClassName(): Promise<Replies['bg/ask-class-name']> {
  return new Promise((resolve) => {
    const host = document.createElement('netlens-prompt');
    const root = host.attachShadow({ mode: 'closed' });
    root.innerHTML = `<style>
      :host { all: initial; position: fixed; z-index: 2147483647; inset: 0; display: grid; place-items: center; background: rgba(15, 12, 40, .35); font: 14px system-ui, sans-serif; }
      form { background: #fff; color: #1e1b4b; padding: 16px 18px; border-radius: 10px; box-shadow: 0 10px 40px rgba(0,0,0,.25); min-width: 280px; }
      h2 { font-size: 15px; margin: 0 0 10px; } input { width: 100%; box-sizing: border-box; font: inherit; padding: 6px 8px; border: 1px solid #c7d2fe; border-radius: 6px; }
      .row { display: flex; gap: 8px; justify-content: flex-end; margin-top: 12px; } button { font: inherit; padding: 5px 12px; border-radius: 6px; border: 1px solid #c7d2fe; background: #fff; cursor: pointer; }
      button[type=submit] { background: #4338ca; color: #fff; border-color: #4338ca; }
    </style><form><h2>New NetLens class</h2><label>Name <input name="n" maxlength="60" autocomplete="off" required></label>
      <div class="row"><button type="button" data-x>Cancel</button><button type="submit">Add</button></div></form>`;
    const form = root.querySelector('form')!, input = root.querySelector('input')!;
    const done = (name: string | null) => { host.remove(); resolve(name ? { ok: true, name } : fail('cancelled', 'No class name given.')); };
    form.addEventListener('submit', (e) => { e.preventDefault(); done(input.value.trim() || null); });
    root.querySelector('[data-x]')!.addEventListener('click', () => done(null));
    host.addEventListener('keydown', (e) => { if ((e as KeyboardEvent).key === 'Escape') done(null); });
    document.documentElement.append(host);
    input.focus();
  });
}

browser.runtime.onMessage.addListener((raw: unknown, sender: browser.Runtime.MessageSender) => {
  if (sender.id !== browser.runtime.id || sender.tab) return undefined; // only the extension's background
  const msg = parse(BackgroundToContentSchema, raw);
  if (!msg) return undefined;
  if (msg.type === 'bg/ask-class-name') return window === window.top ? askClassName() : undefined;
  if (msg.anyFrame && !(last && Date.now() - last.at < 60_000)) return undefined; // another frame was clicked
  return resolveTarget(msg.srcUrl);
});
