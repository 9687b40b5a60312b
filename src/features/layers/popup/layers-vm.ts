// The Layers view's state: read-only signals out, named actions in (like explain-vm.ts). The model host does
// the work; this only asks for plain data (layer list, quantised activations, feature visualisations), decodes
// it once, and remembers which layers the user wants to see, per model.
import { computed, signal, type ReadonlySignal } from '@preact/signals';
import type { FeatureVis, LayerInfo } from '../contract';
import type { NetLensError } from '../../../shared/protocol';
import type { TabState } from '../../classify/contract';
import type { PopupConnector } from '../../../popup/connector';
import { decodeActivations, formatShape, kindLabel, mergeActivations, missingChannels, pageOf, type DecodedLayer } from './decode';

type Listing =
  | { status: 'idle' }
  | { status: 'loading' }
  | { status: 'error'; error: NetLensError }
  | { status: 'ready'; modelId: string; modelName: string; layers: LayerInfo[]; defaults: string[] };

type LayerState =
  | { status: 'loading' }
  | { status: 'error'; error: NetLensError }
  /** ms: the forward pass that computed it (shared with the other layers of the same request) */
  | { status: 'ready'; data: DecodedLayer; ms: number };

type VisJob =
  | { status: 'idle' }
  | { status: 'running'; jobId: string; progress: number; message: string }
  | { status: 'ready'; vis: FeatureVis }
  | { status: 'error'; error: NetLensError };

export interface LayerViewModel { info: LayerInfo; state: LayerState }
interface Detail { layer: string; channel: number }
export type ColourScale = 'channel' | 'layer';

/** Optimisation steps for a feature visualisation. */
export const VIS_STEPS = 256;

const interrupted = (e: unknown): NetLensError => ({ code: 'interrupted', message: `The extension did not answer (${(e as Error)?.message ?? String(e)}).` });
/** A reply that is not one (say, no handler answered) becomes an error reply. */
async function ask<T extends { ok: boolean }>(p: () => Promise<T>): Promise<T | { ok: false; error: NetLensError }> {
  try {
    const r = await p();
    return r && typeof r === 'object' && typeof r.ok === 'boolean' ? r : { ok: false, error: { code: 'internal', message: 'The extension gave an empty answer.' } };
  } catch (e) {
    return { ok: false, error: interrupted(e) };
  }
}

