// Drives the built extension in Debian's headless firefox-esr through puppeteer-core over WebDriver BiDi
// (see shared/docs/firefox-testing.md). Plain ESM so the vitest suite and `npm run bench` share it.
//
// The add-on is installed the way a user's is, not as a temporary add-on: the build is zipped into the
// profile's extensions/ folder (xpinstall.signatures.required is honoured on ESR), so it survives a browser
// restart with its data, as a real install does. The moz-extension UUID is fixed, so pages have known URLs.
import puppeteer from 'puppeteer-core';
import { zipSync } from 'fflate';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from './browser.mjs';

export const FIREFOX_DIST = process.env.NETLENS_FIREFOX_DIST ?? path.join(ROOT, 'dist-firefox-test');
export const FIREFOX = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';
export const ADDON_ID = 'netlens@netlens.dev';
export const UUID = '6e657430-6c65-4e73-8000-000000000015';
export const EXT_ORIGIN = `moz-extension://${UUID}`;
const MENU_PREFIX = `${ADDON_ID.replace(/[@.]/g, '_')}-menuitem-_`;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function files(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

/** The build as an .xpi (a zip with manifest.json at its root). */
export function xpiOf(dist) {
  const entries = Object.fromEntries(files(dist).map((f) => [path.relative(dist, f).split(path.sep).join('/'), [new Uint8Array(fs.readFileSync(f)), { level: 0 }]]));
  return zipSync(entries);
}

/**
 * Starts firefox-esr on `profileDir` (a new one unless given) with NetLens installed in it.
 * prefs: extra Firefox preferences (e.g. a short extensions.background.idle.timeout).
 */
export async function launchFirefox(opts = {}) {
  const dist = opts.extDir ?? FIREFOX_DIST;
  if (!fs.existsSync(path.join(dist, 'manifest.json'))) throw new Error(`${dist} is not built: run \`npm run build:firefox:test\` first`);
  const profileDir = opts.profileDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'netlens-ff-'));
  fs.mkdirSync(path.join(profileDir, 'extensions'), { recursive: true });
  // Written once per profile: a changed file on restart would be an update, not the same install.
  const xpi = path.join(profileDir, 'extensions', `${ADDON_ID}.xpi`);
  if (!fs.existsSync(xpi)) fs.writeFileSync(xpi, xpiOf(dist));
  const browser = await puppeteer.launch({
    browser: 'firefox', executablePath: FIREFOX, headless: true, userDataDir: profileDir,
    args: ['--remote-allow-system-access'], // the privileged context: real context-menu clicks, permissions
    extraPrefsFirefox: {
      'extensions.webextensions.uuids': JSON.stringify({ [ADDON_ID]: UUID }),
      'xpinstall.signatures.required': false,
      'extensions.autoDisableScopes': 0, // enable the add-on found in the profile without asking
      'extensions.enabledScopes': 15,
      'extensions.installDistroAddons': false,
      ...(opts.prefs ?? {}),
    },
  });
  const h = {
    browser, profileDir,
    /** Opens moz-extension://…/path in a new tab (goto never resolves for those: poll instead). */
    async openExtPage(p, timeoutMs = 15_000) {
      const page = await browser.newPage(), url = `${EXT_ORIGIN}/${p}`;
      page.goto(url, { timeout: 0 }).catch(() => undefined);
      for (const end = Date.now() + timeoutMs; Date.now() < end; await sleep(100)) {
        try { if (await page.evaluate((u) => location.href === u && document.readyState === 'complete', url)) return page; } catch { /* navigating */ }
      }
      throw new Error(`could not open ${url}`);
    },
    /** An extension page to run extension-API code from (the options page: no model, no popup port). */
    async ext() {
      if (!h._ext || h._ext.isClosed()) h._ext = await h.openExtPage('src/options/index.html');
      return h._ext;
    },
    /** Runs fn(arg) in an extension page; `bg` inside is the event page's window (waking it if suspended). */
    async inExt(fn, arg) {
      const page = await h.ext();
      // A string, evaluated by BiDi (not eval, which the extension's CSP forbids), so `fn` keeps its source.
      return page.evaluate(`(async () => { const bg = await browser.runtime.getBackgroundPage(); return await (${fn.toString()})(${JSON.stringify(arg ?? null)}, bg); })()`);
    },
    /** Privileged (browser-window) code. */
    async chrome(expression) {
      const tree = await browser.connection.send('browsingContext.getTree', { 'moz:scope': 'chrome' });
      const r = await browser.connection.send('script.evaluate', { expression, target: { context: tree.result.contexts[0].context }, awaitPromise: true, resultOwnership: 'none' });
      if (r.result.type === 'exception') throw new Error(`privileged: ${JSON.stringify(r.result.exceptionDetails).slice(0, 400)}`);
      return r.result.result?.value;
    },
    async close({ keepProfile = false } = {}) {
      await browser.close().catch(() => undefined);
      if (!keepProfile && !opts.profileDir) fs.rmSync(profileDir, { recursive: true, force: true });
    },
  };
  // The add-on starts with the browser: wait until its menu exists (onInstalled ran).
  await h.inExt(async () => {
    for (let i = 0; i < 200; i++) {
      try { await browser.contextMenus.update('netlens-classify', {}); return; } catch { await new Promise((r) => setTimeout(r, 50)); }
    }
    throw new Error('context menu was never created');
  });
  return h;
}

