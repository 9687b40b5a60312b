// The Layers view model, driven through a mock connector (the only thing mocked): which layers it asks for and
// when, what it saves, how it decodes the wire form, how it pages, and how it runs feature visualisations.
import { signal } from '@preact/signals';
import { afterEach, describe, expect, test, vi } from 'vitest';
import type { FeatureVis, LayerActivations, LayerInfo } from '../../src/features/layers/contract';
import type { Replies } from '../../src/shared/messages';
import type { TabState } from '../../src/features/classify/contract';
import { base64ToBytes, base64ToFloats, floatsToBase64 } from '../../src/shared/codecs';
import type { PopupConnector } from '../../src/popup/connector';
import { mockConnector as typedMock } from '../support/connector';
import { channelValues, decodeActivations, dequantise, flatValues, pageOf, pixelValues, PER_PAGE } from '../../src/features/layers/popup/decode';
import { createLayersVm, VIS_STEPS } from '../../src/features/layers/popup/layers-vm';

vi.mock('webextension-polyfill', () => ({ default: {} }));

const bytesToBase64 = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64');

/** Quantises like the model host does: per channel between its own min and max, channel-major. */
function makeActivations(name: string, [h, w, c]: [number, number, number], f: (ch: number, y: number, x: number) => number, extra: Partial<LayerActivations> = {}): LayerActivations {
  const mins = new Float32Array(c), maxs = new Float32Array(c), means = new Float32Array(c);
  const q = new Uint8Array(h * w * c);
  let zeros = 0, sum = 0, max = -Infinity;
  for (let ch = 0; ch < c; ch++) {
    const vals: number[] = [];
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) vals.push(Math.fround(f(ch, y, x)));
    const mn = Math.min(...vals), mx = Math.max(...vals);
    mins[ch] = mn; maxs[ch] = mx;
    means[ch] = vals.reduce((s, v) => s + v, 0) / vals.length;
    vals.forEach((v, i) => {
      q[ch * h * w + i] = Math.round(((v - mn) / Math.max(mx - mn, 1e-12)) * 255);
      if (v === 0) zeros++;
      sum += v;
      if (v > max) max = v;
    });
  }
  const order = Array.from({ length: c }, (_, i) => i).sort((a, b) => means[b]! - means[a]! || a - b);
  return {
    name, shape: [h, w, c], data: bytesToBase64(q), mins: floatsToBase64(mins), maxs: floatsToBase64(maxs), means: floatsToBase64(means),
    order, stats: { sparsity: zeros / (h * w * c), mean: sum / (h * w * c), max }, ...extra,
  };
}

const LAYERS: LayerInfo[] = [
  { index: 0, name: 'input_1', className: 'InputLayer', kind: 'input', shape: [4, 4, 3], params: 0, rf: { size: 1, jump: 1 } },
  { index: 1, name: 'conv1', className: 'Conv2D', kind: 'conv', shape: [2, 2, 8], params: 216, rf: { size: 3, jump: 2 } },
  { index: 2, name: 'conv1_relu', className: 'ReLU', kind: 'activation', shape: [2, 2, 8], params: 0, rf: { size: 3, jump: 2 } },
  { index: 3, name: 'block', className: 'Conv2D', kind: 'conv', shape: [2, 2, 60], params: 480, rf: { size: 7, jump: 2 } },
  { index: 4, name: 'pool', className: 'GlobalAveragePooling2D', kind: 'pool', shape: [60], params: 0, rf: null },
  { index: 5, name: 'preds', className: 'Dense', kind: 'dense', shape: [10], params: 610, rf: null },
];
const SHAPES: Record<string, [number, number, number]> = { input_1: [4, 4, 3], conv1: [2, 2, 8], conv1_relu: [2, 2, 8], block: [2, 2, 60], pool: [1, 1, 60], preds: [1, 1, 10] };
const DEFAULTS = ['preds', 'input_1', 'conv1_relu']; // out of order on purpose

