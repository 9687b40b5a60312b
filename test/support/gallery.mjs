// NetLens demo/test gallery: two tiny node:http servers on 127.0.0.1.
//
//   origin       the gallery page (/), its script and stylesheet, /images/<name>, and fault routes
//   crossOrigin  a second port that serves /images/<name> and /frame.html WITHOUT any CORS headers,
//                so everything it serves is cross-origin (and not CORS-readable) from the gallery page
//
// Nothing here loads anything from outside 127.0.0.1 (no web fonts, no CDNs).
// Used by `npm start` (test/demo/start.mjs) and by the e2e tests; types are in gallery.d.mts.
import { SVG, animatedGif, hugeGreyJpeg, tinyPng } from './fixtures.mjs';
import http from 'node:http';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const DEFAULT_IMAGES_DIR = path.resolve(PROJECT_ROOT, '..', 'shared', 'images');
const ICONS_DIR = path.join(PROJECT_ROOT, 'icons');

/** Every right-clickable case on the gallery page. `id` is the DOM id to right-click, `image` the file it shows. */
export const GALLERY_ITEMS = Object.freeze([
  {
    id: 'same-origin',
    kind: 'same-origin',
    image: 'dog.jpg',
    title: 'Same-origin image',
    note: 'A plain <img> served by this page’s own server. The simplest case.',
  },
  {
    id: 'cross-origin',
    kind: 'cross-origin',
    image: 'eagle.jpg',
    title: 'Cross-origin, no CORS',
    note: 'Served from a second port that sends no CORS headers, so the page itself could not read its pixels.',
  },
  {
    id: 'srcset',
    kind: 'srcset',
    image: 'giraffe.jpg',
    title: 'Responsive srcset',
    note: 'Its src says scream.jpg, but the browser shows giraffe.jpg from srcset. NetLens should classify what you see (currentSrc).',
  },
  {
    id: 'picture',
    kind: 'picture',
    image: 'horses.jpg',
    title: '<picture> with <source>',
    note: 'The <img> fallback is scream.jpg; the <source> wins and shows horses.jpg.',
  },
  {
    id: 'css-background',
    kind: 'css-background',
    image: 'kite.jpg',
    title: 'CSS background',
    note: 'No <img> at all: a background-image on a <div>. Right-clicking the caption on top of it should work too.',
  },
  {
    id: 'canvas',
    kind: 'canvas',
    image: 'person.jpg',
    title: '<canvas>',
    note: 'person.jpg drawn into a canvas by script. Same-origin, so the canvas is not tainted.',
  },
  {
    id: 'data-url',
    kind: 'data-url',
    image: 'scream.jpg',
    title: 'data: URL',
    note: 'The JPEG is embedded in the page itself as base64; there is no file to fetch.',
  },
  {
    id: 'blob',
    kind: 'blob',
    image: 'dog.jpg',
    title: 'blob: URL',
    note: 'Fetched by script and shown through URL.createObjectURL; the URL only exists inside this page.',
  },
  {
    id: 'iframe',
    kind: 'iframe',
    image: 'horses.jpg',
    frameImageId: 'in-frame',
    title: 'Inside a cross-origin iframe',
    note: 'The picture lives in a frame from the other port. Right-click the picture inside the frame.',
  },
].map((item) => Object.freeze(item)));

/** DOM id of a text paragraph on the page that is not an image. */
export const NOT_AN_IMAGE_ID = 'not-an-image';

const CONTENT_TYPES = {
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.bmp': 'image/bmp',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
};

const esc = (s) =>
  String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);

function send(req, res, status, type, body, extra = {}) {
  const buf = Buffer.isBuffer(body) ? body : Buffer.from(body);
  res.writeHead(status, {
    'Content-Type': type,
    'Content-Length': buf.length,
    'Cache-Control': 'no-store',
    ...extra,
  });
  res.end(req.method === 'HEAD' ? undefined : buf);
}

const notFound = (req, res) => send(req, res, 404, 'text/plain; charset=utf-8', 'Not found\n');

/** Resolves /images/<name> to a regular file directly inside imagesDir, or null. */
async function imageFile(imagesDir, name) {
  let decoded;
  try {
    decoded = decodeURIComponent(name);
  } catch {
    return null;
  }
  if (!decoded || decoded.includes('/') || decoded.includes('\\') || decoded.startsWith('.')) return null;
  const file = path.join(imagesDir, decoded);
  try {
    const st = await fsp.stat(file);
    return st.isFile() ? file : null;
  } catch {
    return null;
  }
}

async function serveImage(req, res, imagesDir, name) {
  const file = await imageFile(imagesDir, name);
  if (!file) return notFound(req, res);
  const type = CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
  send(req, res, 200, type, await fsp.readFile(file));
}

const fixtureCache = {};

