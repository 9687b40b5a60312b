// The right-click → result flow, run in the service worker. It holds no state of its own between events:
// everything the popup needs is written to storage.session as it happens.
import browser from 'webextension-polyfill';
import { fail, type ImageSource, type NetLensError } from '../../shared/protocol';
import type { BackgroundToContent, Handlers, HostToBackground, PopupToBackground, Replies } from '../../shared/messages';
import { saveBackendChoice, settingsItem } from '../../shared/settings';
import * as v from 'valibot';
import { backendChoiceItem, hostStatusItem, item, layerTogglesItem, read, readAll, write } from '../../shared/storage';
import { findModel } from '../../shared/catalog';
import { fieldsOf, modelFields, type ModelHost } from '../../shared/model-host';
import { hasSiteAccess, NO_SITE_ACCESS } from '../../shared/site-access';
import { appendHistory, getSource, keepResult, keepSource, setTabState, updateTabState } from '../../shared/tab-store';

export const MENU_CLASSIFY = 'netlens-classify';
export const MENU_CLASSIFY_PAGE = 'netlens-classify-page';

export interface MenuClick { menuItemId: string | number; srcUrl?: string; frameId?: number; pageUrl?: string }

// requestId → tabId, for routing progress; losing it on a restart only loses progress ticks, not results.
const inflight = new Map<string, number>();
let lastHostStatus = '';

const CONTENT_TIMEOUT_MS = 3000;

export { resolveSource as resolveSourceFor };

async function resolveSource(tabId: number, click: MenuClick): Promise<Replies['bg/resolve-target']> {
  const anyFrame = click.frameId === undefined;
  const ask: BackgroundToContent = { type: 'bg/resolve-target', target: 'content', srcUrl: click.srcUrl ?? null, anyFrame };
  try {
    const reply = (await Promise.race([
      anyFrame ? browser.tabs.sendMessage(tabId, ask) : browser.tabs.sendMessage(tabId, ask, { frameId: click.frameId }),
      new Promise((_, reject) => setTimeout(() => reject(new Error('content script timeout')), CONTENT_TIMEOUT_MS)),
    ])) as Replies['bg/resolve-target'] | undefined;
    if (reply) return reply;
  } catch {
    // No content script here (browser pages, the Web Store, a frame that is gone): use what the menu told us.
  }
  const src = click.srcUrl;
  if (src && /^(https?:|data:)/i.test(src)) return { ok: true, source: { url: src, kind: 'menu' } };
  // Content scripts do not run in the extension's own pages (the welcome page): its photos come by their URL.
  if (src && src.startsWith(browser.runtime.getURL(''))) return { ok: true, source: { url: src, kind: 'menu' } };
  // Without site access no content script is in the page to find the picture: say why.
  if (!(await hasSiteAccess())) return fail('no-permission', NO_SITE_ACCESS);
  if (src?.startsWith('blob:')) return fail('no-image', 'This image is a blob: URL that only the page can read, and NetLens cannot reach into this page. Try saving the image first.');
  return fail('no-image', 'NetLens found no image where you right-clicked. Right-click a picture (a photo, a canvas or a CSS background) and choose “Classify with NetLens”.');
}

/**
 * A failed download of a page's picture, when NetLens may not read websites, is that missing permission (the
 * browser refuses the request); said so, with what to do. Other errors are as they were.
 */
export async function withSiteAccessHint(error: NetLensError): Promise<NetLensError> {
  return error.code === 'fetch-failed' && !(await hasSiteAccess()) ? { code: 'no-permission', message: NO_SITE_ACCESS } : error;
}

async function setErrorIfCurrent(tabId: number, requestId: string, error: NetLensError) {
  await appendHistory(tabId, { requestId, status: 'error', top: null, source: '', message: error.message, at: Date.now() });
  await updateTabState(tabId, (now) => (now && now.requestId !== requestId && now.status !== 'loading' ? null : { status: 'error', requestId, error, at: Date.now() }));
}

/** Right-click → classify; `requestId` names the result (the Lens opens on it before it exists). */
export async function classifyFromMenu(host: ModelHost, tabId: number, click: MenuClick, requestId: string = crypto.randomUUID(), openPopup = true): Promise<void> {
  inflight.set(requestId, tabId);
  try {
    // Not awaited: the tab's states are written in order (one queue per tab), so this one always lands before
    // the answer, and the image is looked for meanwhile.
    void setTabState(tabId, { status: 'loading', requestId, phase: 'capture', progress: null, message: 'Finding the image…', queueDepth: 0, startedAt: Date.now() }).catch(() => undefined);
    // Show the popup at once so the user sees progress; Chrome may refuse (no focused window): that is fine.
    if (openPopup) chrome.action.openPopup?.().catch(() => undefined);
    // While the page is asked what was clicked (a busy page can hold that answer up), the settings are read and
    // the picture the menu names starts downloading; the host uses the download if the page names it too.
    const context = requestContext();
    context.catch(() => undefined);
    const menuUrl = click.srcUrl;
    if (menuUrl && /^https?:/i.test(menuUrl)) host.request('bg/prefetch', { url: menuUrl }).catch(() => undefined);
    const found = await resolveSource(tabId, click);
    if (!found.ok) return await setErrorIfCurrent(tabId, requestId, found.error);
    await runClassification(host, tabId, requestId, found.source, context);
  } finally {
    inflight.delete(requestId);
  }
}