function result(requestId: string, modelId = 'm1'): TabState {
  return {
    status: 'done', requestId,
    result: {
      requestId, modelId, modelName: 'Model One', backend: 'cpu', backendReason: 'test', predictions: [{ index: 3, className: 'kite', prob: 0.9 }],
      elapsedMs: 1, totalMs: 2, image: { width: 4, height: 4, originalWidth: 4, originalHeight: 4 }, thumbnail: 'data:image/png;base64,', source: { kind: 'img', url: 'https://x/y.jpg' }, at: 0,
    },
  };
}

function mockConnector(opts: { saved?: string[] | null } = {}) {
  const saved = new Map<string, string[]>();
  if (opts.saved) saved.set('m1', opts.saved);
  let progress: ((p: { jobId: string; progress: number; message: string }) => void) | null = null;
  const visReplies: ((r: Replies['popup/feature-vis']) => void)[] = [];
  const c = {
    layers: vi.fn(async (): Promise<Replies['popup/layers']> => ({ ok: true, modelId: 'm1', modelName: 'Model One', layers: LAYERS, defaults: DEFAULTS })),
    topImages: vi.fn(async () => []),
    seenCount: vi.fn(async () => 0),
    clearSeen: vi.fn(async () => {}),
    activations: vi.fn(async (_tabId: number, names: string[]): Promise<Replies['popup/activations']> => ({
      ok: true, ms: 12, bytes: 100,
      activations: names.map((n) => makeActivations(n, SHAPES[n]!, (ch, y, x) => (ch + 1) * (y * 2 + x) * 0.1)),
    })),
    featureVis: vi.fn((_req: Parameters<PopupConnector['featureVis']>[0]) => new Promise<Replies['popup/feature-vis']>((res) => visReplies.push(res))),
    cancel: vi.fn(async () => {}),
    onJobProgress: vi.fn((cb: (p: { jobId: string; progress: number; message: string }) => void) => { progress = cb; return () => { progress = null; }; }),
    layerToggles: vi.fn(async (modelId: string) => saved.get(modelId) ?? null),
    saveLayerToggles: vi.fn(async (modelId: string, layers: string[]) => { saved.set(modelId, layers); }),
    labels: vi.fn(async () => ['a', 'b', 'c', 'kite', 'e', 'f', 'g', 'h', 'i', 'j']),
  };
  return { c, saved, emitProgress: (p: { jobId: string; progress: number; message: string }) => progress?.(p), visReplies };
}

function setup(opts: { saved?: string[] | null } = {}) {
  const m = mockConnector(opts);
  const tab = signal<TabState | null>(result('r1'));
  const vm = createLayersVm(typedMock(m.c), () => 7, tab);
  return { ...m, tab, vm };
}

const flushAll = () => new Promise((r) => setTimeout(r, 0));

afterEach(() => vi.restoreAllMocks());

