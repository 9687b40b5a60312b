// Per-tab state in storage.session (survives service-worker restarts, cleared when the browser closes),
// plus the action badge that mirrors it.
import browser from 'webextension-polyfill';
import { sourceKey, tabKey, type TabState } from './tab-state';
import type { ImageSource } from './messages';

export async function getTabState(tabId: number): Promise<TabState | null> {
  const key = tabKey(tabId);
  return ((await browser.storage.session.get(key))[key] as TabState | undefined) ?? null;
}

// All changes to a tab's state go through one queue per tab: a read-then-write (a progress tick) can otherwise
// interleave with a final write (the answer) and put a stale "loading" back over it.
const queues = new Map<number, Promise<unknown>>();

/** Reads the tab's state and writes what `change` returns (null: leave it), with no other change in between. */
export function updateTabState(tabId: number, change: (now: TabState | null) => TabState | null): Promise<void> {
  const run = (queues.get(tabId) ?? Promise.resolve()).then(async () => {
    const next = change(await getTabState(tabId));
    if (!next) return;
    await browser.storage.session.set({ [tabKey(tabId)]: next });
    await updateBadge(tabId, next);
  });
  const settled = run.catch(() => undefined);
  queues.set(tabId, settled);
  void settled.then(() => { if (queues.get(tabId) === settled) queues.delete(tabId); });
  return run;
}

export function setTabState(tabId: number, state: TabState): Promise<void> {
  return updateTabState(tabId, () => state);
}

// Sources are kept so the popup can re-run an image with another model; large data: captures are not kept
// (storage.session holds 10 MB in all), the user can right-click again.
const MAX_KEPT_SOURCE = 1_500_000;
export async function keepSource(tabId: number, source: ImageSource): Promise<void> {
  if (source.url.length <= MAX_KEPT_SOURCE) await browser.storage.session.set({ [sourceKey(tabId)]: source });
  else await browser.storage.session.remove(sourceKey(tabId));
}

export async function getSource(tabId: number): Promise<ImageSource | null> {
  const key = sourceKey(tabId);
  return ((await browser.storage.session.get(key))[key] as ImageSource | undefined) ?? null;
}

export async function forgetTab(tabId: number): Promise<void> {
  await browser.storage.session.remove([tabKey(tabId), sourceKey(tabId), historyKey(tabId)]);
}

/** The last results of a tab, oldest first (no thumbnails: the popup shows only the latest image). */
export interface HistoryEntry { requestId: string; status: 'done' | 'error'; top: { index: number; className: string; prob: number } | null; source: string; message?: string; at: number }
export const HISTORY_LIMIT = 50;
export const historyKey = (tabId: number): string => `history:${tabId}`;

// Many results can finish close together: appends are chained so none overwrites another.
let historyChain: Promise<void> = Promise.resolve();
export function appendHistory(tabId: number, entry: HistoryEntry): Promise<void> {
  historyChain = historyChain.then(async () => {
    const key = historyKey(tabId);
    const list = ((await browser.storage.session.get(key))[key] as HistoryEntry[] | undefined) ?? [];
    list.push(entry);
    await browser.storage.session.set({ [key]: list.slice(-HISTORY_LIMIT) });
  }).catch(() => undefined);
  return historyChain;
}

/**
 * On service-worker start nothing can be in flight in this instance, so a tab still "loading" lost its request
 * with the previous instance: say so, instead of spinning forever.
 */
export async function markOrphansInterrupted(): Promise<number> {
  const all = await browser.storage.session.get(null);
  let n = 0;
  for (const [key, value] of Object.entries(all)) {
    const s = value as TabState;
    if (!key.startsWith('tab:') || s?.status !== 'loading') continue;
    n++;
    await setTabState(Number(key.slice(4)), {
      status: 'error', requestId: s.requestId, at: Date.now(),
      error: { code: 'interrupted', message: 'NetLens was restarted by the browser while it was working on this image. Please try again.' },
    });
  }
  return n;
}

async function updateBadge(tabId: number, state: TabState): Promise<void> {
  const [text, color] =
    state.status === 'loading' ? ['…', '#6366f1']
      : state.status === 'error' ? ['!', '#dc2626']
        : [`${Math.round((state.result.predictions[0]?.prob ?? 0) * 100)}%`, '#4338ca'];
  try {
    await browser.action.setBadgeBackgroundColor({ tabId, color });
    await browser.action.setBadgeText({ tabId, text });
  } catch {
    /* the tab may be gone */
  }
}
