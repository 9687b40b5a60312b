// Explanations in the service worker: route the popup's request to the model host with the tab's result, and
// cancel a popup's jobs when it closes (each popup holds a port open while it lives).
import browser from 'webextension-polyfill';
import { fail } from '../../shared/protocol';
import type { Handlers, PopupToBackground } from '../../shared/messages';
import { modelFields, type ModelHost } from '../../shared/model-host';
import { resultState } from '../../shared/tab-store';

const jobsInFlight = new Set<string>();

/** Runs a popup's cancellable job so that closing the popup cancels it. */
export async function trackJob<T>(jobId: string, run: () => Promise<T>): Promise<T> {
  jobsInFlight.add(jobId);
  try { return await run(); } finally { jobsInFlight.delete(jobId); }
}

export function cancelJobsWhenPopupsClose(host: ModelHost): void {
  let popupsOpen = 0;
  browser.runtime.onConnect.addListener((port) => {
    if (port.name !== 'popup' || port.sender?.id !== browser.runtime.id) return;
    popupsOpen++;
    port.onDisconnect.addListener(() => {
      popupsOpen--;
      if (popupsOpen === 0) for (const jobId of jobsInFlight) void host.request('bg/cancel', { jobId });
    });
  });
}

export function explainPopupHandlers(host: ModelHost): Handlers<Extract<PopupToBackground, { type: 'popup/explain' | 'popup/cancel' }>> {
  return {
    'popup/explain': async (m) => {
      const { state, source } = await resultState(m);
      if (!state) return fail('no-result', 'Classify an image first: an explanation explains a result.');
      const fields = await modelFields(state.result.modelId);
      const { type: _type, tabId: _tab, requestId: _id, ...job } = m;
      return trackJob(m.jobId, () => host.request('bg/explain', { ...job, image: { requestId: state.requestId, source }, ...fields }));
    },
    'popup/cancel': (m) => host.request('bg/cancel', { jobId: m.jobId }),
  };
}