describe('layer toggles', () => {
  test('defaults are applied when nothing is saved, in network order, fetched in ONE request', async () => {
    const { vm, c } = setup();
    await vm.start();
    await vm.open();
    expect(c.layerToggles).toHaveBeenCalledWith('m1');
    expect(vm.toggles.value).toEqual(['input_1', 'conv1_relu', 'preds']);
    expect(c.activations).toHaveBeenCalledTimes(1);
    expect(c.activations).toHaveBeenCalledWith(7, ['input_1', 'conv1_relu', 'preds']);
    expect(vm.views.value.map((v) => [v.info.name, v.state.status])).toEqual([['input_1', 'ready'], ['conv1_relu', 'ready'], ['preds', 'ready']]);
    expect(c.saveLayerToggles).not.toHaveBeenCalled(); // defaults are not written until the user changes something
  });

  test('saved toggles win over the defaults; unknown saved names are dropped', async () => {
    const { vm, c } = setup({ saved: ['block', 'gone_layer', 'conv1'] });
    await vm.open();
    expect(vm.toggles.value).toEqual(['conv1', 'block']);
    expect(c.activations).toHaveBeenCalledTimes(1);
    expect(c.activations).toHaveBeenCalledWith(7, ['conv1', 'block']);
  });

  test('toggling saves per model and requests only the missing layer', async () => {
    const { vm, c, saved } = setup();
    await vm.open();
    c.activations.mockClear();
    await vm.toggle('block', true);
    expect(c.saveLayerToggles).toHaveBeenLastCalledWith('m1', ['input_1', 'conv1_relu', 'block', 'preds']);
    expect(saved.get('m1')).toEqual(['input_1', 'conv1_relu', 'block', 'preds']);
    expect(c.activations).toHaveBeenCalledTimes(1);
    expect(c.activations).toHaveBeenCalledWith(7, ['block']);
    expect(vm.views.value.find((v) => v.info.name === 'block')?.state.status).toBe('ready');

    // off: its view goes, and the choice is saved
    await vm.toggle('block', false);
    expect(vm.views.value.map((v) => v.info.name)).not.toContain('block');
    expect(saved.get('m1')).toEqual(['input_1', 'conv1_relu', 'preds']);
    // on again: already loaded, nothing asked
    await vm.toggle('block', true);
    expect(c.activations).toHaveBeenCalledTimes(1);
    // a layer already shown: no-op
    await vm.toggle('preds', true);
    expect(c.activations).toHaveBeenCalledTimes(1);
  });

  test('several toggles changed together go out as one request', async () => {
    const { vm, c } = setup();
    await vm.open();
    c.activations.mockClear();
    await Promise.all([vm.toggle('pool', true), vm.toggle('conv1', true), vm.toggle('block', true)]);
    expect(c.activations).toHaveBeenCalledTimes(1);
    expect(c.activations).toHaveBeenCalledWith(7, ['conv1', 'block', 'pool']);
    c.activations.mockClear();
    await vm.setToggles(['input_1', 'conv1', 'conv1_relu', 'block', 'pool', 'preds']);
    expect(c.activations).not.toHaveBeenCalled(); // all loaded
    await vm.setToggles([]);
    expect(vm.views.value).toEqual([]);
    await vm.resetToggles();
    expect(vm.toggles.value).toEqual(['input_1', 'conv1_relu', 'preds']);
    expect(c.activations).not.toHaveBeenCalled();
  });

  test('a new result reloads the toggled layers in one request; a late answer for the old one is ignored', async () => {
    const { vm, c, tab } = setup();
    let release!: () => void;
    c.activations.mockImplementationOnce(async (_t, names) => {
      await new Promise<void>((r) => { release = r; });
      return { ok: true, ms: 1, bytes: 1, activations: names.map((n) => makeActivations(n, SHAPES[n]!, () => 99)) };
    });
    const first = vm.open();
    await flushAll();
    expect(c.activations).toHaveBeenCalledTimes(1);
    tab.value = result('r2');
    const second = vm.open();
    await flushAll();
    release();
    await Promise.all([first, second]);
    expect(c.activations).toHaveBeenCalledTimes(2);
    expect(c.activations).toHaveBeenLastCalledWith(7, ['input_1', 'conv1_relu', 'preds']);
    expect(c.layers).toHaveBeenCalledTimes(1); // same model: the layer list is kept
    const input = vm.views.value[0]!.state;
    expect(input.status === 'ready' && input.data.maxs[0]).not.toBe(99); // the stale answer did not land
    await vm.open(); // same result again: nothing to do
    expect(c.activations).toHaveBeenCalledTimes(2);
  });

  test('errors are per layer and can be retried', async () => {
    const { vm, c } = setup();
    c.activations.mockResolvedValueOnce({ ok: false, error: { code: 'backend-failed', message: 'boom' } });
    await vm.open();
    expect(vm.views.value.every((v) => v.state.status === 'error')).toBe(true);
    await vm.retryLayer('conv1_relu');
    expect(c.activations).toHaveBeenLastCalledWith(7, ['conv1_relu']);
    expect(vm.views.value.find((v) => v.info.name === 'conv1_relu')?.state.status).toBe('ready');
  });

  test('a failed layer list is shown as an error and can be retried', async () => {
    const { vm, c } = setup();
    c.layers.mockResolvedValueOnce({ ok: false, error: { code: 'bad-request', message: 'unknown message' } });
    await vm.open();
    expect(vm.listing.value).toMatchObject({ status: 'error', error: { message: 'unknown message' } });
    expect(c.activations).not.toHaveBeenCalled();
    await vm.retryListing();
    expect(vm.listing.value.status).toBe('ready');
    expect(c.activations).toHaveBeenCalledTimes(1);
  });

  test('no answer, or a rejected message, becomes an error instead of hanging', async () => {
    const { vm, c } = setup();
    c.layers.mockResolvedValueOnce(undefined as unknown as Replies['popup/layers']);
    await vm.open();
    expect(vm.listing.value).toMatchObject({ status: 'error', error: { code: 'internal' } });
    c.activations.mockRejectedValueOnce(new Error('Could not establish connection'));
    await vm.retryListing();
    expect(vm.views.value.map((v) => v.state)).toEqual(Array(3).fill({ status: 'error', error: { code: 'interrupted', message: 'The extension did not answer (Could not establish connection).' } }));
  });

  test('the filter matches name, class and shape', async () => {
    const { vm } = setup();
    await vm.open();
    vm.setFilter('RELU');
    expect(vm.shown.value.map((x) => x.name)).toEqual(['conv1_relu']);
    vm.setFilter('2×2×60');
    expect(vm.shown.value.map((x) => x.name)).toEqual(['block']);
    vm.setFilter('dense');
    expect(vm.shown.value.map((x) => x.name)).toEqual(['preds']);
    vm.setFilter('');
    expect(vm.shown.value).toHaveLength(LAYERS.length);
  });
});