/** Right-clicks (x, y) in the page for real, then activates NetLens's menu item `menuId` in the browser's menu. */
export async function realMenuClick(h, page, x, y, menuId) {
  await page.bringToFront();
  await page.mouse.click(x, y, { button: 'right' });
  const id = `${MENU_PREFIX}${menuId}`;
  return h.chrome(`(async () => {
    const win = Services.wm.getMostRecentWindow('navigator:browser');
    const menu = win.document.getElementById('contentAreaContextMenu');
    for (let i = 0; i < 100 && menu.state !== 'open'; i++) await new Promise((r) => win.setTimeout(r, 50));
    const item = win.document.getElementById(${JSON.stringify(id)});
    if (!item || item.hidden || item.closest('[hidden]')) { const shown = [...menu.querySelectorAll('menuitem')].filter((m) => !m.hidden && m.id.includes('menuitem')).map((m) => m.id + (m.closest('[hidden]') ? '(in hidden)' : '')); menu.hidePopup(); return 'missing: ' + shown.join(','); }
    if (menu.state !== 'open') return 'menu not open: ' + menu.state;
    // An extension's items sit in a submenu named after it (and "Add to class" in its own): open each in turn.
    const menus = [];
    for (let m = item.parentNode.closest('menu'); m && menu.contains(m); m = m.parentNode.closest('menu')) menus.unshift(m);
    for (const m of menus) {
      m.openMenu(true);
      for (let i = 0; i < 100 && m.menupopup.state !== 'open'; i++) await new Promise((r) => win.setTimeout(r, 20));
    }
    const popup = item.parentNode;
    popup.activateItem(item);
    return 'ok';
  })()`);
}

/** The tab id of the first tab showing `url`. */
export async function tabIdOf(h, url) {
  return h.inExt(async (u) => {
    const t = (await browser.tabs.query({})).find((x) => x.url === u);
    if (!t) throw new Error(`no tab with url ${u}`);
    return t.id;
  }, url);
}

/** The tab's stored state once it is final and newer than `beforeId` (a requestId). */
export async function waitTabState(h, tabId, beforeId = null, timeoutMs = 120_000) {
  return h.inExt(async ({ tabId, beforeId, timeoutMs }) => {
    const key = `tab:${tabId}`;
    for (const end = Date.now() + timeoutMs; Date.now() < end; await new Promise((r) => setTimeout(r, 30))) {
      const s = (await browser.storage.session.get(key))[key];
      if (s && s.requestId !== beforeId && s.status !== 'loading') return s;
    }
    throw new Error(`no result for tab ${tabId} within ${timeoutMs} ms`);
  }, { tabId, beforeId, timeoutMs });
}

export async function currentRequestId(h, tabId) {
  return h.inExt(async (tabId) => (await browser.storage.session.get(`tab:${tabId}`))[`tab:${tabId}`]?.requestId ?? null, tabId);
}

/**
 * Scrolls `selector` (inside the iframe `frameSelector`, if given) into view and right-clicks its centre for
 * real, then picks NetLens's `menuId`. Returns what the browser's menu said ('ok' or what was missing).
 */
export async function rightClick(h, page, selector, menuId, frameSelector = null) {
  let handle;
  if (frameSelector) {
    const frameEl = await page.$(frameSelector);
    await frameEl.evaluate((e) => e.scrollIntoView({ block: 'center' }));
    handle = await (await frameEl.contentFrame()).$(selector);
  } else {
    handle = await page.$(selector);
    await handle.evaluate((e) => e.scrollIntoView({ block: 'center' }));
  }
  const box = await handle.boundingBox();
  return realMenuClick(h, page, box.x + box.width / 2, box.y + box.height / 2, menuId);
}

/** Writes settings as the options page would. */
export async function setSettings(h, settings) {
  await h.inExt(async (s) => {
    const cur = (await browser.storage.local.get('settings')).settings ?? { modelId: 'mobilenet-v1-0.75-224', backend: 'auto' };
    await browser.storage.local.set({ settings: { ...cur, ...s } });
  }, settings);
}

/** The add-on's event-page state as Firefox sees it ('running', 'stopped', …), read without waking it. */
export async function backgroundState(h) {
  return h.chrome(`WebExtensionPolicy.getByID(${JSON.stringify(ADDON_ID)}).extension.backgroundState`);
}

/** Waits for Firefox's "NetLens requests additional permissions" door-hanger and clicks its Allow button. */
export async function acceptPermissionPrompt(h, timeoutMs = 10_000) {
  return h.chrome(`(async () => {
    const win = Services.wm.getMostRecentWindow('navigator:browser');
    for (const end = Date.now() + ${timeoutMs}; Date.now() < end; await new Promise((r) => win.setTimeout(r, 50))) {
      const n = win.PopupNotifications.panel.querySelector('popupnotification[id="addon-webext-permissions-notification"]');
      if (n && win.PopupNotifications.panel.state === 'open') { n.button.click(); return 'allowed'; }
    }
    return 'no prompt: ' + [...win.PopupNotifications.panel.querySelectorAll('popupnotification')].map((x) => x.id).join(',');
  })()`);
}