/** Everything a classify request carries besides its image, in one storage read. */
async function requestContext() {
  const [settings, choice, toggles] = await readAll(settingsItem, backendChoiceItem, layerTogglesItem);
  const fields = fieldsOf(settings, choice);
  // the layers the user toggled on for this model (the catalog's defaults until they change them)
  const layers = toggles[fields.modelId] ?? findModel(fields.modelId)?.layers.show ?? [];
  return { ...fields, layers, mode: settings.mode, seenCap: settings.seenCap };
}

async function runClassification(host: ModelHost, tabId: number, requestId: string, source: ImageSource, context = requestContext()): Promise<void> {
  inflight.set(requestId, tabId);
  // Only what the request needs is awaited before it goes; the bookkeeping runs beside it.
  const kept = keepSource(tabId, source).catch(() => undefined);
  const reply = await host.request('bg/classify', { requestId, source, ...(await context) });
  if (!reply.ok) return setErrorIfCurrent(tabId, requestId, await withSiteAccessHint(reply.error));
  const top = reply.result.predictions[0];
  // The kept result, then the answer the popup shows (it links to the result by id: the Lens opens it), then
  // the history and the backend choice. Requests are served in order, so a later request's state is never
  // overwritten by an earlier one's result, except when the user clicked again meanwhile: then the newer
  // request owns the tab.
  await keepResult(tabId, reply.result, source);
  await updateTabState(tabId, (now) => (now && now.requestId !== requestId && now.status === 'loading' ? null : { status: 'done', requestId, result: reply.result }));
  await Promise.all([
    kept,
    appendHistory(tabId, { requestId, status: 'done', top: top ? { index: top.index, className: top.className, prob: top.prob } : null, source: reply.result.source.url, at: reply.result.at }),
    reply.choice ? saveBackendChoice(reply.choice) : undefined,
  ]);
}

export async function reclassify(host: ModelHost, tabId: number, source: ImageSource): Promise<void> {
  const requestId = crypto.randomUUID();
  try {
    await setTabState(tabId, { status: 'loading', requestId, phase: 'queued', progress: null, message: 'Classifying again…', queueDepth: 0, startedAt: Date.now() });
    await runClassification(host, tabId, requestId, source);
  } finally {
    inflight.delete(requestId);
  }
}

export async function onHostProgress(p: Extract<HostToBackground, { type: 'offscreen/progress' }>): Promise<void> {
  if (p.requestId === null) {
    // Preloading (no tab yet): one global status, throttled to whole percents.
    const key = `${p.phase}:${p.progress === null ? '' : Math.round(p.progress * 100)}`;
    if (key === lastHostStatus) return;
    lastHostStatus = key;
    await write(hostStatusItem, { phase: p.phase, progress: p.progress, message: p.message, at: Date.now() });
    return;
  }
  const tabId = inflight.get(p.requestId);
  if (tabId === undefined) return;
  await updateTabState(tabId, (now) => {
    // Only a request's own loading state takes its progress: never a final answer, never another request.
    if (!now || now.status !== 'loading' || now.requestId !== p.requestId) return null;
    if (now.phase === p.phase && p.progress !== null && now.progress !== null && p.progress - now.progress < 0.04 && p.progress < 1) return null;
    return { ...now, phase: p.phase, progress: p.progress, message: p.message, queueDepth: p.queueDepth };
  });
}

/** Starts the model host with the user's model and backend, and remembers the backend it measured. */
async function preload(host: ModelHost): Promise<Replies['bg/preload']> {
  const r = await host.request('bg/preload', await modelFields());
  if (r.ok && r.choice) await saveBackendChoice(r.choice);
  return r;
}

const warmedItem = item<number | null>('session', 'warmedAt', v.nullable(v.number()), () => null);
let warming: Promise<void> | null = null;

/**
 * A right-click anywhere (the content script saw `contextmenu`): start the model host, load the model and run it
 * once while the user is still choosing in the menu, so the click finds it warm. Once per browser session
 * (storage.session outlives service-worker restarts, not the browser); a failure here is the click's to report.
 */
export function warmUpOnce(host: ModelHost): Promise<void> {
  warming ??= (async () => {
    if (await read(warmedItem)) return;
    await write(warmedItem, Date.now());
    await preload(host);
  })().catch(() => undefined);
  return warming;
}

/** The host was closed: the next right-click warms a new one up. */
export async function forgetWarmUp(): Promise<void> {
  warming = null;
  await write(warmedItem, null);
}

/** Classification's menu items (the menus are rebuilt as a whole: see src/features/menus.ts). */
export function classifyMenus(): void {
  browser.contextMenus.create({ id: MENU_CLASSIFY, title: 'Classify with NetLens', contexts: ['image'] });
  // Canvases and CSS backgrounds are not "images" to the browser's menu: this page-level item lets the
  // content script find the picture under the pointer, and says so plainly when there is none.
  browser.contextMenus.create({ id: MENU_CLASSIFY_PAGE, title: 'Classify the picture here with NetLens', contexts: ['page', 'frame', 'link'] });
}

export function classifyPopupHandlers(host: ModelHost): Handlers<Extract<PopupToBackground, { type: 'popup/reclassify' | 'popup/preload' }>> {
  return {
    'popup/reclassify': async (m) => {
      const source = await getSource(m.tabId);
      if (!source) return fail('no-image', 'That image is no longer available to re-run; right-click it again.');
      void reclassify(host, m.tabId, source);
      return { ok: true };
    },
    'popup/preload': async () => {
      const r = await preload(host);
      return r.ok ? { ok: true, backend: r.backend } : r;
    },
  };
}