describe('decoding', () => {
  test('a channel decodes from uint8 + min/max, exactly at the endpoints', () => {
    const vals = [-1.3371, 0.25, 0, 2.7182818, 1e-3, -0.5]; // one channel, 2×3
    const a = makeActivations('x', [2, 3, 2], (ch, y, x) => (ch === 0 ? vals[y * 3 + x]! : 0.1 * (y + x)));
    const d = decodeActivations(a);
    expect([d.h, d.w, d.c]).toEqual([2, 3, 2]);
    const v = channelValues(d, 0)!;
    expect(v[0]).toBe(Math.fround(-1.3371)); // q = 0 → min, bit for bit
    expect(v[3]).toBe(Math.fround(2.7182818)); // q = 255 → max, bit for bit
    expect(d.mins[0]).toBe(Math.fround(-1.3371));
    const step = (2.7182818 + 1.3371) / 255;
    for (let i = 0; i < vals.length; i++) expect(Math.abs(v[i]! - vals[i]!)).toBeLessThanOrEqual(step / 2 + 1e-6);
    const v1 = channelValues(d, 1)!;
    expect(v1[0]).toBe(0);
    expect(v1[5]).toBe(Math.fround(0.3));
    // endpoints for awkward float32 pairs too
    for (const [lo, hi] of [[0.1, 0.3], [-7.25, 1e-7], [3.3333333, 3.3333334], [0, 6]] as const) {
      const mn = Math.fround(lo), mx = Math.fround(hi);
      expect(Math.fround(dequantise(0, mn, mx))).toBe(mn);
      expect(Math.fround(dequantise(255, mn, mx))).toBe(mx);
    }
  });

  test('base64ToBytes is the inverse of the wire encoding', () => {
    const b = Uint8Array.from({ length: 70_001 }, (_, i) => (i * 37) & 255);
    const back = base64ToBytes(bytesToBase64(b));
    expect(back.length).toBe(b.length);
    expect(Buffer.from(back).equals(Buffer.from(b))).toBe(true);
    const f = Float32Array.from([1.5, -2, Math.PI]);
    expect(base64ToFloats(floatsToBase64(f))).toEqual(f);
  });

  test('1-D layers give one value per channel; the input layer gives the exact floats at a pixel', () => {
    const pool = decodeActivations(makeActivations('pool', [1, 1, 5], (ch) => ch * 0.5 - 1));
    expect(Array.from(flatValues(pool))).toEqual([-1, -0.5, 0, 0.5, 1]);
    const floats = Float32Array.from({ length: 4 * 4 * 3 }, (_, i) => (i % 7) / 7 - 0.5);
    const input = decodeActivations(makeActivations('input_1', [4, 4, 3], (ch, y, x) => floats[(y * 4 + x) * 3 + ch]!, { floats: floatsToBase64(floats) }));
    expect(pixelValues(input, 2, 1)).toEqual(Array.from(floats.subarray((1 * 4 + 2) * 3, (1 * 4 + 2) * 3 + 3)));
    expect(pixelValues(input, 4, 0)).toBeNull();
  });

  test('paging follows `order` (highest mean first), and clamps', () => {
    const c = 60;
    const a = makeActivations('block', [2, 2, c], (ch, y, x) => ((ch * 37) % c) + y + x);
    const d = decodeActivations(a);
    expect(d.order).toEqual(a.order);
    const means = Array.from(d.means);
    for (let i = 1; i < c; i++) expect(means[d.order[i - 1]!]!).toBeGreaterThanOrEqual(means[d.order[i]!]!);
    expect(pageOf(d.order, 0)).toEqual(a.order.slice(0, PER_PAGE));
    expect(pageOf(d.order, 1)).toEqual(a.order.slice(PER_PAGE, 2 * PER_PAGE));
    expect(pageOf(d.order, 2)).toEqual(a.order.slice(2 * PER_PAGE));
    expect(pageOf(d.order, 9)).toEqual(pageOf(d.order, 2));
    expect([0, 1, 2].flatMap((p) => pageOf(d.order, p)).sort((x, y) => x - y)).toEqual(Array.from({ length: c }, (_, i) => i));
  });

  test('a layer arrives with its first page of maps; turning the page fetches the next maps once, and they decode as the whole would', async () => {
    const { vm, c } = setup({ saved: ['input_1', 'block'] });
    const full = (n: string) => makeActivations(n, SHAPES[n]!, (ch, y, x) => ((ch * 37) % 60) + y + x * 0.5 + (n === 'input_1' ? 0.25 : 0));
    const floats = Float32Array.from({ length: 4 * 4 * 3 }, (_, i) => i / 48);
    // what the model host sends: every statistic, the maps of `channels` (default: the first page), floats if asked
    const wire = (a: LayerActivations, channels: number[] | undefined, withFloats: boolean): LayerActivations => {
      const [h, w, ch] = a.shape, n = h * w, q = base64ToBytes(a.data);
      const chosen = channels ?? (ch > PER_PAGE ? a.order.slice(0, PER_PAGE) : undefined);
      const out = { ...a, ...(a.name === 'input_1' ? { input: true as const } : {}), ...(withFloats ? { floats: floatsToBase64(floats) } : {}) };
      if (!chosen) return out;
      const data = new Uint8Array(chosen.length * n);
      chosen.forEach((k, i) => data.set(q.subarray(k * n, (k + 1) * n), i * n));
      return { ...out, data: bytesToBase64(data), channels: chosen };
    };
    c.activations.mockImplementation(async (_t: number, names: string[], opts?: { channels?: number[]; floats?: boolean }) => ({
      ok: true, ms: 1, bytes: 1, activations: names.map((n) => wire(full(n), opts?.channels, opts?.floats === true)),
    }));
    await vm.open();
    const block = () => { const s = vm.views.value.find((v) => v.info.name === 'block')!.state; if (s.status !== 'ready') throw new Error(s.status); return s.data; };
    const whole = decodeActivations(full('block'));
    const page1 = pageOf(whole.order, 1);
    expect(page1.every((ch) => channelValues(block(), ch) === null)).toBe(true); // not sent yet
    expect(pageOf(whole.order, 0).every((ch) => channelValues(block(), ch) !== null)).toBe(true);
    await vm.setPage('block', 1);
    expect(c.activations).toHaveBeenLastCalledWith(7, ['block'], { channels: page1 });
    for (const ch of [...pageOf(whole.order, 0), ...page1]) expect(Array.from(channelValues(block(), ch)!)).toEqual(Array.from(channelValues(whole, ch)!));
    const calls = c.activations.mock.calls.length;
    await vm.setPage('block', 0);
    await vm.setPage('block', 1);
    expect(c.activations.mock.calls.length).toBe(calls); // both pages are in: nothing more to ask
    // the input's floats: on the first click only, then kept
    const input = () => { const s = vm.views.value.find((v) => v.info.name === 'input_1')!.state; if (s.status !== 'ready') throw new Error(s.status); return s.data; };
    expect(input().isInput).toBe(true);
    expect(pixelValues(input(), 1, 1)).toBeNull();
    await vm.loadFloats('input_1');
    expect(c.activations).toHaveBeenLastCalledWith(7, ['input_1'], { channels: [], floats: true });
    expect(pixelValues(input(), 1, 1)).toEqual(Array.from(floats.subarray(15, 18)));
    await vm.loadFloats('input_1');
    expect(c.activations.mock.calls.length).toBe(calls + 1);
  });

  test('a reply whose data does not fit its shape becomes a layer error, not a crash', async () => {
    const { vm, c } = setup();
    c.activations.mockImplementationOnce(async (_t, names) => ({
      ok: true, ms: 1, bytes: 1, activations: names.map((n) => ({ ...makeActivations(n, SHAPES[n]!, () => 1), data: bytesToBase64(new Uint8Array(3)) })),
    }));
    await vm.open();
    expect(vm.views.value.map((v) => v.state.status)).toEqual(['error', 'error', 'error']);
  });
});

