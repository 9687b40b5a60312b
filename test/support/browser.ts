// Drives the built extension in Debian's headless Chromium (see shared/docs/browser-testing.md).
import { chromium, type BrowserContext, type Page, type Worker } from 'playwright-core';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TabState } from '../../src/shared/tab-state';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const DIST = path.join(ROOT, 'dist');
export const CHROMIUM = process.env.CHROME_PATH ?? '/usr/bin/chromium';
export const BASE_ARGS = ['--no-sandbox', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync'];

export interface Harness {
  context: BrowserContext;
  sw: Worker;
  extId: string;
  userDataDir: string;
  close(opts?: { keepProfile?: boolean }): Promise<void>;
}

export async function launch(opts: { extraArgs?: string[]; userDataDir?: string } = {}): Promise<Harness> {
  if (!fs.existsSync(path.join(DIST, 'manifest.json'))) throw new Error('dist/ is not built: run `npm run build` first');
  const userDataDir = opts.userDataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'netlens-e2e-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [...BASE_ARGS, `--disable-extensions-except=${DIST}`, `--load-extension=${DIST}`, ...(opts.extraArgs ?? [])],
  });
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

export async function tabIdOf(h: Harness, page: Page): Promise<number> {
  const url = page.url();
  return h.sw.evaluate(async (u) => {
    const tabs = await chrome.tabs.query({});
    const t = tabs.find((x) => x.url === u);
    if (!t?.id) throw new Error(`no tab with url ${u}`);
    return t.id;
  }, url);
}

/** frameId: omit for a click inside an iframe (the extension then asks every frame). */
export interface MenuClick { menuItemId?: string; srcUrl?: string; frameId?: number | null }

/**
 * Fires the real context-menu listener (chrome.contextMenus.onClicked.dispatch) for the page's tab, as a
 * right-click would, and waits until the tab's state in storage.session is final (done or error).
 */
export async function clickMenu(h: Harness, page: Page, click: MenuClick, timeoutMs = 120_000): Promise<TabState> {
  const tabId = await tabIdOf(h, page);
  return h.sw.evaluate(async ({ tabId, click, timeoutMs }) => {
    const key = `tab:${tabId}`;
    type S = { requestId: string; status: string } | undefined;
    const before = ((await chrome.storage.session.get(key))[key] as S)?.requestId;
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
    (chrome.contextMenus.onClicked as unknown as { dispatch(i: unknown, t: unknown): void }).dispatch(info, tab);
    const t0 = Date.now();
    while (Date.now() - t0 < timeoutMs) {
      const s = (await chrome.storage.session.get(key))[key] as S;
      if (s && s.requestId !== before && s.status !== 'loading') return s;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`no result for tab ${tabId} within ${timeoutMs} ms`);
  }, { tabId, click, timeoutMs }) as Promise<TabState>;
}

export async function openPopup(h: Harness, tabId: number): Promise<Page> {
  const popup = await h.context.newPage();
  await popup.goto(`chrome-extension://${h.extId}/src/popup/index.html?tab=${tabId}`);
  return popup;
}

export async function setSettings(h: Harness, settings: { modelId?: string; backend?: string }): Promise<void> {
  await h.sw.evaluate(async (s) => {
    const cur = (await chrome.storage.local.get('settings')).settings ?? { modelId: 'mobilenet-v1-0.75-224', backend: 'auto' };
    await chrome.storage.local.set({ settings: { ...cur, ...s } });
  }, settings);
}

/** A raw DevTools-protocol session on the offscreen document (Playwright does not expose it). */
export async function attachOffscreen(h: Harness) {
  const browser = h.context.browser();
  if (!browser) throw new Error('no browser handle');
  const cdp = await browser.newBrowserCDPSession();
  const find = async () => {
    const { targetInfos } = (await cdp.send('Target.getTargets')) as { targetInfos: { targetId: string; url: string }[] };
    return targetInfos.find((x) => x.url.endsWith('/src/offscreen/offscreen.html'));
  };
  let t = await find();
  for (let i = 0; !t && i < 100; i++) { await new Promise((r) => setTimeout(r, 100)); t = await find(); }
  if (!t) throw new Error('offscreen document not found');
  const { sessionId } = (await cdp.send('Target.attachToTarget', { targetId: t.targetId, flatten: false })) as { sessionId: string };
  let id = 0;
  const pending = new Map<number, (m: { result?: { result?: { value?: unknown }; exceptionDetails?: { text: string; exception?: { description?: string } } } }) => void>();
  cdp.on('Target.receivedMessageFromTarget', (ev: { sessionId: string; message: string }) => {
    if (ev.sessionId !== sessionId) return;
    const m = JSON.parse(ev.message);
    if (m.id && pending.has(m.id)) { pending.get(m.id)!(m); pending.delete(m.id); }
  });
  const send = (method: string, params: object = {}) => new Promise<Parameters<typeof pending.set>[1] extends (m: infer M) => void ? M : never>((res) => {
    const mid = ++id;
    pending.set(mid, res);
    void cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id: mid, method, params }) });
  });
  return {
    async evaluate<T = unknown>(expression: string): Promise<T> {
      const r = await send('Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true });
      if (r.result?.exceptionDetails) throw new Error(r.result.exceptionDetails.exception?.description ?? r.result.exceptionDetails.text);
      return r.result?.result?.value as T;
    },
    async detach() { await cdp.send('Target.detachFromTarget', { sessionId }).catch(() => undefined); await cdp.detach(); },
  };
}
