// The "My classes" view's state: read-only signals out, named actions in (like layers-vm.ts). The classes and
// examples are read straight from IndexedDB (through the connector); every change is followed by a fresh read
// and by 'popup/classes-changed', so the background rebuilds its "Add to NetLens class ▸" menus. Training runs
// in the model host; its state lives in storage.session, so a popup closed and reopened mid-run reattaches.
import { computed, signal, type ReadonlySignal } from '@preact/signals';
import { HIDDEN_UNITS, readiness, type Readiness } from '../contract';
import { createExtrasVm } from './extras-vm';
import type { ClassSummary, ExampleThumb, HeadInfo, PopupConnector, TeachStatus, TrainingState } from '../../../popup/connector';

export { HIDDEN_UNITS } from '../contract';
/** A run without news for this long is taken as dead (the background lets a new one start then). */
export const STALE_MS = 60_000;
/** How long the last "Added to …" message stays up. */
const RECENT_STATUS_MS = 5 * 60_000;
export interface ClassRow extends ClassSummary { examples: ExampleThumb[] }


const quote = (s: string) => `“${s}”`;
const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

interface ClassesVmOptions {
  /** the backbone whose trained head is described */
  modelId: () => string;
  /** the tab whose result the pixels-only model is tried on */
  tabId?: () => number | null;
  now?: () => number;
}