/** Fault routes, for error-path tests. Returns true if handled. */
async function serveFault(req, res, pathname, imagesDir, hanging) {
  switch (pathname) {
    case '/missing.jpg':
      notFound(req, res);
      return true;
    case '/not-an-image.jpg':
      send(req, res, 200, 'text/html; charset=utf-8', '<!doctype html><title>Nope</title><p>This is HTML, not a JPEG.</p>\n');
      return true;
    case '/hang.jpg':
      // Never answer; the socket stays open until the client gives up or close() destroys it.
      hanging.add(res);
      res.on('close', () => hanging.delete(res));
      return true;
    case '/test.svg':
      send(req, res, 200, 'image/svg+xml', SVG);
      return true;
    case '/anim.gif':
      send(req, res, 200, 'image/gif', (fixtureCache.gif ??= animatedGif(64, 64, [[220, 30, 30], [30, 30, 220]])));
      return true;
    case '/tiny.png':
      send(req, res, 200, 'image/png', tinyPng());
      return true;
    case '/huge.jpg':
      send(req, res, 200, 'image/jpeg', (fixtureCache.huge ??= hugeGreyJpeg(12000, 12000)));
      return true;
    case '/truncated.jpg': {
      const whole = await fsp.readFile(path.join(imagesDir, 'dog.jpg'));
      send(req, res, 200, 'image/jpeg', whole.subarray(0, Math.floor(whole.length / 2)));
      return true;
    }
    default:
      return false;
  }
}