export function createLayersVm(c: PopupConnector, tabId: () => number | null, tab: ReadonlySignal<TabState | null>) {
  const listing = signal<Listing>({ status: 'idle' });
  const toggles = signal<string[]>([]);
  const states = signal<ReadonlyMap<string, LayerState>>(new Map());
  const pages = signal<Readonly<Record<string, number>>>({});
  const filter = signal('');
  const scale = signal<ColourScale>('channel');
  const labels = signal<string[]>([]);
  const detail = signal<Detail | null>(null);
  /** Images classified earlier that excite the open channel most (kept in IndexedDB with their channel means). */
  const topImages = signal<{ id: string; url: string; thumbnail: string; value: number }[] | null>(null);
  const seenCount = signal(0);
  async function loadTopImages(layer: string, channel: number) {
    topImages.value = null;
    const l = listing.value;
    if (l.status !== 'ready') return;
    const [top, n] = await Promise.all([c.topImages(l.modelId, layer, channel, 6).catch(() => []), c.seenCount().catch(() => 0)]);
    const d = detail.value;
    if (d && d.layer === layer && d.channel === channel) { topImages.value = top; seenCount.value = n; }
  }
  const vis = signal<VisJob>({ status: 'idle' });

  const result = computed(() => (tab.value?.status === 'done' ? tab.value.result : null));
  /** The result whose layers are shown (or being loaded); a new one starts over. */
  let openedFor: string | null = null;
  /** Bumped whenever earlier answers must be ignored (new result, popup closing). */
  let generation = 0;
  const pending = new Set<string>();
  let scheduled: Promise<void> | null = null;
  let unsub = () => {};

  const indexOf = computed(() => {
    const l = listing.value;
    return new Map(l.status === 'ready' ? l.layers.map((x) => [x.name, x.index] as const) : []);
  });
  const byIndex = (names: Iterable<string>) => [...new Set(names)].sort((a, b) => (indexOf.value.get(a) ?? 0) - (indexOf.value.get(b) ?? 0));

  const setStates = (names: string[], s: LayerState) => {
    const m = new Map(states.value);
    for (const n of names) m.set(n, s);
    states.value = m;
  };

  /**
   * Asks for the layers of `names` that are neither loaded nor on their way. Everything asked for in the same
   * tick goes out as ONE request (the model host computes all of them in one forward pass).
   */
  function want(names: readonly string[]): Promise<void> {
    const missing = names.filter((n) => { const s = states.value.get(n); return !s || s.status === 'error'; });
    if (missing.length) {
      setStates(missing, { status: 'loading' });
      for (const n of missing) pending.add(n);
      scheduled ??= Promise.resolve().then(flush);
    }
    return scheduled ?? Promise.resolve();
  }

  async function flush(): Promise<void> {
    scheduled = null;
    const names = byIndex(pending);
    pending.clear();
    const id = tabId();
    const gen = generation;
    if (!names.length) return;
    if (id === null) { setStates(names, { status: 'error', error: { code: 'no-result', message: 'No tab to look at.' } }); return; }
    const r = await ask(() => c.activations(id, names));
    if (gen !== generation) return; // a newer result took over
    if (!r.ok) { setStates(names, { status: 'error', error: r.error }); return; }
    const m = new Map(states.value);
    for (const a of r.activations) {
      if (!names.includes(a.name)) continue;
      try {
        m.set(a.name, { status: 'ready', data: decodeActivations(a), ms: r.ms });
      } catch (e) {
        m.set(a.name, { status: 'error', error: { code: 'internal', message: `Could not read the activations: ${(e as Error).message}` } });
      }
    }
    for (const n of names) if (m.get(n)?.status === 'loading') m.set(n, { status: 'error', error: { code: 'internal', message: 'The model host sent nothing for this layer.' } });
    states.value = m;
  }

  /** Layers with a request for more of their data (a page of maps, the input's floats) on its way. */
  const extending = new Set<string>();
  /**
   * Adds to a loaded layer what the first reply left out: `channels`' maps or the input's exact floats. One
   * request at a time per layer; a failure leaves the layer as it was (its tiles say they are loading, and the
   * next page turn asks again).
   */
  async function extend(layer: string, opts: { channels?: number[]; floats?: boolean }): Promise<void> {
    const id = tabId(), gen = generation;
    if (id === null || extending.has(layer)) return;
    extending.add(layer);
    try {
      const r = await ask(() => c.activations(id, [layer], opts));
      const s = states.value.get(layer);
      if (gen !== generation || !r.ok || s?.status !== 'ready') return;
      const a = r.activations.find((x) => x.name === layer);
      if (!a) return;
      const m = new Map(states.value);
      try { m.set(layer, { ...s, data: mergeActivations(s.data, a) }); } catch { return; }
      states.value = m;
    } finally {
      extending.delete(layer);
    }
  }
  function loadPage(layer: string, page: number): Promise<void> {
    const s = states.value.get(layer);
    if (s?.status !== 'ready') return Promise.resolve();
    const missing = missingChannels(s.data, pageOf(s.data.order, page));
    return missing.length ? extend(layer, { channels: missing }) : Promise.resolve();
  }

  function save(next: string[]) {
    const l = listing.value;
    toggles.value = next;
    return l.status === 'ready' ? c.saveLayerToggles(l.modelId, next).catch(() => undefined) : Promise.resolve();
  }

  const running = () => { const v = vis.value; return v.status === 'running' ? v : null; };
  function cancelVis() {
    const r = running();
    if (r) { void c.cancel(r.jobId); vis.value = { status: 'idle' }; }
  }
  async function runVis() {
    const d = detail.value;
    const id = tabId();
    if (!d || id === null) return;
    cancelVis();
    const jobId = crypto.randomUUID();
    vis.value = { status: 'running', jobId, progress: 0, message: '' };
    const mine = () => running()?.jobId === jobId;
    const r = await ask(() => c.featureVis({ tabId: id, jobId, layer: d.layer, channel: d.channel, steps: VIS_STEPS }));
    if (!mine()) return; // cancelled or replaced
    vis.value = r.ok ? { status: 'ready', vis: r.vis } : r.error.code === 'cancelled' ? { status: 'idle' } : { status: 'error', error: r.error };
  }
  function closeDetail() {
    cancelVis();
    detail.value = null;
    vis.value = { status: 'idle' };
  }

  async function loadListing(id: number, gen: number): Promise<boolean> {
    listing.value = { status: 'loading' };
    const r = await ask(() => c.layers(id));
    if (gen !== generation) return false;
    if (!r.ok) { listing.value = { status: 'error', error: r.error }; openedFor = null; return false; }
    const saved = await c.layerToggles(r.modelId).catch(() => null);
    if (gen !== generation) return false;
    const known = new Set(r.layers.map((x) => x.name));
    listing.value = { status: 'ready', modelId: r.modelId, modelName: r.modelName, layers: r.layers, defaults: r.defaults.filter((n) => known.has(n)) };
    toggles.value = byIndex((saved ?? r.defaults).filter((n) => known.has(n)));
    void c.labels(r.modelId).then((l) => { if (gen === generation) labels.value = l; }, () => undefined);
    return true;
  }

  const query = computed(() => filter.value.trim().toLowerCase());

  return {
    listing: listing as ReadonlySignal<Listing>,
    /** toggled layers, in network order */
    toggles: toggles as ReadonlySignal<string[]>,
    filter: filter as ReadonlySignal<string>,
    scale: scale as ReadonlySignal<ColourScale>,
    labels: labels as ReadonlySignal<string[]>,
    detail: detail as ReadonlySignal<Detail | null>,
    vis: vis as ReadonlySignal<VisJob>,
    thumbnail: computed(() => result.value?.thumbnail ?? null),
    /** the class the contributions are about */
    className: (index: number) => labels.value[index] ?? result.value?.predictions.find((p) => p.index === index)?.className ?? `class ${index}`,
    /** the layer list after the filter box */
    shown: computed(() => {
      const l = listing.value;
      if (l.status !== 'ready') return [];
      const q = query.value;
      if (!q) return l.layers;
      return l.layers.filter((x) => x.name.toLowerCase().includes(q) || x.className.toLowerCase().includes(q) || kindLabel(x.kind).includes(q) || formatShape(x.shape).includes(q));
    }),
    /** one entry per toggled layer, in network order */
    views: computed<LayerViewModel[]>(() => {
      const l = listing.value;
      if (l.status !== 'ready') return [];
      const on = new Set(toggles.value);
      return l.layers.filter((x) => on.has(x.name)).map((info) => ({ info, state: states.value.get(info.name) ?? { status: 'loading' } }));
    }),
    pageOf: (layer: string) => pages.value[layer] ?? 0,

    async start() {
      const off = c.onJobProgress((p) => {
        const r = running();
        if (r && r.jobId === p.jobId) vis.value = { ...r, progress: p.progress, message: p.message };
      });
      // Closing the popup: the background also cancels this popup's jobs when its port closes; this is the
      // best-effort early word.
      const hide = () => cancelVis();
      if (typeof window !== 'undefined') window.addEventListener('pagehide', hide);
      unsub = () => { off(); if (typeof window !== 'undefined') window.removeEventListener('pagehide', hide); };
    },
    stop() {
      generation++;
      unsub();
      cancelVis();
    },
    /** Entering the view, or a new classification while it is shown: list the layers and load the toggled ones. */
    async open() {
      const r = result.value;
      const id = tabId();
      if (!r || id === null || openedFor === r.requestId) return;
      openedFor = r.requestId;
      const gen = ++generation;
      closeDetail();
      pending.clear();
      states.value = new Map();
      pages.value = {};
      const l = listing.value;
      if (l.status !== 'ready' || l.modelId !== r.modelId) {
        if (!(await loadListing(id, gen))) return;
      }
      await want(toggles.value);
    },
    retryListing() { openedFor = null; listing.value = { status: 'idle' }; return this.open(); },
    /** Shows or hides one layer; the choice is saved for this model. Resolves once its activations are in. */
    async toggle(name: string, on: boolean) {
      if (on === toggles.value.includes(name)) return;
      const next = on ? byIndex([...toggles.value, name]) : toggles.value.filter((n) => n !== name);
      const saved = save(next);
      if (!on && detail.value?.layer === name) closeDetail();
      await Promise.all([saved, on ? want([name]) : undefined]);
    },
    /** Replaces the whole selection (e.g. "defaults", "none"): the new layers are fetched in one request. */
    async setToggles(names: string[]) {
      const next = byIndex(names.filter((n) => indexOf.value.has(n)));
      const saved = save(next);
      if (detail.value && !next.includes(detail.value.layer)) closeDetail();
      await Promise.all([saved, want(next)]);
    },
    resetToggles() {
      const l = listing.value;
      return l.status === 'ready' ? this.setToggles(l.defaults) : Promise.resolve();
    },
    retryLayer(name: string) { return want([name]); },
    setFilter(q: string) { filter.value = q; },
    setScale(s: ColourScale) { scale.value = s; },
    /** Turns a layer's channel pages; the maps of a page not seen yet are fetched (the host sends page 1 first). */
    setPage(layer: string, page: number) { pages.value = { ...pages.value, [layer]: Math.max(0, page) }; return loadPage(layer, Math.max(0, page)); },
    /** The input layer's exact floats, for reading a pixel's numbers: asked for on the first click. */
    loadFloats(layer: string) {
      const s = states.value.get(layer);
      return s?.status === 'ready' && s.data.isInput && !s.data.floats ? extend(layer, { channels: [], floats: true }) : Promise.resolve();
    },
    /** Opens a channel's detail and computes its feature visualisation. */
    openChannel(layer: string, channel: number) {
      const d = detail.value;
      if (d && d.layer === layer && d.channel === channel) return;
      detail.value = { layer, channel };
      void runVis();
      void loadTopImages(layer, channel);
    },
    topImages: topImages as ReadonlySignal<typeof topImages.value>,
    seenCount: seenCount as ReadonlySignal<number>,
    async clearSeen() { await c.clearSeen(); topImages.value = []; seenCount.value = 0; },
    closeDetail,
    cancelVis,
    retryVis() { void runVis(); },
  };
}

export type LayersVm = ReturnType<typeof createLayersVm>;
