// Every value NetLens keeps in extension storage, as a typed item: its area, key, schema and default. Reads
// are checked: a value from an older version goes through the item's migration first, and a damaged or
// foreign value gives the default plus a logged warning, never a crash.
import * as v from 'valibot';
import browser from 'webextension-polyfill';
import { ClassifyResultSchema, TabStateSchema, type ClassifyResult, type TabState } from '../features/classify/contract';
import { TeachStatusSchema, TrainingStateSchema, type TeachStatus, type TrainingState } from '../features/teach/contract';
import { BackendChoiceSchema, ImageSourceSchema, Num, PHASES, type BackendChoice, type ImageSource } from './protocol';

interface Item<T> {
  readonly area: 'local' | 'session';
  readonly key: string;
  readonly schema: v.GenericSchema<unknown, T>;
  readonly fallback: () => T;
  /** turns a value an older version stored into today's shape (or repairs it field by field) */
  readonly migrate?: (raw: unknown) => unknown;
}

export function item<T>(area: Item<T>['area'], key: string, schema: v.GenericSchema<unknown, T>, fallback: () => T, migrate?: (raw: unknown) => unknown): Item<T> {
  return { area, key, schema, fallback, ...(migrate ? { migrate } : {}) };
}

/** A stored value as the item's type: absent → default; unreadable → default and a warning. */
export function decode<T>(it: Item<T>, raw: unknown): T {
  if (raw === undefined) return it.fallback();
  const r = v.safeParse(it.schema, it.migrate ? it.migrate(raw) : raw);
  if (r.success) return r.output;
  console.warn(`NetLens: storage.${it.area} "${it.key}" held a value this version cannot read; using the default.`, r.issues[0]?.message);
  return it.fallback();
}

export async function read<T>(it: Item<T>): Promise<T> {
  return decode(it, (await browser.storage[it.area].get(it.key))[it.key]);
}

type Values<T extends readonly Item<unknown>[]> = { [K in keyof T]: T[K] extends Item<infer V> ? V : never };

/** Several items in one storage call per area: each call is a round trip to the browser process. */
export async function readAll<const T extends readonly Item<unknown>[]>(...items: T): Promise<Values<T>> {
  const areas = [...new Set(items.map((i) => i.area))];
  const got = await Promise.all(areas.map((a) => browser.storage[a].get(items.filter((i) => i.area === a).map((i) => i.key))));
  return items.map((it) => decode(it, got[areas.indexOf(it.area)]![it.key])) as Values<T>;
}

export async function write<T>(it: Item<T>, value: T): Promise<void> {
  await browser.storage[it.area].set({ [it.key]: value });
}

export async function remove(...items: Item<unknown>[]): Promise<void> {
  for (const area of ['local', 'session'] as const) {
    const keys = items.filter((i) => i.area === area).map((i) => i.key);
    if (keys.length) await browser.storage[area].remove(keys);
  }
}

/** Calls back with the decoded value whenever the item changes. Returns an unsubscribe. */
export function watch<T>(it: Item<T>, cb: (value: T) => void): () => void {
  const listener = (changes: Record<string, browser.Storage.StorageChange>, area: string) => {
    if (area === it.area && it.key in changes) cb(decode(it, changes[it.key]!.newValue));
  };
  browser.storage.onChanged.addListener(listener);
  return () => browser.storage.onChanged.removeListener(listener);
}

// ---- storage.local: kept across restarts and upgrades

/** The auto backend choice, measured once per browser build. */
export const backendChoiceItem = item<BackendChoice | null>('local', 'backendChoice', v.nullable(BackendChoiceSchema), () => null);
/** Layer toggles per model id (the catalog's defaults until the user changes them). */
export const layerTogglesItem = item<Record<string, string[]>>('local', 'layerToggles', v.record(v.string(), v.pipe(v.array(v.string()), v.maxLength(300))), () => ({}));

// ---- storage.session: per browser session (survives service-worker restarts)

export const tabStateItem = (tabId: number) => item<TabState | null>('session', `tab:${tabId}`, v.nullable(TabStateSchema), () => null);
export const sourceItem = (tabId: number) => item<ImageSource | null>('session', `source:${tabId}`, v.nullable(ImageSourceSchema), () => null);

const HistoryEntrySchema = v.object({
  requestId: v.string(), status: v.picklist(['done', 'error']),
  top: v.nullable(v.object({ index: Num, className: v.string(), prob: Num })), source: v.string(), message: v.optional(v.string()), at: Num,
});
/** The last results of a tab, oldest first (no thumbnails: the popup shows only the latest image). */
export type HistoryEntry = v.InferOutput<typeof HistoryEntrySchema>;
export const historyItem = (tabId: number) => item<HistoryEntry[]>('session', `history:${tabId}`, v.array(HistoryEntrySchema), () => []);

const HostStatusSchema = v.object({ phase: v.picklist(PHASES), progress: v.nullable(Num), message: v.string(), at: Num });
/** Model-loading progress while nothing is being classified yet (preloading). */
export type HostStatus = v.InferOutput<typeof HostStatusSchema>;
export const hostStatusItem = item<HostStatus | null>('session', 'hostStatus', v.nullable(HostStatusSchema), () => null);
export const trainingItem = item<TrainingState | null>('session', 'training', v.nullable(TrainingStateSchema), () => null);
export const teachStatusItem = item<TeachStatus | null>('session', 'teachStatus', v.nullable(TeachStatusSchema), () => null);

/** A finished result by its request id, so a page about it (the Lens) can be reloaded; the last RESULTS_KEPT stay. */
const ResultRecordSchema = v.object({ result: ClassifyResultSchema, source: v.nullable(ImageSourceSchema), tabId: v.number() });
export type ResultRecord = { result: ClassifyResult; source: ImageSource | null; tabId: number };
export const resultItem = (requestId: string) => item<ResultRecord | null>('session', `result:${requestId}`, v.nullable(ResultRecordSchema), () => null);
export const resultIndexItem = item<string[]>('session', 'results', v.array(v.string()), () => []);
