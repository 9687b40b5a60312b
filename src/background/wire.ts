// The background's wiring, shared by Chrome's service worker (src/background/index.ts) and Firefox's event page
// (src/event-page/index.ts): menus, routing, per-tab results. It keeps no state that an idle shutdown would lose
// (results and settings live in storage); the two differ only in where the model runs (the ModelHost).
import browser from 'webextension-polyfill';
import { ContentToBackgroundSchema, HostToBackgroundSchema, PopupToBackgroundSchema, type Handlers, type HostToBackground, type PopupToBackground, type Replies } from '../shared/messages';
import { fail, parse } from '../shared/protocol';
import { forgetTab, markOrphansInterrupted } from '../shared/tab-store';
import { classifyFromMenu, classifyPopupHandlers, forgetWarmUp, MENU_CLASSIFY, MENU_CLASSIFY_PAGE, onHostProgress, warmUpOnce } from '../features/classify/background';
import { cancelJobsWhenPopupsClose, explainPopupHandlers } from '../features/explain/background';
import { layersPopupHandlers } from '../features/layers/background';
import { addFromMenu, isTeachMenu, onTrainProgress, teachPopupHandlers } from '../features/teach/background';
import { lensPopupHandlers, lookInsideFromMenu, MENU_LOOK_INSIDE } from '../features/lens/background';
import { rebuildMenus } from '../features/menus';
import type { ModelHost } from '../shared/model-host';

/** A model host's progress report, handled here (Chrome: a message from the offscreen document; Firefox: a call). */
export function onHostEvent(msg: HostToBackground): void {
  if (msg.type === 'offscreen/progress') void onHostProgress(msg);
  if (msg.type === 'offscreen/train-progress') void onTrainProgress(msg);
}

/** `hostUrl`: the page whose offscreen/… messages are progress reports (none when the host is in-process). */
export function startBackground(host: ModelHost, hostUrl: string | null): void {
  void markOrphansInterrupted();

  browser.runtime.onInstalled.addListener((details) => {
    void rebuildMenus();
    // A first install (not an update) opens the welcome page.
    if (details.reason === 'install') void browser.tabs.create({ url: browser.runtime.getURL('src/welcome/index.html') });
  });
  browser.runtime.onStartup.addListener(() => { void rebuildMenus(); });

  browser.contextMenus.onClicked.addListener((info, tab) => {
    if (tab?.id === undefined || tab.id < 0) return;
    const id = String(info.menuItemId);
    if (id === MENU_CLASSIFY || id === MENU_CLASSIFY_PAGE) void classifyFromMenu(host, tab.id, info);
    else if (id === MENU_LOOK_INSIDE) void lookInsideFromMenu(host, tab.id, info);
    else if (isTeachMenu(id)) void addFromMenu(host, tab.id, info, rebuildMenus);
  });

  browser.tabs.onRemoved.addListener((tabId) => { void forgetTab(tabId); });
  cancelJobsWhenPopupsClose(host);

  const popupHandlers: Handlers<PopupToBackground> = {
    ...classifyPopupHandlers(host),
    ...explainPopupHandlers(host),
    ...layersPopupHandlers(host),
    ...teachPopupHandlers(host, rebuildMenus),
    ...lensPopupHandlers(host),
  };

  const extensionOrigin = new URL(browser.runtime.getURL('/')).origin;

  browser.runtime.onMessage.addListener((raw: unknown, sender: browser.Runtime.MessageSender): Promise<unknown> | undefined => {
    // Our content scripts, in web pages: they may only ask for the warm-up.
    if (sender.id === browser.runtime.id && sender.tab && !sender.url?.startsWith(extensionOrigin)) {
      if (parse(ContentToBackgroundSchema, raw)?.type === 'content/warm-up') void warmUpOnce(host);
      return undefined;
    }
    if (sender.id !== browser.runtime.id || !sender.url?.startsWith(extensionOrigin)) return undefined;
    const type = (raw as { type?: unknown })?.type;
    if (typeof type !== 'string') return undefined;
    if (type.startsWith('offscreen/')) {
      const msg = hostUrl !== null && sender.url === hostUrl ? parse(HostToBackgroundSchema, raw) : null;
      // Released, the next right-click warms a new host up again.
      if (msg?.type === 'offscreen/release') void host.release?.().then((gone) => (gone ? forgetWarmUp() : undefined)).catch(() => undefined);
      else if (msg) onHostEvent(msg);
      return undefined; // job progress is for the popup
    }
    if (type.startsWith('popup/')) {
      if (sender.tab && !sender.tab.url?.startsWith(extensionOrigin)) return Promise.resolve(fail('bad-request', 'sender not allowed'));
      const msg = parse(PopupToBackgroundSchema, raw);
      if (!msg) return Promise.resolve(fail('bad-request', 'malformed request'));
      return (popupHandlers[msg.type] as (m: PopupToBackground) => Promise<Replies[PopupToBackground['type']]>)(msg);
    }
    return undefined;
  });
}