function pageHtml({ crossOrigin, dataUrl, hasIcon }) {
  const card = (item, media) => `
      <article class="card" data-kind="${esc(item.kind)}">
        <div class="media">${media}</div>
        <div class="body">
          <span class="kind">${esc(item.kind)}</span>
          <h2>${esc(item.title)}</h2>
          <p>${esc(item.note)}</p>
        </div>
      </article>`;
  const byId = Object.fromEntries(GALLERY_ITEMS.map((i) => [i.id, i]));
  const media = {
    'same-origin': `<img id="same-origin" src="/images/dog.jpg" alt="A dark dog on a porch next to a bicycle">`,
    'cross-origin': `<img id="cross-origin" src="${esc(crossOrigin)}/images/eagle.jpg" alt="A young bald eagle on a rock by the water">`,
    srcset: `<img id="srcset" src="/images/scream.jpg" srcset="/images/giraffe.jpg 500w" sizes="300px" alt="A giraffe and a zebra">`,
    picture: `<picture><source srcset="/images/horses.jpg" type="image/jpeg"><img id="picture" src="/images/scream.jpg" alt="Horses on a hillside"></picture>`,
    'css-background': `<div id="css-background" class="bg" role="img" aria-label="Kites above a beach"><span class="overlay">Kites over the beach. This caption sits on top of the background.</span></div>`,
    canvas: `<canvas id="canvas" width="640" height="424" aria-label="A person, a dog and a horse in a field"></canvas>`,
    'data-url': `<img id="data-url" src="${dataUrl}" alt="The Scream by Edvard Munch">`,
    blob: `<img id="blob" alt="A dark dog on a porch, loaded through a blob: URL">`,
    iframe: `<iframe id="iframe" src="${esc(crossOrigin)}/frame.html" title="A cross-origin frame showing horses"></iframe>`,
  };
  const cards = GALLERY_ITEMS.map((item) => card(byId[item.id], media[item.id])).join('');
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>NetLens test gallery</title>
  ${hasIcon ? '<link rel="icon" href="/icon.png">' : ''}
  <link rel="stylesheet" href="/gallery.css">
  <script src="/gallery.js" defer></script>
</head>
<body>
  <header class="hero">
    <div class="brand">
      ${hasIcon ? '<img class="logo" src="/icon.png" alt="" width="48" height="48">' : ''}
      <div>
        <h1>NetLens test gallery</h1>
        <p class="lead">Right-click any picture and choose <strong>Classify with NetLens</strong>.</p>
      </div>
    </div>
    <p class="sub">Each card is a different way a web page can put a picture on screen. Everything here is served
      from this computer (127.0.0.1); nothing is loaded from the internet.</p>
  </header>
  <main class="grid">${cards}
  </main>
  <section class="plain">
    <h2>Not a picture</h2>
    <p id="${NOT_AN_IMAGE_ID}">This paragraph is just text. Right-clicking it should not offer to classify anything,
      and if you ask anyway, NetLens should say there is no image here.</p>
  </section>
  <footer>NetLens &middot; on-device image classification &middot; demo page</footer>
</body>
</html>
`;
}

const GALLERY_CSS = `
:root {
  --bg: #f5f4fb; --card: #ffffff; --text: #1d1b2f; --muted: #5d5a78; --line: #e3e0f3;
  --accent: #4a3bc8; --accent-soft: #ece9ff; --shadow: 0 1px 2px rgba(30, 20, 90, .06), 0 8px 24px rgba(30, 20, 90, .08);
  color-scheme: light dark;
}
@media (prefers-color-scheme: dark) {
  :root { --bg: #14121f; --card: #1e1b2e; --text: #ecebf5; --muted: #a6a3c2; --line: #2e2a45;
    --accent: #a79cff; --accent-soft: #2b2650; --shadow: 0 1px 2px rgba(0,0,0,.4), 0 8px 24px rgba(0,0,0,.35); }
}
* { box-sizing: border-box; }
html { background: var(--bg); }
body {
  margin: 0 auto; max-width: 1240px; padding: 32px 24px 40px; color: var(--text);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", sans-serif;
}
.hero { margin-bottom: 28px; }
.brand { display: flex; gap: 16px; align-items: center; }
.logo { width: 48px; height: 48px; flex: none; }
h1 { margin: 0; font-size: 28px; line-height: 1.2; letter-spacing: -.01em; }
.lead { margin: 4px 0 0; font-size: 17px; }
.lead strong { color: var(--accent); }
.sub { margin: 14px 0 0; color: var(--muted); max-width: 70ch; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(300px, 100%), 1fr)); gap: 20px; }
.card {
  display: flex; flex-direction: column; background: var(--card); border: 1px solid var(--line);
  border-radius: 14px; overflow: hidden; box-shadow: var(--shadow);
}
.media { position: relative; aspect-ratio: 4 / 3; min-height: 0; overflow: hidden; background: var(--accent-soft); }
.media > img, .media > picture, .media > canvas, .media > iframe, .media > .bg {
  position: absolute; inset: 0; display: block; width: 100%; height: 100%; border: 0;
}
.media > picture > img { display: block; width: 100%; height: 100%; }
.media img, .media canvas { object-fit: cover; }
.bg { background: url(/images/kite.jpg) center / cover no-repeat; position: relative; }
.overlay {
  position: absolute; left: 12px; right: 12px; bottom: 12px; padding: 8px 12px; border-radius: 8px;
  color: #fff; font-size: 13px; background: rgba(15, 12, 40, .62); backdrop-filter: blur(4px);
}
.body { padding: 14px 16px 18px; }
.kind {
  display: inline-block; padding: 1px 8px; border-radius: 999px; font-size: 12px;
  font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, "DejaVu Sans Mono", monospace;
  color: var(--accent); background: var(--accent-soft);
}
.card h2 { margin: 8px 0 4px; font-size: 17px; line-height: 1.3; }
.card p { margin: 0; color: var(--muted); font-size: 14px; }
.plain {
  margin-top: 28px; padding: 18px 20px; border: 1px dashed var(--line); border-radius: 14px; background: var(--card);
}
.plain h2 { margin: 0 0 6px; font-size: 17px; }
.plain p { margin: 0; color: var(--muted); max-width: 80ch; }
footer { margin-top: 28px; color: var(--muted); font-size: 13px; text-align: center; }
`;

// Runs in the gallery page (served as /gallery.js, no inline script).
const GALLERY_JS = `'use strict';
(function () {
  function loaded(img) {
    if (img.complete && img.naturalWidth > 0) return Promise.resolve();
    return new Promise(function (resolve, reject) {
      img.addEventListener('load', function () { resolve(); }, { once: true });
      img.addEventListener('error', function () { reject(new Error('image failed: ' + (img.id || img.src))); }, { once: true });
    });
  }
  async function drawCanvas() {
    var canvas = document.getElementById('canvas');
    var img = new Image();
    img.src = '/images/person.jpg';
    await loaded(img);
    canvas.width = img.naturalWidth;
    canvas.height = img.naturalHeight;
    canvas.getContext('2d').drawImage(img, 0, 0);
    canvas.dataset.drawn = 'true';
  }
  async function loadBlob() {
    var res = await fetch('/images/dog.jpg');
    if (!res.ok) throw new Error('blob fetch failed: HTTP ' + res.status);
    var url = URL.createObjectURL(await res.blob());   // kept alive on purpose: NetLens may need it later
    var img = document.getElementById('blob');
    var done = loaded(img);
    img.src = url;
    await done;
  }
  var windowLoaded = document.readyState === 'complete'
    ? Promise.resolve()
    : new Promise(function (resolve) { window.addEventListener('load', function () { resolve(); }, { once: true }); });
  Promise.all([drawCanvas(), loadBlob(), windowLoaded]).then(function () {
    document.body.dataset.ready = 'true';
  }, function (err) {
    document.body.dataset.ready = 'error';
    document.body.dataset.error = String(err && err.message || err);
    console.error('gallery:', err);
  });
})();
`;

const FRAME_HTML = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>NetLens gallery frame</title>
  <style>
    html, body { margin: 0; height: 100%; background: #ece9ff; overflow: hidden; }
    img { display: block; width: 100%; height: 100%; object-fit: cover; }
    .tag { position: absolute; top: 10px; left: 10px; padding: 2px 8px; border-radius: 999px; color: #fff;
      background: rgba(15, 12, 40, .62); font: 12px/1.6 system-ui, "DejaVu Sans", sans-serif; }
  </style>
</head>
<body>
  <img id="in-frame" src="/images/horses.jpg" alt="Horses on a hillside">
  <span class="tag">inside a frame from another origin</span>
</body>
</html>
`;

