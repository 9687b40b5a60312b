// Service-worker entry: context menus, routing, badge. Wiring only; it keeps no state that an idle shutdown
// would lose (results and settings live in chrome.storage).
import browser from 'webextension-polyfill';
import { assertContext } from '../shared/context';
import { HostToBackgroundSchema, PopupToBackgroundSchema, fail, parse, type Handlers, type PopupToBackground, type Replies } from '../shared/messages';
import { loadBackendChoice, loadSettings, saveBackendChoice } from '../shared/settings';
import { MENU_CLASSIFY, MENU_CLASSIFY_PAGE, classifyFromMenu, onHostProgress, reclassify } from '../features/classify/background';
import { OFFSCREEN_PATH, offscreenHost } from './offscreen-host';
import { MENU_ADD_NEW, MENU_ADD_PREFIX, addFromMenu, onTrainProgress, rebuildMenus, startTraining } from '../features/teach/background';
import { forgetTab, getSource, getTabState, markOrphansInterrupted } from '../shared/tab-store';

assertContext('service-worker');

const host = offscreenHost;
void markOrphansInterrupted();

browser.runtime.onInstalled.addListener(() => { void rebuildMenus(); });
browser.runtime.onStartup.addListener(() => { void rebuildMenus(); });

browser.contextMenus.onClicked.addListener((info, tab) => {
  if (tab?.id === undefined || tab.id < 0) return;
  const id = String(info.menuItemId);
  if (id === MENU_CLASSIFY || id === MENU_CLASSIFY_PAGE) void classifyFromMenu(host, tab.id, info);
  else if (id === MENU_ADD_NEW || id.startsWith(MENU_ADD_PREFIX)) void addFromMenu(host, tab.id, info);
});

browser.tabs.onRemoved.addListener((tabId) => { void forgetTab(tabId); });

const popupHandlers: Handlers<PopupToBackground, void> = {
  'popup/reclassify': async (m) => {
    const source = await getSource(m.tabId);
    if (!source) return fail('no-image', 'That image is no longer available to re-run; right-click it again.');
    void reclassify(host, m.tabId, source);
    return { ok: true };
  },
  'popup/explain': async (m) => {
    const state = await getTabState(m.tabId);
    if (state?.status !== 'done') return fail('no-result', 'Classify an image first: an explanation explains a result.');
    const [source, settings, remembered] = await Promise.all([getSource(m.tabId), loadSettings(), loadBackendChoice()]);
    jobsInFlight.add(m.jobId);
    try {
      return await host.explain({
        jobId: m.jobId, task: m.task, method: m.method, params: m.params, classTarget: m.classTarget,
        ...(m.sanityLayers === undefined ? {} : { sanityLayers: m.sanityLayers }),
        ...(m.head === undefined ? {} : { head: m.head }),
        image: { requestId: state.requestId, source }, modelId: state.result.modelId, backend: settings.backend, remembered,
      });
    } finally {
      jobsInFlight.delete(m.jobId);
    }
  },
  'popup/cancel': async (m) => host.cancel({ jobId: m.jobId }),
  'popup/train': async (m) => startTraining(host, m.hidden),
  'popup/classes-changed': async () => { await rebuildMenus(); return { ok: true }; },
  'popup/export': async () => {
    const settings = await loadSettings();
    const r = await host.exportClasses({ modelId: settings.modelId });
    return r.ok ? { ok: true, filename: `netlens-classes-${settings.modelId}-${new Date().toISOString().slice(0, 10)}.zip`, data: r.data } : r;
  },
  'popup/import': async (m) => {
    const settings = await loadSettings();
    const r = await host.importClasses({ modelId: settings.modelId, data: m.data });
    if (r.ok) await rebuildMenus();
    return r;
  },
  'popup/layers': async (m) => {
    const state = await getTabState(m.tabId);
    const [settings, remembered] = await Promise.all([loadSettings(), loadBackendChoice()]);
    const modelId = state?.status === 'done' ? state.result.modelId : settings.modelId;
    return host.layers({ modelId, backend: settings.backend, remembered });
  },
  'popup/activations': async (m) => {
    const state = await getTabState(m.tabId);
    if (state?.status !== 'done') return fail('no-result', 'Classify an image first: the layer views show what the network did with it.');
    const [source, settings, remembered] = await Promise.all([getSource(m.tabId), loadSettings(), loadBackendChoice()]);
    return host.activations({
      layers: m.layers, image: { requestId: state.requestId, source }, classIndex: state.result.predictions[0]?.index ?? 0,
      modelId: state.result.modelId, backend: settings.backend, remembered,
    });
  },
  'popup/feature-vis': async (m) => {
    const state = await getTabState(m.tabId);
    const [settings, remembered] = await Promise.all([loadSettings(), loadBackendChoice()]);
    const modelId = state?.status === 'done' ? state.result.modelId : settings.modelId;
    jobsInFlight.add(m.jobId);
    try {
      return await host.featureVis({ jobId: m.jobId, layer: m.layer, channel: m.channel, steps: m.steps, modelId, backend: settings.backend, remembered });
    } finally {
      jobsInFlight.delete(m.jobId);
    }
  },
  'popup/preload': async () => {
    const [settings, remembered] = await Promise.all([loadSettings(), loadBackendChoice()]);
    const r = await host.preload({ modelId: settings.modelId, backend: settings.backend, remembered });
    if (r.ok && r.choice) await saveBackendChoice(r.choice);
    return r.ok ? { ok: true, backend: r.backend } : r;
  },
};

// Closing the popup cancels its explanations: each popup holds a port open while it lives.
const jobsInFlight = new Set<string>();
let popupsOpen = 0;
browser.runtime.onConnect.addListener((port) => {
  if (port.name !== 'popup' || port.sender?.id !== browser.runtime.id) return;
  popupsOpen++;
  port.onDisconnect.addListener(() => {
    popupsOpen--;
    if (popupsOpen === 0) for (const jobId of jobsInFlight) void host.cancel({ jobId });
  });
});

const extensionOrigin = new URL(browser.runtime.getURL('/')).origin;
const offscreenUrl = browser.runtime.getURL(OFFSCREEN_PATH);

browser.runtime.onMessage.addListener((raw: unknown, sender: browser.Runtime.MessageSender): Promise<unknown> | undefined => {
  if (sender.id !== browser.runtime.id || !sender.url?.startsWith(extensionOrigin)) return undefined;
  const type = (raw as { type?: unknown })?.type;
  if (typeof type !== 'string') return undefined;
  if (type.startsWith('offscreen/')) {
    const msg = sender.url === offscreenUrl ? parse(HostToBackgroundSchema, raw) : null;
    if (msg?.type === 'offscreen/progress') void onHostProgress(msg);
    if (msg?.type === 'offscreen/train-progress') void onTrainProgress(msg);
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
