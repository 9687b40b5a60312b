// The popup's one door to the rest of the extension. The view model only sees this interface, so popup
// tests can hand it a mock.
import browser from 'webextension-polyfill';
import { findModel } from '../shared/catalog';
import * as db from '../shared/db';
import { clearSeen, seenCount, topSeen, type HeadInfo, type UserClass } from '../shared/db';
import type { BackendChoice, HostToBackground, PopupToBackground, Replies } from '../shared/messages';
import type { TeachStatus, TrainingState } from '../features/teach/background';
import { DEFAULT_EXPLAIN, loadBackendChoice, loadSettings, sanitizeExplainSettings, saveSettings, type ExplainSettings, type Settings } from '../shared/settings';
import { METHOD_INFO } from '../features/explain/catalog';
import { tabKey, type TabState } from '../shared/tab-state';

export interface HostStatus { phase: string; progress: number | null; message: string; at: number }
export type { HeadInfo, TeachStatus, TrainingState, UserClass };
/** One of the user's classes with how many examples it has. */
export type ClassSummary = UserClass & { count: number };
/** An example as the popup needs it: no embeddings (they stay in IndexedDB). */
export interface ExampleThumb { id: string; classId: string; thumbnail: string; url: string; at: number }

export interface PopupConnector {
  /** The tab this popup is about: `?tab=<id>` when opened as a page, else the active tab. */
  tabId(): Promise<number | null>;
  tabState(tabId: number): Promise<TabState | null>;
  hostStatus(): Promise<HostStatus | null>;
  settings(): Promise<Settings>;
  backendChoice(): Promise<BackendChoice | null>;
  saveSettings(patch: Partial<Settings>): Promise<Settings>;
  reclassify(tabId: number): Promise<Replies['popup/reclassify']>;
  preload(): Promise<Replies['popup/preload']>;
  explain(req: Omit<Extract<PopupToBackground, { type: 'popup/explain' }>, 'type'>): Promise<Replies['popup/explain']>;
  cancel(jobId: string): Promise<void>;
  /** Calls back with explanation progress for any job. Returns an unsubscribe. */
  onJobProgress(cb: (p: { jobId: string; progress: number; message: string }) => void): () => void;
  labels(modelId: string): Promise<string[]>;
  layers(tabId: number): Promise<Replies['popup/layers']>;
  activations(tabId: number, layers: string[]): Promise<Replies['popup/activations']>;
  featureVis(req: Omit<Extract<PopupToBackground, { type: 'popup/feature-vis' }>, 'type'>): Promise<Replies['popup/feature-vis']>;
  /** Images classified before that excite a channel most (kept in IndexedDB with their channel means). */
  topImages(modelId: string, layer: string, channel: number, n: number): Promise<{ id: string; url: string; thumbnail: string; value: number; at: number }[]>;
  seenCount(): Promise<number>;
  clearSeen(): Promise<void>;
  /** Everything taught on the current model as one zip (base64), and its file name. */
  exportClasses(): Promise<Replies['popup/export']>;
  /** Replaces the taught classes with a file's (checked fully first; nothing changes on error). */
  importClasses(base64: string): Promise<Replies['popup/import']>;
  /** Layer toggles, per model (persisted). */
  layerToggles(modelId: string): Promise<string[] | null>;
  saveLayerToggles(modelId: string, layers: string[]): Promise<void>;
  explainSettings(): Promise<ExplainSettings>;
  saveExplainSettings(s: ExplainSettings): Promise<void>;
  // ---- teaching: the user's classes live in IndexedDB on the extension origin, which the popup shares.
  classes(): Promise<ClassSummary[]>;
  /** Examples of one class, or of all classes. */
  examples(classId?: string): Promise<ExampleThumb[]>;
  /** Creates a class (or returns the existing one of that name, any case). */
  createClass(name: string): Promise<UserClass>;
  renameClass(id: string, name: string): Promise<void>;
  deleteClass(id: string): Promise<void>;
  deleteExample(id: string): Promise<void>;
  /** What the trained head of a backbone was trained on (null if never trained). */
  head(modelId: string): Promise<HeadInfo | null>;
  /** Tells the background the classes changed (it rebuilds the "Add to NetLens class" menus). */
  classesChanged(): Promise<void>;
  /** Starts training the head (progress then arrives through watchTraining). */
  train(hidden: number): Promise<Replies['popup/train']>;
  trainingState(): Promise<TrainingState | null>;
  /** Calls back whenever the training state changes. Returns an unsubscribe. */
  watchTraining(cb: (s: TrainingState | null) => void): () => void;
  /** The last "added to class" (or failed) status from the context menu. */
  teachStatus(): Promise<TeachStatus | null>;
  watchTeachStatus(cb: (s: TeachStatus | null) => void): () => void;
  /** Opens the port whose closing tells the background this popup is gone (its jobs are cancelled). */
  connect(): () => void;
  /** Calls back whenever the tab's state or the model host's status changes. Returns an unsubscribe. */
  watch(tabId: number | null, on: { tab(s: TabState | null): void; host(s: HostStatus | null): void }): () => void;
}

function send<M extends PopupToBackground>(msg: M): Promise<Replies[M['type']]> {
  return browser.runtime.sendMessage(msg) as Promise<Replies[M['type']]>;
}