describe('feature visualisation', () => {
  const vis = (over: Partial<FeatureVis> = {}): FeatureVis => ({ layer: 'conv1_relu', channel: 5, steps: VIS_STEPS, image: 'data:image/png;base64,AAAA', startActivation: 0.2, finalActivation: 3.1, ms: 900, cached: false, ...over });

  test('opening a channel computes it with progress; the result lands', async () => {
    const { vm, c, emitProgress, visReplies } = setup();
    await vm.start();
    await vm.open();
    vm.openChannel('conv1_relu', 5);
    expect(vm.detail.value).toEqual({ layer: 'conv1_relu', channel: 5 });
    expect(c.featureVis).toHaveBeenCalledTimes(1);
    const req = c.featureVis.mock.calls[0]![0];
    expect(req).toMatchObject({ tabId: 7, layer: 'conv1_relu', channel: 5, steps: 256 });
    expect(req.jobId).toMatch(/^[0-9a-f-]{36}$/);
    emitProgress({ jobId: 'someone-else', progress: 0.9, message: '' });
    emitProgress({ jobId: req.jobId, progress: 0.4, message: 'step 100' });
    expect(vm.vis.value).toMatchObject({ status: 'running', progress: 0.4 });
    visReplies[0]!({ ok: true, vis: vis() });
    await flushAll();
    expect(vm.vis.value).toMatchObject({ status: 'ready', vis: { finalActivation: 3.1 } });
    vm.openChannel('conv1_relu', 5); // same channel: nothing new
    expect(c.featureVis).toHaveBeenCalledTimes(1);
  });

  test('closing the detail, switching channel, or closing the popup cancels the running job', async () => {
    const { vm, c, visReplies } = setup();
    await vm.start();
    await vm.open();
    vm.openChannel('conv1_relu', 1);
    const job1 = c.featureVis.mock.calls[0]![0].jobId;
    vm.openChannel('conv1_relu', 2);
    expect(c.cancel).toHaveBeenCalledWith(job1);
    const job2 = c.featureVis.mock.calls[1]![0].jobId;
    visReplies[0]!({ ok: false, error: { code: 'cancelled', message: 'cancelled' } });
    await flushAll();
    expect(vm.vis.value).toMatchObject({ status: 'running', jobId: job2 }); // the old answer does not clobber the new job
    vm.closeDetail();
    expect(c.cancel).toHaveBeenCalledWith(job2);
    expect(vm.detail.value).toBeNull();
    vm.openChannel('conv1_relu', 3);
    const job3 = c.featureVis.mock.calls[2]![0].jobId;
    vm.stop();
    expect(c.cancel).toHaveBeenCalledWith(job3);
    expect(vm.vis.value.status).toBe('idle');
  });

  test('hiding the layer closes its detail; an error is shown and can be retried', async () => {
    const { vm, c, visReplies } = setup();
    await vm.open();
    vm.openChannel('conv1_relu', 1);
    visReplies[0]!({ ok: false, error: { code: 'internal', message: 'no gradients' } });
    await flushAll();
    expect(vm.vis.value).toMatchObject({ status: 'error', error: { message: 'no gradients' } });
    vm.retryVis();
    expect(c.featureVis).toHaveBeenCalledTimes(2);
    await vm.toggle('conv1_relu', false);
    expect(vm.detail.value).toBeNull();
    expect(c.cancel).toHaveBeenCalledTimes(1);
  });
});

