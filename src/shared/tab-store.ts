// Per-tab state in storage.session (survives service-worker restarts, cleared when the browser closes),
// plus the action badge that mirrors it.
import browser from 'webextension-polyfill';
import { historyItem, read, remove, resultIndexItem, resultItem, sourceItem, tabStateItem, write, type HistoryEntry } from './storage';
import type { ClassifyResult } from '../features/classify/contract';
import type { TabState } from '../features/classify/contract';
import type { ImageSource } from './protocol';

export const getTabState = (tabId: number): Promise<TabState | null> => read(tabStateItem(tabId));

// All changes to a tab's state go through one queue per tab: a read-then-write (a progress tick) can otherwise
// interleave with a final write (the answer) and put a stale "loading" back over it.
const queues = new Map<number, Promise<unknown>>();

/** Reads the tab's state and writes what `change` returns (null: leave it), with no other change in between. */
export function updateTabState(tabId: number, change: (now: TabState | null) => TabState | null): Promise<void> {
  const run = (queues.get(tabId) ?? Promise.resolve()).then(async () => {
    const next = change(await getTabState(tabId));
    if (!next) return;
    await write(tabStateItem(tabId), next);
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
  if (source.url.length <= MAX_KEPT_SOURCE) await write(sourceItem(tabId), source);
  else await remove(sourceItem(tabId));
}

export const getSource = (tabId: number): Promise<ImageSource | null> => read(sourceItem(tabId));

export async function forgetTab(tabId: number): Promise<void> {
  await remove(tabStateItem(tabId), sourceItem(tabId), historyItem(tabId));
}

const HISTORY_LIMIT = 50;

// Many results can finish close together: appends are chained so none overwrites another.
let historyChain: Promise<void> = Promise.resolve();
export function appendHistory(tabId: number, entry: HistoryEntry): Promise<void> {
  historyChain = historyChain.then(async () => {
    const list = await read(historyItem(tabId));
    list.push(entry);
    await write(historyItem(tabId), list.slice(-HISTORY_LIMIT));
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

/** Results kept by request id (storage.session holds 10 MB in all; a result with its thumbnail is ~20 kB). */
export const RESULTS_KEPT = 20;
let resultChain: Promise<void> = Promise.resolve();

/** Resolves once the result itself is written (its index is updated after, in order); never rejects. */
export function keepResult(tabId: number, result: ClassifyResult, source: ImageSource | null): Promise<void> {
  const kept = source && source.url.length <= MAX_KEPT_SOURCE ? source : null;
  const recorded = resultChain.then(() => write(resultItem(result.requestId), { result, source: kept, tabId }));
  resultChain = recorded.then(async () => {
    const ids = [...(await read(resultIndexItem)).filter((id) => id !== result.requestId), result.requestId];
    const drop = ids.slice(0, Math.max(0, ids.length - RESULTS_KEPT));
    if (drop.length) await remove(...drop.map(resultItem));
    await write(resultIndexItem, ids.slice(-RESULTS_KEPT));
  }).catch(() => undefined);
  return recorded.catch(() => undefined);
}

/** The finished result a popup message is about: a kept result by id (the Lens), else the tab's current one. */
export async function resultState(m: { tabId: number; requestId?: string | undefined }): Promise<{ state: Extract<TabState, { status: 'done' }> | null; source: ImageSource | null }> {
  if (m.requestId) {
    const r = await read(resultItem(m.requestId));
    return { state: r ? { status: 'done', requestId: m.requestId, result: r.result } : null, source: r?.source ?? null };
  }
  const state = await getTabState(m.tabId);
  return { state: state?.status === 'done' ? state : null, source: state?.status === 'done' ? await getSource(m.tabId) : null };
}
