// Popup state in one place: read-only signals out, named actions in.
import { computed, signal, type ReadonlySignal } from '@preact/signals';
import { classifierModels, findModel, type ModelEntry } from '../shared/catalog';
import type { BackendChoice, BackendPref, NetLensError } from '../shared/protocol';
import type { Mode } from '../features/classify/contract';
import { DEFAULT_SETTINGS, type Settings } from '../shared/settings';
import type { TabState } from '../features/classify/contract';
import type { HostStatus, PopupConnector } from './connector';
import { createExplainVm, type ExplainVm } from '../features/explain/popup/explain-vm';
import { createLayersVm, type LayersVm } from '../features/layers/popup/layers-vm';
import { createClassesVm, type ClassesVm } from '../features/teach/popup/classes-vm';

type View =
  | { kind: 'starting' }
  | { kind: 'empty' }
  | { kind: 'loading'; message: string; progress: number | null; queueDepth: number }
  | { kind: 'error'; error: NetLensError }
  | { kind: 'result'; state: Extract<TabState, { status: 'done' }> };

export type Page = 'result' | 'explain' | 'layers' | 'classes';

export interface ViewModel {
  view: ReadonlySignal<View>;
  settings: ReadonlySignal<Settings>;
  models: readonly ModelEntry[];
  currentModel: ReadonlySignal<ModelEntry | undefined>;
  backendChoice: ReadonlySignal<BackendChoice | null>;
  /** model-loading progress while preloading (no request yet) */
  host: ReadonlySignal<HostStatus | null>;
  notice: ReadonlySignal<string | null>;
  page: ReadonlySignal<Page>;
  explain: ExplainVm;
  layers: LayersVm;
  classes: ClassesVm;
  showPage(p: Page): void;
  start(): Promise<void>;
  stop(): void;
  chooseModel(id: string): Promise<void>;
  chooseBackend(b: BackendPref): Promise<void>;
  /** ImageNet's classes, the user's own, or both: saved, and the current image is classified again. */
  chooseMode(m: Mode): Promise<void>;
  retry(): Promise<void>;
  /** Opens the Lens on the current result in a new tab (optionally on “what does this class look like?”). */
  openLens(classIndex?: number): Promise<void>;
}

export function createViewModel(c: PopupConnector): ViewModel {
  const ready = signal(false);
  const tabId = signal<number | null>(null);
  const tab = signal<TabState | null>(null);
  const host = signal<HostStatus | null>(null);
  const settings = signal<Settings>(DEFAULT_SETTINGS);
  const backendChoice = signal<BackendChoice | null>(null);
  const notice = signal<string | null>(null);
  const page = signal<Page>('result');
  const explain = createExplainVm(c, () => tabId.value, tab);
  const layers = createLayersVm(c, () => tabId.value, tab);
  const classes = createClassesVm(c, { modelId: () => settings.value.modelId, tabId: () => tabId.value });
  let unwatch = () => {};
  let port: (() => void) | null = null;
  let tabsReady: Promise<void> = Promise.resolve();

  const view = computed<View>(() => {
    if (!ready.value) return { kind: 'starting' };
    const t = tab.value;
    if (!t) return { kind: 'empty' };
    if (t.status === 'loading') return { kind: 'loading', message: t.message, progress: t.progress, queueDepth: t.queueDepth };
    if (t.status === 'error') return { kind: 'error', error: t.error };
    return { kind: 'result', state: t };
  });

  async function rerunIfShowing() {
    const id = tabId.value;
    if (id === null || !tab.value || tab.value.status === 'loading') {
      void c.preload();
      return;
    }
    const r = await c.reclassify(id);
    if (!r.ok) notice.value = r.error.message;
  }

  return {
    view,
    settings,
    models: classifierModels(),
    currentModel: computed(() => findModel(settings.value.modelId)),
    backendChoice,
    host,
    notice,
    page,
    explain,
    layers,
    classes,
    showPage(p) {
      page.value = p;
      if (p === 'explain') void tabsReady.then(() => { if (page.value === 'explain') explain.open(); });
      if (p === 'layers') void tabsReady.then(() => { if (page.value === 'layers') void layers.open(); });
      if (p === 'classes') void classes.refresh();
    },
    async start() {
      const id = await c.tabId();
      tabId.value = id;
      port = c.connect();
      unwatch = c.watch(id, {
        tab: (s) => {
          const newResult = s?.status === 'done' && (tab.value?.status !== 'done' || tab.value.requestId !== s.requestId);
          tab.value = s;
          if (newResult) {
            explain.resetClass();
            void explain.loadLabels(s.result.modelId);
            if (page.value === 'explain') explain.open();
            if (page.value === 'layers') void layers.open();
          }
        },
        host: (s) => { host.value = s; },
      });
      const [t, h, s, b] = await Promise.all([id === null ? null : c.tabState(id), c.hostStatus(), c.settings(), c.backendChoice()]);
      tab.value = t;
      host.value = h;
      settings.value = s;
      backendChoice.value = b;
      // The answer shows now; the tabs' own state (explain settings, class names) loads beside the first paint,
      // and a tab opened meanwhile opens once it is there.
      tabsReady = Promise.all([explain.start(), layers.start()]).then(() => undefined);
      void classes.start();
      ready.value = true;
      const want = new URLSearchParams(location.search).get('view');
      if ((want === 'explain' || want === 'layers') && t?.status === 'done') this.showPage(want);
      if (want === 'classes') page.value = 'classes';
      // Warm the model up while the user looks at the popup, so the next right-click answers fast.
      if (!t || t.status !== 'loading') void c.preload();
    },
    stop() { unwatch(); explain.stop(); layers.stop(); classes.stop(); port?.(); },
    async chooseModel(id) {
      settings.value = await c.saveSettings({ modelId: id });
      void classes.loadHead(); // the trained head belongs to a backbone
      await rerunIfShowing();
    },
    async chooseMode(m) {
      if (m === settings.value.mode) return;
      settings.value = await c.saveSettings({ mode: m });
      await rerunIfShowing();
    },
    async chooseBackend(b) {
      settings.value = await c.saveSettings({ backend: b });
      await rerunIfShowing();
      backendChoice.value = await c.backendChoice();
    },
    async openLens(classIndex) {
      const id = tabId.value, t = tab.value;
      if (id === null || t?.status !== 'done') return;
      const r = await c.openLens(id, t.requestId, classIndex === undefined ? {} : { view: 'looks', classIndex });
      if (!r.ok) notice.value = r.error.message;
    },
    async retry() {
      const id = tabId.value;
      if (id === null) return;
      const r = await c.reclassify(id);
      if (!r.ok) notice.value = r.error.message;
    },
  };
}
