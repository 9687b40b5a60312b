// The popup's one door to the rest of the extension. The view model only sees this interface, so popup
// tests can hand it a mock.
import browser from 'webextension-polyfill';
import { findModel } from '../shared/catalog';
import * as db from '../shared/db';
import { clearSeen, seenCount, topSeen, type HeadInfo, type UserClass } from '../shared/db';
import { checkReply, type HostToBackground, type PopupToBackground, type Replies } from '../shared/messages';
import { fail, type BackendChoice } from '../shared/protocol';
import { explainSettingsItem, loadBackendChoice, loadSettings, saveSettings, type ExplainSettings, type Settings } from '../shared/settings';
import { hostStatusItem, layerTogglesItem, read, resultItem, tabStateItem, teachStatusItem, trainingItem, watch, write, type HostStatus, type ResultRecord } from '../shared/storage';
import type { LensQuery } from '../features/lens/contract';
import type { TabState } from '../features/classify/contract';
import type { TeachStatus, TrainingState } from '../features/teach/contract';

export type { HeadInfo, HostStatus, TeachStatus, TrainingState, UserClass };
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
  /** The layers' activations: their first page of channel maps, or `channels` of them; the input's floats if asked. */
  activations(tabId: number, layers: string[], opts?: { channels?: number[]; floats?: boolean }): Promise<Replies['popup/activations']>;
  featureVis(req: Omit<Extract<PopupToBackground, { type: 'popup/feature-vis' }>, 'type'>): Promise<Replies['popup/feature-vis']>;
  /** What the network thinks a class looks like (one seed; cached in the model host). */
  classVis(req: Omit<Extract<PopupToBackground, { type: 'popup/class-vis' }>, 'type'>): Promise<Replies['popup/class-vis']>;
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
  train(hidden: number, learningRate?: number): Promise<Replies['popup/train']>;
  /** A learning-rate range test on the taught examples (a job: progress, cancel). */
  lrFind(jobId: string, hidden: number): Promise<Replies['popup/lr-find']>;
  /** The pixels-only linear model: train it, or apply it to the tab's current image. */
  pixelLinear(jobId: string, task: 'train' | 'apply', tabId?: number): Promise<Replies['popup/pixel-linear']>;
  /** Stops the running training (it then reports as cancelled; the previous head stays). */
  cancelTraining(): Promise<Replies['popup/cancel-training']>;
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
  /** One Lens request about a kept result: its track, or one stage's numbers. */
  lens(requestId: string, query: LensQuery): Promise<Replies['popup/lens']>;
  /** Opens the Lens on a result in a new tab. */
  openLens(tabId: number, requestId: string, at?: { view?: 'steps' | 'looks'; classIndex?: number }): Promise<Replies['popup/open-lens']>;
}

/** Sends a message and checks the reply against its schema: a malformed reply becomes a plain error. */
async function send<M extends PopupToBackground>(msg: M): Promise<Replies[M['type']]> {
  const raw: unknown = await browser.runtime.sendMessage(msg);
  return (checkReply(msg.type, raw) ?? fail('internal', `NetLens got a malformed answer to ${msg.type}; please try again.`)) as Replies[M['type']];
}

export const extensionConnector: PopupConnector = {
  async tabId() {
    const q = new URLSearchParams(location.search).get('tab');
    if (q !== null && /^\d+$/.test(q)) return Number(q);
    const [tab] = await browser.tabs.query({ active: true, currentWindow: true });
    return tab?.id ?? null;
  },
  tabState: (tabId) => read(tabStateItem(tabId)),
  hostStatus: () => read(hostStatusItem),
  settings: loadSettings,
  backendChoice: loadBackendChoice,
  saveSettings,
  reclassify: (tabId) => send({ type: 'popup/reclassify', tabId }),
  explain: (req) => send({ type: 'popup/explain', ...req }),
  layers: (tabId) => send({ type: 'popup/layers', tabId }),
  activations: (tabId, layers, opts) => send({ type: 'popup/activations', tabId, layers, ...opts }),
  featureVis: (req) => send({ type: 'popup/feature-vis', ...req }),
  classVis: (req) => send({ type: 'popup/class-vis', ...req }),
  topImages: (modelId, layer, channel, n) => topSeen(modelId, layer, channel, n),
  seenCount: () => seenCount(),
  clearSeen: () => clearSeen(),
  exportClasses: () => send({ type: 'popup/export' }),
  importClasses: (data) => send({ type: 'popup/import', data }),
  async layerToggles(modelId) { return (await read(layerTogglesItem))[modelId] ?? null; },
  async saveLayerToggles(modelId, layers) { await write(layerTogglesItem, { ...(await read(layerTogglesItem)), [modelId]: layers }); },
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
  explainSettings: () => read(explainSettingsItem),
  saveExplainSettings: (s) => write(explainSettingsItem, s),
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
  train: (hidden, learningRate) => send({ type: 'popup/train', hidden, ...(learningRate ? { learningRate } : {}) }),
  lrFind: (jobId, hidden) => send({ type: 'popup/lr-find', jobId, hidden }),
  pixelLinear: (jobId, task, tabId) => send({ type: 'popup/pixel-linear', jobId, task, ...(tabId === undefined ? {} : { tabId }) }),
  cancelTraining: () => send({ type: 'popup/cancel-training' }),
  trainingState: () => read(trainingItem),
  watchTraining: (cb) => watch(trainingItem, cb),
  teachStatus: () => read(teachStatusItem),
  watchTeachStatus: (cb) => watch(teachStatusItem, cb),
  connect() {
    const port = browser.runtime.connect({ name: 'popup' });
    return () => port.disconnect();
  },
  watch(tabId, on) {
    const stops = [watch(hostStatusItem, on.host), ...(tabId === null ? [] : [watch(tabStateItem(tabId), on.tab)])];
    return () => stops.forEach((stop) => stop());
  },
  lens: (requestId, query) => send({ type: 'popup/lens', requestId, query }),
  openLens: (tabId, requestId, at = {}) => send({ type: 'popup/open-lens', tabId, requestId, ...at }),
};

/**
 * The same connector about one kept result instead of a tab's current one (the Lens): its state is the kept
 * result (or, while it is still being classified, the tab's progress for that request), and every request
 * about the result names it.
 */
export function scopedToResult(base: PopupConnector, requestId: string): PopupConnector {
  const done = (r: ResultRecord | null): TabState | null => (r ? { status: 'done', requestId, result: r.result } : null);
  const own = (s: TabState | null) => (s && s.requestId === requestId ? s : null);
  return {
    ...base,
    async tabState(tabId) { return done(await read(resultItem(requestId))) ?? own(await read(tabStateItem(tabId))); },
    explain: (req) => base.explain({ ...req, requestId }),
    layers: (tabId) => send({ type: 'popup/layers', tabId, requestId }),
    activations: (tabId, layers, opts) => send({ type: 'popup/activations', tabId, requestId, layers, ...opts }),
    featureVis: (req) => base.featureVis({ ...req, requestId }),
    classVis: (req) => base.classVis({ ...req, requestId }),
    reclassify: async () => fail('bad-request', 'The Lens shows one result. To use another model, choose it in the popup and right-click the image again.'),
    watch(tabId, on) {
      const stops = [
        watch(hostStatusItem, on.host),
        watch(resultItem(requestId), (r) => { if (r) on.tab(done(r)); }),
        ...(tabId === null ? [] : [watch(tabStateItem(tabId), (s) => { const mine = own(s); if (mine && mine.status !== 'done') on.tab(mine); })]),
      ];
      return () => stops.forEach((stop) => stop());
    },
  };
}
