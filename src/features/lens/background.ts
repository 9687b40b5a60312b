// The Lens in the service worker: the "Look inside with NetLens" menu item (classify, and open the Lens on
// that result at once), opening it from the popup, and routing its stage requests to the model host.
import browser from 'webextension-polyfill';
import { fail } from '../../shared/protocol';
import type { Handlers, PopupToBackground } from '../../shared/messages';
import { modelFields, type ModelHost } from '../../shared/model-host';
import { read, resultItem } from '../../shared/storage';
import { classifyFromMenu, type MenuClick } from '../classify/background';
import { lensPath } from './contract';

export const MENU_LOOK_INSIDE = 'netlens-look-inside';

export function lensMenus(): void {
  browser.contextMenus.create({ id: MENU_LOOK_INSIDE, title: 'Look inside with NetLens', contexts: ['image'] });
}

export async function openLens(requestId: string, tabId?: number, extra: { view?: string; classIndex?: number } = {}): Promise<void> {
  await browser.tabs.create({ url: browser.runtime.getURL(lensPath(requestId, tabId, extra)) });
}

/** Right-click → classify the image and show the Lens for it (it follows the classification as it runs). */
export async function lookInsideFromMenu(host: ModelHost, tabId: number, click: MenuClick): Promise<void> {
  const requestId = crypto.randomUUID();
  const classifying = classifyFromMenu(host, tabId, click, requestId, false);
  await openLens(requestId, tabId);
  await classifying;
}

export function lensPopupHandlers(host: ModelHost): Handlers<Extract<PopupToBackground, { type: 'popup/lens' | 'popup/open-lens' }>> {
  return {
    'popup/lens': async (m) => {
      const record = await read(resultItem(m.requestId));
      if (!record) return fail('no-result', 'NetLens no longer keeps this result (it keeps the last 20 in this browser session). Right-click the image again.');
      return host.request('bg/lens', { image: { requestId: m.requestId, source: record.source }, query: m.query, ...(await modelFields(record.result.modelId)) });
    },
    'popup/open-lens': async (m) => {
      if (!(await read(resultItem(m.requestId)))) return fail('no-result', 'This result is no longer kept; right-click the image again.');
      await openLens(m.requestId, m.tabId, { ...(m.view ? { view: m.view } : {}), ...(m.classIndex === undefined ? {} : { classIndex: m.classIndex }) });
      return { ok: true };
    },
  };
}
