// The Lens's state: the track of the result's model, which stage is open, and each stage's numbers as asked
// for (a stage asks when it opens, and again when the learner picks another cell, channel or class).
import { computed, effect, signal, type ReadonlySignal } from '@preact/signals';
import type { NetLensError } from '../../../shared/protocol';
import type { PopupConnector } from '../../../popup/connector';
import type { Page, ViewModel } from '../../../popup/viewmodel';
import type { LensQuery, Stage, StageData, Track } from '../contract';
import { base64ToFloats } from '../../../shared/codecs';

export type LensView = 'steps' | 'looks' | Page;
export interface StageState { query: LensQuery; data: StageData | null; error: NetLensError | null; loading: boolean; ms: number | null }

/** What a stage asks for first: the middle cell of its first channel, the top class, the last field. */
export function defaultQuery(stage: Stage, track: Track, topClass: number): LensQuery {
  const [h = 1, w = 1] = stage.outShape;
  const mid = { row: Math.floor(h / 2), col: Math.floor(w / 2) };
  switch (stage.kind) {
    case 'pixels': return { kind: 'pixels' };
    case 'conv': case 'depthwise': case 'pointwise': return { kind: 'conv', layer: stage.layer, ...mid, channel: 0 };
    case 'pool': return { kind: 'pool', layer: stage.layer, ...mid, channel: 0 };
    case 'receptive-field': {
      // A middle layer first: its box is a visible part of the picture (the last one sees all of it).
      const f = track.fields.find((x) => x.size >= track.input.height / 4) ?? track.fields.at(-1)!;
      return { kind: 'receptive-field', layer: f.layer, row: Math.floor(f.outSize / 2), col: Math.floor(f.outSize / 2) };
    }
    case 'global-pool': return { kind: 'global-pool', channel: 0 };
    case 'dense': return { kind: 'dense', classIndex: topClass };
    case 'softmax': return { kind: 'softmax' };
  }
}

export function createLensVm(c: PopupConnector, requestId: string, app: ViewModel) {
  const track = signal<Track | null>(null);
  const trackError = signal<NetLensError | null>(null);
  const view = signal<LensView>(new URLSearchParams(location.search).get('view') as LensView | null ?? 'steps');
  const index = signal(0);
  const states = signal<ReadonlyMap<number, StageState>>(new Map());
  const labels = signal<string[]>([]);
  const temperature = signal(1);
  const firstStageMs = signal<number | null>(null);
  /** the model input as numbers, shared by the stages that draw the picture (pixels, fields, class map) */
  const pixels = signal<Float32Array | null>(null);
  let pixelsAsked = false;
  let seq = 0;
  let stopEffect = () => {};

  const result = computed(() => (app.view.value.kind === 'result' ? app.view.value.state.result : null));
  const stage = computed(() => track.value?.stages[index.value] ?? null);

  async function ask(i: number, query: LensQuery) {
    const n = ++seq;
    const prev = states.value.get(i);
    states.value = new Map(states.value).set(i, { query, data: prev?.data ?? null, error: null, loading: true, ms: null });
    const t0 = performance.now();
    const r = await c.lens(requestId, query).catch((e: Error) => ({ ok: false as const, error: { code: 'interrupted' as const, message: e.message } }));
    if (n !== seq && states.value.get(i)?.query !== query) return; // a newer question about this stage won
    const ms = Math.round(performance.now() - t0);
    states.value = new Map(states.value).set(i, r.ok ? { query, data: r.data ?? null, error: null, loading: false, ms } : { query, data: prev?.data ?? null, error: r.error, loading: false, ms });
  }

  function open(i: number) {
    const t = track.value, r = result.value;
    if (!t || !r) return;
    index.value = Math.max(0, Math.min(t.stages.length - 1, i));
    if (!states.value.has(index.value)) void ask(index.value, defaultQuery(t.stages[index.value]!, t, r.predictions[0]?.index ?? 0));
  }

  async function loadTrack() {
    const r = await c.lens(requestId, { kind: 'track' });
    if (!r.ok || !r.track) { trackError.value = r.ok ? { code: 'internal', message: 'The model host sent no track.' } : r.error; return; }
    track.value = r.track;
    labels.value = await c.labels(r.track.modelId).catch(() => []);
    const want = Number(new URLSearchParams(location.search).get('stage'));
    open(Number.isInteger(want) && want > 0 ? want : 0);
  }

  return {
    requestId,
    app,
    result,
    track: track as ReadonlySignal<Track | null>,
    trackError: trackError as ReadonlySignal<NetLensError | null>,
    view: view as ReadonlySignal<LensView>,
    index: index as ReadonlySignal<number>,
    stage,
    states: states as ReadonlySignal<ReadonlyMap<number, StageState>>,
    current: computed(() => states.value.get(index.value) ?? null),
    labels: labels as ReadonlySignal<string[]>,
    temperature: temperature as ReadonlySignal<number>,
    /** ms from the page starting to load to the first stage being drawn with its numbers (set by the view) */
    firstStageMs: firstStageMs as ReadonlySignal<number | null>,
    async start() {
      await app.start();
      // The result may still be on its way (the Lens opens as soon as the menu is clicked).
      stopEffect = effect(() => { if (result.value && !track.value && !trackError.value) void loadTrack(); });
    },
    stop() { stopEffect(); app.stop(); },
    show(v: LensView) {
      view.value = v;
      if (v !== 'steps' && v !== 'looks') app.showPage(v);
    },
    go: open,
    next() { open(index.value + 1); },
    prev() { open(index.value - 1); },
    /** Asks the current stage a new question (another cell, channel, class or layer). */
    ask(query: LensQuery) { void ask(index.value, query); },
    setTemperature(t: number) { temperature.value = Math.min(10, Math.max(0.05, t)); },
    pixels: pixels as ReadonlySignal<Float32Array | null>,
    async loadPixels() {
      if (pixelsAsked) return;
      pixelsAsked = true;
      const r = await c.lens(requestId, { kind: 'pixels' });
      if (r.ok && r.data?.kind === 'pixels') pixels.value = base64ToFloats(r.data.input);
      else pixelsAsked = false;
    },
    /** The first stage is on screen: its time since the page started loading. */
    drawn() { if (firstStageMs.value === null) firstStageMs.value = Math.round(performance.now()); },
  };
}

export type LensVm = ReturnType<typeof createLensVm>;