export function createClassesVm(c: PopupConnector, opts: ClassesVmOptions) {
  const now = opts.now ?? Date.now;
  const classes = signal<ClassRow[] | null>(null);
  const listError = signal<string | null>(null);
  const error = signal<string | null>(null);
  const editing = signal<string | null>(null);
  const confirming = signal<string | null>(null);
  const training = signal<TrainingState | null>(null);
  const starting = signal(false);
  const trainError = signal<string | null>(null);
  const hidden = signal(false);
  const head = signal<HeadInfo | null>(null);
  const status = signal<TeachStatus | null>(null);
  const clock = signal(now());
  let generation = 0;
  let unwatch: (() => void)[] = [];
  let timer: ReturnType<typeof setInterval> | null = null;

  const ready = computed<Readiness>(() => readiness(classes.value ?? []));
  const extras = createExtrasVm(c, { tabId: opts.tabId ?? (() => null), hidden: () => hidden.value });
  const stale = computed(() => training.value?.status === 'running' && clock.value - training.value.at > STALE_MS);
  const running = computed(() => training.value?.status === 'running' && !stale.value);
  const canTrain = computed(() => ready.value.ok && !running.value && !starting.value);
  const recentStatus = computed(() => {
    const s = status.value;
    return s && clock.value - s.at < RECENT_STATUS_MS ? s : null;
  });
  /** The head was trained on other classes (or names) than the ones there are now: train again to use them. */
  const headStale = computed(() => {
    const h = head.value, list = classes.value;
    if (!h || !list) return false;
    const used = list.filter((x) => x.count > 0);
    return used.length !== h.classIds.length || used.some((x, i) => h.classIds[i] !== x.id || h.classNames[i] !== x.name);
  });

  function tick() {
    clock.value = now();
    if (timer === null && running.value) timer = setInterval(() => { clock.value = now(); if (!running.value) stopTimer(); }, 5_000);
  }
  function stopTimer() { if (timer !== null) clearInterval(timer); timer = null; }

  async function refresh(): Promise<void> {
    const gen = ++generation;
    try {
      const [list, examples] = await Promise.all([c.classes(), c.examples()]);
      if (gen !== generation) return;
      const by = new Map<string, ExampleThumb[]>();
      for (const e of [...examples].sort((a, b) => a.at - b.at)) by.set(e.classId, [...(by.get(e.classId) ?? []), e]);
      classes.value = list.map((x) => ({ ...x, examples: by.get(x.id) ?? [] }));
      listError.value = null;
    } catch (e) {
      if (gen === generation) listError.value = `Could not read your classes: ${message(e)}`;
    }
  }

  async function loadHead(): Promise<void> {
    head.value = await c.head(opts.modelId()).catch(() => null);
  }

  function onTraining(s: TrainingState | null) {
    const prev = training.value;
    training.value = s;
    tick();
    if (s && s.status !== 'running' && (prev?.status === 'running' || prev?.jobId !== s.jobId)) void loadHead();
  }

  /** One change to the dataset: do it, read the list again, then tell the background (its menus list the classes). */
  async function change(op: () => Promise<unknown>): Promise<boolean> {
    error.value = null;
    let ok = true;
    try { await op(); } catch (e) { error.value = message(e); ok = false; }
    await refresh();
    if (ok) await c.classesChanged().catch(() => undefined);
    return ok;
  }

  const find = (id: string) => classes.value?.find((x) => x.id === id);
  const clash = (name: string, except?: string) => classes.value?.find((x) => x.id !== except && x.name.toLowerCase() === name.toLowerCase());

  const exportClasses = () => c.exportClasses();
  const importClasses = async (data: string) => {
    const r = await c.importClasses(data);
    if (r.ok) { await refresh(); await loadHead(); }
    return r;
  };
  return {
    exportClasses,
    importClasses,
    classes: classes as ReadonlySignal<ClassRow[] | null>,
    listError: listError as ReadonlySignal<string | null>,
    /** the last failed change (rename, delete, create) */
    error: error as ReadonlySignal<string | null>,
    /** the class whose name is being edited */
    editing: editing as ReadonlySignal<string | null>,
    /** the class whose deletion waits for a confirmation */
    confirming: confirming as ReadonlySignal<string | null>,
    readiness: ready,
    extras,
    training: training as ReadonlySignal<TrainingState | null>,
    /** training is running (and still reporting) */
    running,
    /** a run that stopped reporting: it may be dead */
    stale,
    starting: starting as ReadonlySignal<boolean>,
    canTrain,
    trainError: trainError as ReadonlySignal<string | null>,
    hidden: hidden as ReadonlySignal<boolean>,
    head: head as ReadonlySignal<HeadInfo | null>,
    headStale,
    teachStatus: recentStatus,

    async start(): Promise<void> {
      unwatch.forEach((u) => u());
      unwatch = [
        c.watchTraining(onTraining),
        c.watchTeachStatus((s) => { status.value = s; tick(); void refresh(); }),
      ];
      const [t, s] = await Promise.all([c.trainingState().catch(() => null), c.teachStatus().catch(() => null), refresh(), loadHead()]);
      // A report that came while reading wins over what was read.
      if (training.value === null) training.value = t;
      if (status.value === null) status.value = s;
      tick();
    },
    stop() {
      unwatch.forEach((u) => u());
      unwatch = [];
      extras.stop();
      stopTimer();
      generation++;
    },
    refresh,
    loadHead,

    startEditing(id: string) { confirming.value = null; editing.value = id; error.value = null; },
    cancelEditing() { editing.value = null; },
    async rename(id: string, name: string): Promise<boolean> {
      const clean = name.trim();
      const cur = find(id);
      if (!clean) { error.value = 'A class needs a name.'; return false; }
      if (cur && cur.name === clean) { editing.value = null; return true; }
      const other = clash(clean, id);
      if (other) { error.value = `There is already a class named ${quote(other.name)}.`; return false; }
      const ok = await change(() => c.renameClass(id, clean));
      if (ok) editing.value = null;
      return ok;
    },

    askDelete(id: string) { editing.value = null; confirming.value = id; error.value = null; },
    cancelDelete() { confirming.value = null; },
    async deleteClass(id: string): Promise<boolean> {
      confirming.value = null;
      if (editing.value === id) editing.value = null;
      return change(() => c.deleteClass(id));
    },

    async deleteExample(exampleId: string): Promise<boolean> {
      return change(() => c.deleteExample(exampleId));
    },

    async createClass(name: string): Promise<boolean> {
      const clean = name.trim();
      if (!clean) { error.value = 'Type a name for the new class.'; return false; }
      const other = clash(clean);
      if (other) { error.value = `There is already a class named ${quote(other.name)}.`; return false; }
      return change(() => c.createClass(clean));
    },

    setHidden(on: boolean) { hidden.value = on; },
    async train(learningRate?: number): Promise<void> {
      if (!canTrain.value) return;
      starting.value = true;
      trainError.value = null;
      try {
        const units = hidden.value ? HIDDEN_UNITS : 0;
        const r = await (learningRate === undefined ? c.train(units) : c.train(units, learningRate));
        if (!r || !r.ok) trainError.value = r ? r.error.message : 'The extension gave an empty answer.';
        else {
          const t = await c.trainingState().catch(() => null);
          // The watcher may already have something newer.
          if (t && (!training.value || training.value.jobId !== t.jobId || training.value.at <= t.at)) onTraining(t);
        }
      } catch (e) {
        trainError.value = `The extension did not answer (${message(e)}).`;
      } finally {
        starting.value = false;
      }
    },
    /** Stops the running training; the previous head, if any, stays in use. */
    async cancelTraining(): Promise<void> {
      if (!running.value) return;
      trainError.value = null;
      try {
        const r = await c.cancelTraining();
        if (!r.ok) trainError.value = r.error.message;
      } catch (e) {
        trainError.value = `The extension did not answer (${message(e)}).`;
      }
    },
  };
}

export type ClassesVm = ReturnType<typeof createClassesVm>;
