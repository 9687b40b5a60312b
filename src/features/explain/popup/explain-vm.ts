// The Explain view's state: read-only signals out, named actions in. Jobs run in the model host; a newer
// request from the same panel cancels the one it replaces, and closing the popup cancels everything.
import { computed, signal, type ReadonlySignal } from '@preact/signals';
import type { SaliencyMap } from '../types';
import type { CompareResult, CompareRow, ExplainResult, FaithfulnessResult, WireMap } from '../contract';
import type { NetLensError } from '../../../shared/protocol';
import { DEFAULT_EXPLAIN, type ExplainSettings } from '../../../shared/settings';
import type { TabState } from '../../classify/contract';
import { base64ToFloats } from '../../../shared/codecs';
import type { PopupConnector } from '../../../popup/connector';
import { METHOD_INFO, type MethodInfo } from '../catalog';

export type Params = Record<string, number | string | boolean>;
export type Job<T> =
  | { status: 'idle' }
  | { status: 'running'; jobId: string; progress: number }
  | { status: 'ready'; value: T; ms: number }
  | { status: 'error'; error: NetLensError };

export interface Panel {
  method: ReadonlySignal<MethodInfo>;
  params: ReadonlySignal<Params>;
  job: ReadonlySignal<Job<SaliencyMap>>;
}

interface SanityView { layers: string[]; spearman: number; passes: boolean; map: SaliencyMap }
export interface CompareView { rows: (Omit<CompareRow, 'map'> & { map: SaliencyMap })[]; random: CompareResult['random']; sanityLayers: string[]; classIndex: number; className: string }

function fromWire(w: WireMap): SaliencyMap {
  return { method: w.method, target: w.classTarget, width: w.width, height: w.height, min: w.min, max: w.max, signed: w.signed, ...(w.notes ? { notes: w.notes } : {}), values: base64ToFloats(w.values) };
}

