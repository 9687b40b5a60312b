// Drives the built extension in Debian's headless Chromium (see shared/docs/browser-testing.md).
// Plain ESM so both the vitest suites and `npm run bench` (plain Node) use the same harness.
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
// E2E tests and the benchmark drive the test build (dist-test/: production code plus test hooks); the
// production build (dist/) is checked to have none.
export const DIST = process.env.NETLENS_DIST ?? path.join(ROOT, 'dist-test');
export const PROD_DIST = path.join(ROOT, 'dist');
export const CHROMIUM = process.env.CHROME_PATH ?? '/usr/bin/chromium';
export const BASE_ARGS = ['--no-sandbox', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync'];

export async function launch(opts = {}) {
  const ext = opts.extDir ?? DIST;
  if (!fs.existsSync(path.join(ext, 'manifest.json'))) throw new Error(`${ext} is not built: run \`npm run build\` first`);
  const userDataDir = opts.userDataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'netlens-e2e-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [...BASE_ARGS, `--disable-extensions-except=${ext}`, `--load-extension=${ext}`, ...(opts.extraArgs ?? [])],
  });
  // A fresh profile is a first install: NetLens opens its welcome page. Tests about other things close it,
  // so their tab lists and 'page' events stay theirs.
  if (!opts.keepWelcome) {
    const closeWelcome = (p) => p.waitForLoadState('domcontentloaded').then(() => { if (p.url().includes('/src/welcome/')) return p.close(); }).catch(() => undefined);
    context.pages().forEach(closeWelcome);
    context.on('page', closeWelcome);
  }
  let [sw] = context.serviceWorkers();
  sw ??= await context.waitForEvent('serviceworker', { timeout: 15_000 });
  const extId = new URL(sw.url()).host;
  // onInstalled may not have run yet: wait for the menu item to exist before any test relies on it.
  await sw.evaluate(async () => {
    for (let i = 0; i < 100; i++) {
      try { await chrome.contextMenus.update('netlens-classify', {}); return; } catch { await new Promise((r) => setTimeout(r, 50)); }
    }
    throw new Error('context menu was never created');
  });
  return {
    context, sw, extId, userDataDir,
    async close({ keepProfile = false } = {}) {
      await context.close();
      if (!keepProfile && !opts.userDataDir) fs.rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/** A new tab on the gallery's demo page, once the page says its images are in place. */
export async function openGalleryPage(h, gallery) {
  const page = await h.context.newPage();
  await page.goto(gallery.origin + '/');
  await page.waitForSelector('body[data-ready=true]');
  return page;
}

export async function tabIdOf(h, page) {
  const url = page.url();
  return h.sw.evaluate(async (u) => {
    const tabs = await chrome.tabs.query({});
    const t = tabs.find((x) => x.url === u);
    if (!t?.id) throw new Error(`no tab with url ${u}`);
    return t.id;
  }, url);
}

/**
 * Fires the real context-menu listener (chrome.contextMenus.onClicked.dispatch) for the page's tab, as a
 * right-click would, and waits until the tab's state in storage.session is final (done or error).
 */
export async function clickMenu(h, page, click, timeoutMs = 120_000) {
  const tabId = await tabIdOf(h, page);
  return h.sw.evaluate(async ({ tabId, click, timeoutMs }) => {
    const key = `tab:${tabId}`;
    const before = (await chrome.storage.session.get(key))[key]?.requestId;
    const tab = await chrome.tabs.get(tabId);
    const frameId = click.frameId === null ? undefined : (click.frameId ?? 0);
    const info = {
      menuItemId: click.menuItemId ?? 'netlens-classify',
      srcUrl: click.srcUrl,
      pageUrl: tab.url,
      frameId,
      mediaType: click.srcUrl ? 'image' : undefined,
      editable: false,
    };
    chrome.contextMenus.onClicked.dispatch(info, tab);
    const t0 = Date.now();
    while (Date.now() - t0 < timeoutMs) {
      const s = (await chrome.storage.session.get(key))[key];
      if (s && s.requestId !== before && s.status !== 'loading') return s;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`no result for tab ${tabId} within ${timeoutMs} ms`);
  }, { tabId, click, timeoutMs });
}

export async function openPopup(h, tabId) {
  const popup = await h.context.newPage();
  await popup.goto(`chrome-extension://${h.extId}/src/popup/index.html?tab=${tabId}`);
  return popup;
}

/**
 * The longest a popup timer waited while `work` ran (a setTimeout(0) chain in the popup): what the popup feels of
 * work elsewhere. Returns that wait and how long `work` took, in ms.
 */
export async function popupLag(popup, work) {
  await popup.evaluate(() => {
    const g = globalThis;
    g.__lag = 0; g.__run = true;
    (function tick() { const t = performance.now(); setTimeout(() => { g.__lag = Math.max(g.__lag, performance.now() - t); if (g.__run) tick(); }, 0); })();
  });
  const t0 = performance.now();
  await work();
  const workMs = performance.now() - t0;
  const lagMs = await popup.evaluate(() => { globalThis.__run = false; return globalThis.__lag; });
  return { lagMs, workMs };
}

/** The popup's explanation request for the tab's current result, sent as the background sends it to the model host. */
export function explainInHost(h, tabId, method, jobId = `test-${method}`) {
  return h.sw.evaluate(async ({ tabId, method, jobId }) => {
    const state = (await chrome.storage.session.get(`tab:${tabId}`))[`tab:${tabId}`];
    return chrome.runtime.sendMessage({
      type: 'bg/explain', target: 'offscreen', jobId, task: 'map', method, params: {}, classTarget: { kind: 'class', index: state.result.predictions[0].index },
      image: { requestId: state.requestId, source: null }, modelId: state.result.modelId, backend: 'auto', remembered: null,
    });
  }, { tabId, method, jobId });
}

export async function setSettings(h, settings) {
  await h.sw.evaluate(async (s) => {
    const cur = (await chrome.storage.local.get('settings')).settings ?? { modelId: 'mobilenet-v1-0.75-224', backend: 'auto' };
    await chrome.storage.local.set({ settings: { ...cur, ...s } });
  }, settings);
}

/**
 * A raw DevTools-protocol session on the model host: the offscreen document's model worker, where TF.js runs
 * (Playwright exposes neither). `page: true` stays on the document itself. A dedicated worker answers only
 * through its document's session (auto-attach), so messages to it are nested in messages to the document.
 */
export async function attachOffscreen(h, { page = false } = {}) {
  const browser = h.context.browser();
  if (!browser) throw new Error('no browser handle');
  const cdp = await browser.newBrowserCDPSession();
  const find = async () => (await cdp.send('Target.getTargets')).targetInfos.find((x) => x.url.endsWith('/src/offscreen/offscreen.html'));
  let t = await find();
  for (let i = 0; !t && i < 100; i++) { await new Promise((r) => setTimeout(r, 100)); t = await find(); }
  if (!t) throw new Error('offscreen document not found');
  const { sessionId } = await cdp.send('Target.attachToTarget', { targetId: t.targetId, flatten: false });
  let id = 0;
  const pending = new Map();
  let worker = null;
  const workerFound = [];
  cdp.on('Target.receivedMessageFromTarget', (ev) => {
    if (ev.sessionId !== sessionId) return;
    const m = JSON.parse(ev.message);
    if (m.method === 'Target.attachedToTarget') {
      // Auto-attach also brings the service worker along: let it go (an attached worker is never stopped when idle).
      if (m.params.targetInfo.type !== 'worker') { void toDoc('Target.detachFromTarget', { sessionId: m.params.sessionId }); return; }
      worker ??= m.params.sessionId;
      workerFound.splice(0).forEach((f) => f());
      return;
    }
    const inner = m.method === 'Target.receivedMessageFromTarget' && m.params.sessionId === worker ? JSON.parse(m.params.message) : null;
    const reply = inner ?? m;
    const key = inner ? `w${reply.id}` : reply.id;
    if (reply.id && pending.has(key)) { pending.get(key)(reply); pending.delete(key); }
  });
  const toDoc = (method, params = {}) => new Promise((res) => {
    const mid = ++id;
    pending.set(mid, res);
    // The document can close under us (the idle release, a fault test): the caller gets the error as a reply.
    cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id: mid, method, params }) })
      .catch((e) => { pending.delete(mid); res({ id: mid, error: { message: String(e?.message ?? e) } }); });
  });
  const toWorker = (method, params = {}) => new Promise((res) => {
    const mid = ++id;
    pending.set(`w${mid}`, res);
    void toDoc('Target.sendMessageToTarget', { sessionId: worker, message: JSON.stringify({ id: mid, method, params }) })
      .then((r) => { if (r.error) { pending.delete(`w${mid}`); res({ id: mid, error: r.error }); } });
  });
  let send = toDoc;
  if (!page) {
    await toDoc('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: false, flatten: false });
    if (!worker) await Promise.race([new Promise((r) => workerFound.push(r)), new Promise((r) => setTimeout(r, 10_000))]);
    if (!worker) throw new Error('model worker not found');
    send = toWorker;
  }
  return {
    async evaluate(expression) {
      const r = await send('Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true });
      if (r.error) throw new Error(`model host: ${r.error.message}`);
      if (r.result?.exceptionDetails) throw new Error(r.result.exceptionDetails.exception?.description ?? r.result.exceptionDetails.text);
      return r.result?.result?.value;
    },
    /** The JS heap in use, in MB (a worker has no performance.memory). */
    async heapMB() {
      const r = await send('Runtime.getHeapUsage');
      return r.result.usedSize / 1048576;
    },
    /** Waits until the model host's queue is empty (background jobs such as channel means included). */
    async idle() {
      await this.evaluate('(async () => { while (globalThis.__netlens.session.queue.depth > 0) await new Promise((r) => setTimeout(r, 20)); })()');
    },
    async detach() { await cdp.send('Target.detachFromTarget', { sessionId }).catch(() => undefined); await cdp.detach(); },
  };
}
