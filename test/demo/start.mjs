#!/usr/bin/env node
// `npm start`: build the extension, serve the test gallery, and open it in Chromium with NetLens loaded.
//
//   npm start                      build, serve on 127.0.0.1:8737 (+8738 cross-origin), open Chromium if there is a display
//   npm start -- --no-build        skip `vite build` (use the dist/ that is there)
//   npm start -- --smoke           headless check: extension service worker up + gallery ready, then exit 0
//   npm start -- --firefox         the same in Firefox (dist-firefox/, web-ext run; --smoke works too)
//   xvfb-run -a npm start          headed Chromium on a virtual display
//
// Environment: CHROME_PATH (default /usr/bin/chromium), NETLENS_IMAGES_DIR (test photos).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startGallery, GALLERY_ITEMS } from '../support/gallery.mjs';
import { runFirefox } from './firefox.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const FIREFOX = process.argv.includes('--firefox');
const DIST = path.join(ROOT, FIREFOX ? 'dist-firefox' : 'dist');
const PROFILE = path.join(ROOT, '.cache', 'netlens-profile');
const PAGE_PORT = 8737;
const CROSS_PORT = 8738;

const argv = process.argv.slice(2);
const flags = new Set(argv);
if (flags.has('--help') || flags.has('-h')) {
  console.log(`usage: npm start [-- --no-build] [-- --smoke] [-- --firefox]
  --firefox   open Firefox (web-ext run) instead of Chromium
  --no-build  do not run \`vite build\` first
  --smoke     launch headless Chromium, check the extension and the gallery, exit 0 on success`);
  process.exit(0);
}
const unknown = argv.filter((a) => !['--no-build', '--smoke', '--firefox'].includes(a));
if (unknown.length) {
  console.error(`start: unknown option(s): ${unknown.join(' ')} (try --help)`);
  process.exit(2);
}
const SMOKE = flags.has('--smoke');
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

function fail(message, code = 1) {
  console.error(`start: ${message}`);
  process.exit(code);
}

// ---------- 1. build ----------
if (!flags.has('--no-build')) {
  const mode = FIREFOX ? ['--mode', 'firefox'] : [];
  console.log(`start: building the extension (npx vite build ${mode.join(' ')})…`);
  const r = spawnSync('npx', ['vite', 'build', ...mode], { cwd: ROOT, stdio: 'inherit' });
  if (r.error) fail(`could not run \`npx vite build\`: ${r.error.message}`);
  if (r.status !== 0) fail(`\`npx vite build\` failed (${r.signal ? `signal ${r.signal}` : `exit code ${r.status}`}); see its output above.`);
}
if (!fs.existsSync(path.join(DIST, 'manifest.json'))) {
  fail(`${DIST}/manifest.json not found: build the extension first (\`npm run build\`, or \`npm start\` without --no-build).`);
}

// ---------- 2. gallery ----------
function portFree(port) {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}
async function openGallery() {
  const wanted = { port: PAGE_PORT, crossPort: CROSS_PORT };
  for (const key of ['port', 'crossPort']) {
    if (!(await portFree(wanted[key]))) {
      console.log(`start: port ${wanted[key]} is taken; using a free port instead.`);
      wanted[key] = 0;
    }
  }
  try {
    return await startGallery(wanted);
  } catch (err) {
    if (err?.code !== 'EADDRINUSE') throw err;
    return startGallery({ port: 0, crossPort: 0 }); // lost a race for the port: take any free ones
  }
}

let gallery;
try {
  gallery = await openGallery();
} catch (err) {
  fail(`could not start the gallery: ${err?.message ?? err}`);
}
const galleryUrl = `${gallery.origin}/`;
console.log(`start: gallery at ${galleryUrl} (cross-origin images from ${gallery.crossOrigin})`);

let stopping = null;
function shutdown(code = 0, context) {
  stopping ??= (async () => {
    if (context) await context.close().catch(() => {});
    await gallery.close();
    process.exit(code);
  })();
  return stopping;
}

// ---------- 3. browser ----------
function chromePath() {
  const exe = process.env.CHROME_PATH || '/usr/bin/chromium';
  if (!fs.existsSync(exe)) {
    console.error(
      `start: Chromium not found at ${exe}.\n` +
        '  Install it with `apt-get install chromium` (Debian/Ubuntu, as root), or set CHROME_PATH to a Chromium/Chrome binary.',
    );
    return null;
  }
  return exe;
}

function chromeArgs() {
  return [
    ...(isRoot ? ['--no-sandbox'] : []),
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-quic',
    `--disable-extensions-except=${DIST}`,
    `--load-extension=${DIST}`,
  ];
}