describe('in the popup view model', () => {
  test('the Layers page opens the layers; a new result while it is shown reloads them', async () => {
    vi.stubGlobal('location', { search: '' });
    const { createViewModel } = await import('../../src/popup/viewmodel');
    const m = mockConnector();
    let onTab: ((s: TabState | null) => void) | null = null;
    const c = {
      ...m.c,
      tabId: async () => 7,
      tabState: async () => result('r1'),
      hostStatus: async () => null,
      settings: async () => ({ modelId: 'm1', backend: 'auto' as const, mode: 'imagenet' as const, theme: 'system' as const, seenCap: 300, wasmThreads: 0 }),
      backendChoice: async () => null,
      explainSettings: async () => ({ method: 'grad-cam', compareMethod: null, opacity: 0.5, params: {}, substrate: 'grey' as const }),
      preload: async () => ({ ok: true as const, backend: { backend: 'cpu' as const, reason: '' } }),
      connect: () => () => {},
      watch: (_id: number | null, on: { tab(s: TabState | null): void }) => { onTab = on.tab; return () => {}; },
      // the My classes view model starts with the popup too
      classes: async () => [],
      head: async () => null,
      trainingState: async () => null,
      teachStatus: async () => null,
      watchTraining: () => () => {},
      watchTeachStatus: () => () => {},
    };
    const vm = createViewModel(typedMock(c));
    await vm.start();
    expect(m.c.layers).not.toHaveBeenCalled(); // nothing until the page is shown
    vm.showPage('layers');
    await vi.waitFor(() => expect(vm.layers.views.value.map((v) => v.state.status)).toEqual(['ready', 'ready', 'ready']));
    expect(m.c.activations).toHaveBeenCalledTimes(1);
    onTab!(result('r2'));
    await vi.waitFor(() => expect(m.c.activations).toHaveBeenCalledTimes(2));
    vm.stop();
    vi.unstubAllGlobals();
  });
});