export function createExplainVm(c: PopupConnector, tabId: () => number | null, tab: ReadonlySignal<TabState | null>) {
  const settings = signal<ExplainSettings>({ ...DEFAULT_EXPLAIN });
  const labels = signal<string[]>([]);
  const chosenClass = signal<number | null>(null);
  const chosenHead = signal<'imagenet' | 'custom' | null>(null);
  const camLayers = signal<string[]>([]);
  const jobs = [signal<Job<SaliencyMap>>({ status: 'idle' }), signal<Job<SaliencyMap>>({ status: 'idle' })] as const;
  const check = signal<Job<FaithfulnessResult>>({ status: 'idle' });
  const sanity = signal<Job<SanityView>>({ status: 'idle' });
  const sanityOn = signal(false);
  const comparison = signal<Job<CompareView>>({ status: 'idle' });
  const compareMessage = signal('');
  /** the methods "Compare all" runs: all of them unless the user narrows it down */
  const compareSet = signal<ReadonlySet<string>>(new Set(METHOD_INFO.keys()));
  const running = new Map<string, (p: number) => void>();
  let unsub = () => {};

  const result = computed(() => (tab.value?.status === 'done' ? tab.value.result : null));
  // In "My classes" mode the user's own top class is explained first; otherwise ImageNet's.
  const head = computed<'imagenet' | 'custom'>(() => chosenHead.value ?? (result.value?.mode === 'custom' && result.value.custom ? 'custom' : 'imagenet'));
  const classIndex = computed(() => chosenClass.value ?? (head.value === 'custom' ? result.value?.custom?.predictions[0]?.index : result.value?.predictions[0]?.index) ?? null);
  const methodOf = (id: string) => METHOD_INFO.get(id) ?? METHOD_INFO.get(DEFAULT_EXPLAIN.method)!;
  const paramsOf = (id: string): Params => ({ ...methodOf(id).defaults, ...(settings.value.params[id] ?? {}) });
  const panel = (i: 0 | 1): Panel => {
    const id = computed(() => (i === 0 ? settings.value.method : settings.value.compareMethod ?? settings.value.method));
    return { method: computed(() => methodOf(id.value)), params: computed(() => paramsOf(id.value)), job: jobs[i] };
  };
  const panels = [panel(0), panel(1)] as const;

  async function run<T>(slot: { value: Job<T> }, task: 'map' | 'check' | 'sanity' | 'compare', method: string, pick: (r: ExplainResult) => T | undefined) {
    const id = tabId();
    const cls = classIndex.value;
    if (id === null || cls === null || !result.value) return;
    const prev = slot.value;
    if (prev.status === 'running') void c.cancel(prev.jobId);
    const jobId = crypto.randomUUID();
    slot.value = { status: 'running', jobId, progress: 0 };
    running.set(jobId, (p) => { if (slot.value.status === 'running' && slot.value.jobId === jobId) slot.value = { ...slot.value, progress: p }; });
    try {
      const r = await c.explain({ tabId: id, jobId, task, method, params: paramsOf(method), classTarget: { kind: 'class', index: cls }, ...(task === 'sanity' || task === 'compare' ? { sanityLayers: 5 } : {}), ...(head.value === 'custom' ? { head: 'custom' as const } : {}), ...(task === 'check' || task === 'compare' ? { substrate: settings.value.substrate } : {}), ...(task === 'compare' ? compareFields() : {}) });
      if (slot.value.status !== 'running' || slot.value.jobId !== jobId) return; // superseded
      if (!r.ok) { slot.value = r.error.code === 'cancelled' ? { status: 'idle' } : { status: 'error', error: r.error }; return; }
      if (r.result.camLayers.length) camLayers.value = r.result.camLayers;
      const v = pick(r.result);
      slot.value = v === undefined ? { status: 'error', error: { code: 'internal', message: 'empty answer' } } : { status: 'ready', value: v, ms: r.result.ms };
    } catch (e) {
      if (slot.value.status === 'running' && slot.value.jobId === jobId) slot.value = { status: 'error', error: { code: 'interrupted', message: `The extension did not answer (${(e as Error).message}).` } };
    } finally {
      running.delete(jobId);
    }
  }

  const runPanel = (i: 0 | 1) => run(jobs[i], 'map', panels[i].method.value.id, (r) => (r.map ? fromWire(r.map) : undefined));
  const refresh = () => {
    check.value = { status: 'idle' };
    sanity.value = { status: 'idle' };
    void runPanel(0).then(() => (settings.value.compareMethod ? runPanel(1) : undefined)).then(sanityAfterMap);
  };
  // The sanity check re-runs the first panel's method: only worth it once that map exists.
  const sanityAfterMap = () => (sanityOn.value && jobs[0].value.status === 'ready' ? runSanity() : undefined);
  const runSanity = () => run(sanity, 'sanity', settings.value.method, (r) => (r.sanity ? { ...r.sanity, map: fromWire(r.sanity.map) } : undefined));
  const className = computed(() => (classIndex.value === null ? ''
      : head.value === 'custom' ? result.value?.custom?.predictions.find((p) => p.index === classIndex.value)?.className ?? `my class ${classIndex.value}`
        : labels.value[classIndex.value] ?? result.value?.predictions.find((p) => p.index === classIndex.value)?.className ?? `class ${classIndex.value}`));
  const save = (next: ExplainSettings) => { settings.value = next; void c.saveExplainSettings(next); };
  const compareFields = () => {
    const methods = [...METHOD_INFO.keys()].filter((id) => compareSet.value.has(id));
    return { compareMethods: methods, compareParams: Object.fromEntries(methods.map((id) => [id, paramsOf(id)])) };
  };

  return {
    settings: settings as ReadonlySignal<ExplainSettings>,
    labels: labels as ReadonlySignal<string[]>,
    classIndex,
    head,
    customPredictions: computed(() => result.value?.custom?.predictions ?? []),
    className,
    camLayers: camLayers as ReadonlySignal<string[]>,
    panels,
    compare: computed(() => settings.value.compareMethod !== null),
    check: check as ReadonlySignal<Job<FaithfulnessResult>>,
    sanity: sanity as ReadonlySignal<Job<SanityView>>,
    sanityOn: sanityOn as ReadonlySignal<boolean>,
    comparison: comparison as ReadonlySignal<Job<CompareView>>,
    compareMessage: compareMessage as ReadonlySignal<string>,
    compareSet: compareSet as ReadonlySignal<ReadonlySet<string>>,
    async start() {
      settings.value = await c.explainSettings();
      unsub = c.onJobProgress((p) => {
        running.get(p.jobId)?.(p.progress);
        if (comparison.value.status === 'running' && comparison.value.jobId === p.jobId) compareMessage.value = p.message;
      });
      const modelId = result.value?.modelId;
      if (modelId) labels.value = await c.labels(modelId).catch(() => []);
    },
    stop() {
      unsub();
      for (const j of [...jobs, check, sanity, comparison]) if (j.value.status === 'running') void c.cancel(j.value.jobId);
    },
    /** Entering the view, or a new classification: explain the current class. */
    open() { refresh(); },
    async loadLabels(modelId: string) { labels.value = await c.labels(modelId).catch(() => []); },
    chooseClass(index: number, which: 'imagenet' | 'custom' = 'imagenet') { chosenHead.value = which; chosenClass.value = index; refresh(); },
    resetClass() { chosenClass.value = null; chosenHead.value = null; },
    chooseMethod(i: 0 | 1, id: string) {
      save(i === 0 ? { ...settings.value, method: id } : { ...settings.value, compareMethod: id });
      if (i === 0) { check.value = { status: 'idle' }; sanity.value = { status: 'idle' }; }
      void runPanel(i).then(() => (i === 0 ? sanityAfterMap() : undefined));
    },
    setParam(i: 0 | 1, key: string, value: number | string) {
      const id = panels[i].method.value.id;
      save({ ...settings.value, params: { ...settings.value.params, [id]: { ...(settings.value.params[id] ?? {}), [key]: value } } });
      if (i === 0) { check.value = { status: 'idle' }; sanity.value = { status: 'idle' }; }
      void runPanel(i).then(() => (i === 0 ? sanityAfterMap() : undefined));
    },
    setOpacity(o: number) { save({ ...settings.value, opacity: o }); },
    toggleCompare(on: boolean) {
      save({ ...settings.value, compareMethod: on ? (settings.value.method === 'gradient' ? 'grad-cam' : 'gradient') : null });
      if (on) void runPanel(1); else jobs[1].value = { status: 'idle' };
    },
    runCheck() { void run(check, 'check', settings.value.method, (r) => r.faithfulness); },
    setSubstrate(substrate: ExplainSettings['substrate']) { save({ ...settings.value, substrate }); check.value = { status: 'idle' }; },
    /** Runs every chosen method on this image and class, scores and ranks them. */
    runCompare() {
      const cls = classIndex.value ?? 0, name = className.value;
      compareMessage.value = 'Starting…';
      void run(comparison, 'compare', settings.value.method, (r) => (r.compare ? { ...r.compare, rows: r.compare.rows.map((row) => ({ ...row, map: fromWire(row.map) })), classIndex: cls, className: name } : undefined));
    },
    cancelCompare() { const j = comparison.value; if (j.status === 'running') { void c.cancel(j.jobId); comparison.value = { status: 'idle' }; } },
    toggleCompareMethod(id: string, on: boolean) {
      const next = new Set(compareSet.value);
      if (on) next.add(id); else next.delete(id);
      compareSet.value = next;
    },
    compareAllMethods(on: boolean) { compareSet.value = new Set(on ? METHOD_INFO.keys() : []); },
    toggleSanity(on: boolean) {
      sanityOn.value = on;
      if (on) void runSanity();
      else { if (sanity.value.status === 'running') void c.cancel(sanity.value.jobId); sanity.value = { status: 'idle' }; }
    },
    cancel(i: 0 | 1) { const j = jobs[i].value; if (j.status === 'running') { void c.cancel(j.jobId); jobs[i].value = { status: 'idle' }; } },
  };
}

export type ExplainVm = ReturnType<typeof createExplainVm>;