async function loadPlaywright() {
  try {
    return (await import('playwright-core')).chromium;
  } catch (err) {
    console.error(`start: playwright-core is not installed (${err?.message ?? err}); run \`npm install\`.`);
    return null;
  }
}

async function extensionWorker(context, timeout) {
  const isOurs = (w) => w.url().startsWith('chrome-extension://');
  const found = context.serviceWorkers().find(isOurs);
  if (found) return found;
  return context.waitForEvent('serviceworker', { predicate: isOurs, timeout });
}

async function smoke() {
  const exe = chromePath();
  const chromium = await loadPlaywright();
  if (!exe || !chromium) return shutdown(1);
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'netlens-smoke-'));
  let context;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: exe,
      headless: true,
      chromiumSandbox: !isRoot,
      args: chromeArgs(),
    });
    const sw = await extensionWorker(context, 15_000);
    const extId = new URL(sw.url()).host;
    const page = await context.newPage();
    await page.goto(galleryUrl);
    await page.waitForSelector('body[data-ready]', { timeout: 30_000 });
    const ready = await page.evaluate(() => ({ ready: document.body.dataset.ready, error: document.body.dataset.error }));
    if (ready.ready !== 'true') throw new Error(`gallery page reported an error: ${ready.error ?? ready.ready}`);
    const missing = [];
    for (const item of GALLERY_ITEMS) if (!(await page.locator(`#${item.id}`).isVisible())) missing.push(item.id);
    if (missing.length) throw new Error(`gallery elements not visible: ${missing.join(', ')}`);
    console.log(`smoke: gallery ok, extension ${extId} loaded`);
    await context.close();
    context = undefined;
    fs.rmSync(profile, { recursive: true, force: true });
    return shutdown(0);
  } catch (err) {
    console.error(`smoke: FAILED: ${err?.message ?? err}`);
    await context?.close().catch(() => {});
    fs.rmSync(profile, { recursive: true, force: true });
    return shutdown(1);
  }
}

async function headed() {
  const exe = chromePath();
  const chromium = await loadPlaywright();
  if (!exe || !chromium) {
    printManualInstructions('Chromium could not be started from here (see above).');
    return;
  }
  fs.mkdirSync(PROFILE, { recursive: true });
  let context;
  try {
    context = await chromium.launchPersistentContext(PROFILE, {
      executablePath: exe,
      headless: false,
      chromiumSandbox: !isRoot,
      handleSIGINT: false, // we close the browser and the servers ourselves
      handleSIGTERM: false,
      viewport: null, // use the real window size
      ignoreDefaultArgs: ['--enable-automation', '--hide-scrollbars'], // no "controlled by automated software" bar
      args: chromeArgs(),
    });
  } catch (err) {
    console.error(`start: could not launch Chromium: ${err?.message ?? err}`);
    console.error(`  (is another \`npm start\` window still open? It uses the same profile: ${PROFILE})`);
    printManualInstructions('Chromium could not be started from here (see above).');
    return;
  }
  context.on('close', () => shutdown(0));
  process.on('SIGINT', () => shutdown(0, context));
  process.on('SIGTERM', () => shutdown(0, context));
  try {
    const sw = await extensionWorker(context, 15_000);
    console.log(`start: NetLens loaded (extension id ${new URL(sw.url()).host}).`);
  } catch {
    console.warn('start: warning: the NetLens service worker did not show up; check chrome://extensions.');
  }
  const page = context.pages()[0] ?? (await context.newPage());
  await page.goto(galleryUrl).catch((err) => console.error(`start: could not open the gallery: ${err.message}`));
  console.log('start: right-click any picture and choose "Classify with NetLens". Close the browser window or press Ctrl-C to stop.');
}

function printManualInstructions(reason = 'No display was found (DISPLAY / WAYLAND_DISPLAY are not set), so no browser window is opened.') {
  console.log(`
The gallery is being served at:

    ${galleryUrl}

To try NetLens, load the built extension by hand in Chromium or Chrome:
  1. open chrome://extensions
  2. switch on "Developer mode" (top right)
  3. click "Load unpacked" and choose: ${DIST}
  4. open ${galleryUrl}, right-click any picture and choose "Classify with NetLens"

${reason}
To have Chromium opened for you on a virtual display, run:

    xvfb-run -a npm start

Press Ctrl-C to stop the gallery.`);
  process.on('SIGINT', () => shutdown(0));
  process.on('SIGTERM', () => shutdown(0));
}

if (FIREFOX) await runFirefox({ root: ROOT, dist: DIST, galleryUrl, smoke: SMOKE, shutdown });
else if (SMOKE) await smoke();
else if (process.env.DISPLAY || process.env.WAYLAND_DISPLAY) await headed();
else printManualInstructions();