function listen(server, port) {
  return new Promise((resolve, reject) => {
    const onError = (err) => reject(err);
    server.once('error', onError);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', onError);
      resolve(server.address().port);
    });
  });
}

function closeServer(server) {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.closeAllConnections();
    server.close(() => resolve());
  });
}

/**
 * Starts the page server and the cross-origin server on 127.0.0.1.
 * @param {{ port?: number, crossPort?: number, imagesDir?: string }} [options]
 */
export async function startGallery({ port = 0, crossPort = 0, imagesDir } = {}) {
  imagesDir = path.resolve(imagesDir ?? process.env.NETLENS_IMAGES_DIR ?? DEFAULT_IMAGES_DIR);
  if (!fs.existsSync(path.join(imagesDir, 'dog.jpg'))) {
    throw new Error(`gallery: no test photos in ${imagesDir} (set NETLENS_IMAGES_DIR or pass imagesDir)`);
  }
  const iconFile = path.join(ICONS_DIR, 'icon-128.png');
  const hanging = new Set();
  let crossOrigin = '';
  /** every request's path and who sent it (Sec-Fetch-Site: the extension's downloads say "cross-site"/"none") */
  const requests = [];

  const handler = (route) => async (req, res) => {
    try {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        return send(req, res, 405, 'text/plain; charset=utf-8', 'Method not allowed\n', { Allow: 'GET, HEAD' });
      }
      const { pathname } = new URL(req.url ?? '/', 'http://127.0.0.1');
      requests.push({ path: pathname, site: String(req.headers['sec-fetch-site'] ?? ''), dest: String(req.headers['sec-fetch-dest'] ?? '') });
      if (pathname.startsWith('/images/')) return await serveImage(req, res, imagesDir, pathname.slice('/images/'.length));
      if (await route(req, res, pathname)) return;
      if (await serveFault(req, res, pathname, imagesDir, hanging)) return;
      notFound(req, res);
    } catch (err) {
      if (!res.headersSent) send(req, res, 500, 'text/plain; charset=utf-8', `Internal error: ${err?.message ?? err}\n`);
      else res.destroy();
    }
  };

  const page = http.createServer(
    handler(async (req, res, pathname) => {
      switch (pathname) {
        case '/':
        case '/index.html': {
          const dataUrl = `data:image/jpeg;base64,${(await fsp.readFile(path.join(imagesDir, 'scream.jpg'))).toString('base64')}`;
          const hasIcon = fs.existsSync(iconFile);
          send(req, res, 200, 'text/html; charset=utf-8', pageHtml({ crossOrigin, dataUrl, hasIcon }));
          return true;
        }
        case '/gallery.js':
          send(req, res, 200, 'text/javascript; charset=utf-8', GALLERY_JS);
          return true;
        case '/gallery.css':
          send(req, res, 200, 'text/css; charset=utf-8', GALLERY_CSS);
          return true;
        case '/icon.png':
        case '/favicon.ico':
          if (!fs.existsSync(iconFile)) return false;
          send(req, res, 200, 'image/png', await fsp.readFile(iconFile));
          return true;
        default:
          return false;
      }
    }),
  );
  const cross = http.createServer(
    handler(async (req, res, pathname) => {
      if (pathname !== '/frame.html') return false;
      send(req, res, 200, 'text/html; charset=utf-8', FRAME_HTML);
      return true;
    }),
  );

  let pagePort;
  try {
    pagePort = await listen(page, port);
    const crossPortBound = await listen(cross, crossPort);
    crossOrigin = `http://127.0.0.1:${crossPortBound}`;
  } catch (err) {
    await Promise.all([closeServer(page), closeServer(cross)]);
    throw err;
  }

  let closing = null;
  return {
    origin: `http://127.0.0.1:${pagePort}`,
    crossOrigin,
    imagesDir,
    requests,
    close() {
      closing ??= (async () => {
        for (const res of hanging) res.destroy();
        hanging.clear();
        await Promise.all([closeServer(page), closeServer(cross)]);
      })();
      return closing;
    },
  };
}