function watchSession<T>(key: string, cb: (v: T | null) => void): () => void {
  const listener = (changes: Record<string, browser.Storage.StorageChange>, area: string) => {
    if (area === 'session' && key in changes) cb((changes[key]!.newValue as T | undefined) ?? null);
  };
  browser.storage.onChanged.addListener(listener);
  return () => browser.storage.onChanged.removeListener(listener);
}

export const extensionConnector: PopupConnector = {
  async tabId() {
    const q = new URLSearchParams(location.search).get('tab');
    if (q !== null && /^\d+$/.test(q)) return Number(q);
    const [tab] = await browser.tabs.query({ active: true, currentWindow: true });
    return tab?.id ?? null;
  },
  async tabState(tabId) {
    const k = tabKey(tabId);
    return ((await browser.storage.session.get(k))[k] as TabState | undefined) ?? null;
  },
  async hostStatus() {
    return ((await browser.storage.session.get('hostStatus')).hostStatus as HostStatus | undefined) ?? null;
  },
  settings: loadSettings,
  backendChoice: loadBackendChoice,
  saveSettings,
  reclassify: (tabId) => send({ type: 'popup/reclassify', tabId }),
  explain: (req) => send({ type: 'popup/explain', ...req }),
  layers: (tabId) => send({ type: 'popup/layers', tabId }),
  activations: (tabId, layers) => send({ type: 'popup/activations', tabId, layers }),
  featureVis: (req) => send({ type: 'popup/feature-vis', ...req }),
  topImages: (modelId, layer, channel, n) => topSeen(modelId, layer, channel, n),
  seenCount: () => seenCount(),
  clearSeen: () => clearSeen(),
  exportClasses: () => send({ type: 'popup/export' }),
  importClasses: (data) => send({ type: 'popup/import', data }),
  async layerToggles(modelId) {
    const { layerToggles } = await browser.storage.local.get('layerToggles');
    const list = (layerToggles as Record<string, unknown> | undefined)?.[modelId];
    return Array.isArray(list) && list.every((x) => typeof x === 'string') ? (list as string[]) : null;
  },
  async saveLayerToggles(modelId, layers) {
    const { layerToggles } = await browser.storage.local.get('layerToggles');
    await browser.storage.local.set({ layerToggles: { ...((layerToggles as object | undefined) ?? {}), [modelId]: layers } });
  },
  async cancel(jobId) { await send({ type: 'popup/cancel', jobId }).catch(() => undefined); },
  onJobProgress(cb) {
    const listener = (raw: unknown, sender: browser.Runtime.MessageSender) => {
      const m = raw as HostToBackground;
      if (sender.id === browser.runtime.id && m?.type === 'offscreen/job-progress') cb({ jobId: m.jobId, progress: m.progress, message: m.message });
      return undefined;
    };
    browser.runtime.onMessage.addListener(listener);
    return () => browser.runtime.onMessage.removeListener(listener);
  },
  async labels(modelId) {
    const file = findModel(modelId)?.labels?.file;
    if (!file) return [];
    return (await (await fetch(browser.runtime.getURL(`models/${file}`))).json()) as string[];
  },
  async explainSettings() {
    const { explain } = await browser.storage.local.get('explain');
    return explain ? sanitizeExplainSettings(explain, (id) => METHOD_INFO.has(id)) : { ...DEFAULT_EXPLAIN };
  },
  async saveExplainSettings(s) { await browser.storage.local.set({ explain: s }); },
  preload: () => send({ type: 'popup/preload' }),
  classes: () => db.listClasses(),
  async examples(classId) {
    return (await db.listExamples(classId)).map(({ id, classId: cid, thumbnail, url, at }) => ({ id, classId: cid, thumbnail, url, at }));
  },
  createClass: (name) => db.createClass(name),
  renameClass: (id, name) => db.renameClass(id, name),
  deleteClass: (id) => db.deleteClass(id),
  deleteExample: (id) => db.deleteExample(id),
  async head(modelId) { return (await db.getHead(modelId)) ?? null; },
  async classesChanged() { await send({ type: 'popup/classes-changed' }).catch(() => undefined); },
  train: (hidden) => send({ type: 'popup/train', hidden }),
  async trainingState() {
    return ((await browser.storage.session.get('training')).training as TrainingState | undefined) ?? null;
  },
  watchTraining: (cb) => watchSession('training', cb),
  async teachStatus() {
    return ((await browser.storage.session.get('teachStatus')).teachStatus as TeachStatus | undefined) ?? null;
  },
  watchTeachStatus: (cb) => watchSession('teachStatus', cb),
  connect() {
    const port = browser.runtime.connect({ name: 'popup' });
    return () => port.disconnect();
  },
  watch(tabId, on) {
    const listener = (changes: Record<string, browser.Storage.StorageChange>, area: string) => {
      if (area !== 'session') return;
      if (tabId !== null && tabKey(tabId) in changes) on.tab((changes[tabKey(tabId)]!.newValue as TabState | undefined) ?? null);
      if ('hostStatus' in changes) on.host((changes.hostStatus!.newValue as HostStatus | undefined) ?? null);
    };
    browser.storage.onChanged.addListener(listener);
    return () => browser.storage.onChanged.removeListener(listener);
  },
};
