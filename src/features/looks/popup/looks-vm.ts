// "What the network looks for", for one kept result: the kernel playground (a hand-made kernel on the image,
// beside the learned first-layer filters ranked by likeness), a channel up close (the image's patches that
// excite it most), and what a class looks like (its score maximised from noise, four seeds).
import { computed, signal, type ReadonlySignal } from '@preact/signals';
import type { NetLensError } from '../../../shared/protocol';
import type { PopupConnector } from '../../../popup/connector';
import type { ClassVis } from '../../layers/contract';
import type { ChannelMapData, FiltersData, TopPatchesData } from '../../lens/contract';
import { base64ToFloats } from '../../../shared/codecs';
import { KERNELS, rankFilters } from '../kernels';

export const SEEDS = [1, 2, 3, 4];
export const CLASS_VIS_STEPS = 96;
export interface SeedJob { seed: number; jobId: string; status: 'waiting' | 'running' | 'done' | 'error' | 'cancelled'; progress: number; vis: ClassVis | null; error: string | null }

export function createLooksVm(c: PopupConnector, requestId: string, tabId: () => number | null) {
  const filters = signal<(FiltersData & { floats: Float32Array }) | null>(null);
  const kernelName = signal<string>('sobel-x');
  const customKernel = signal<number[] | null>(null);
  const closestMap = signal<ChannelMapData | null>(null);
  const patches = signal<TopPatchesData | null>(null);
  const error = signal<NetLensError | null>(null);
  const classIndex = signal<number | null>(null);
  const head = signal<'imagenet' | 'custom'>('imagenet');
  const seeds = signal<SeedJob[]>([]);
  const channelVis = signal<{ layer: string; channel: number; image: string | null; status: 'idle' | 'running' | 'done' | 'error'; message?: string }>({ layer: '', channel: 0, image: null, status: 'idle' });
  const seen = signal<{ id: string; thumbnail: string; value: number }[]>([]);
  let run = 0;

  const kernel = computed(() => customKernel.value ?? KERNELS[kernelName.value]!.k);
  const ranking = computed(() => (filters.value ? rankFilters(filters.value.floats, filters.value.shape, kernel.value) : []));

  async function lens<T>(query: Parameters<PopupConnector['lens']>[1]): Promise<T | null> {
    const r = await c.lens(requestId, query);
    if (!r.ok) { error.value = r.error; return null; }
    return (r.data ?? null) as T | null;
  }
  async function showClosest() {
    const f = filters.value, best = ranking.value[0];
    if (!f || !best) return;
    closestMap.value = await lens<ChannelMapData>({ kind: 'channel-map', layer: f.output, channel: best.filter });
  }

  return {
    filters: filters as ReadonlySignal<typeof filters.value>,
    kernelName: kernelName as ReadonlySignal<string>,
    kernel, ranking,
    closestMap: closestMap as ReadonlySignal<ChannelMapData | null>,
    patches: patches as ReadonlySignal<TopPatchesData | null>,
    error: error as ReadonlySignal<NetLensError | null>,
    classIndex: classIndex as ReadonlySignal<number | null>,
    head: head as ReadonlySignal<'imagenet' | 'custom'>,
    seeds: seeds as ReadonlySignal<SeedJob[]>,
    running: computed(() => seeds.value.some((s) => s.status === 'running' || s.status === 'waiting')),
    async open(defaultClass: number) {
      if (classIndex.value === null) classIndex.value = defaultClass;
      if (!filters.value) {
        const f = await lens<FiltersData>({ kind: 'filters' });
        if (f) { filters.value = { ...f, floats: base64ToFloats(f.values) }; await showClosest(); }
      }
    },
    async chooseKernel(name: string, custom: number[] | null = null) {
      kernelName.value = name;
      customKernel.value = custom;
      await showClosest();
    },
    channelVis: channelVis as ReadonlySignal<typeof channelVis.value>,
    seen: seen as ReadonlySignal<typeof seen.value>,
    async topPatches(layer: string, channel: number, modelId: string, k = 8) {
      patches.value = await lens<TopPatchesData>({ kind: 'top-patches', layer, channel, k });
      if (channelVis.value.layer !== layer || channelVis.value.channel !== channel) channelVis.value = { layer, channel, image: null, status: 'idle' };
      seen.value = await c.topImages(modelId, layer, channel, 4).catch(() => []);
    },
    /** The channel's feature visualisation (the Layers view's, cached in the model host). */
    async visualiseChannel(layer: string, channel: number, steps: number) {
      const tab = tabId() ?? 0;
      channelVis.value = { layer, channel, image: null, status: 'running' };
      const r = await c.featureVis({ tabId: tab, jobId: crypto.randomUUID(), layer, channel, steps });
      if (channelVis.value.layer !== layer || channelVis.value.channel !== channel) return;
      channelVis.value = r.ok ? { layer, channel, image: r.vis.image, status: 'done' } : { layer, channel, image: null, status: 'error', message: r.error.message };
    },
    chooseClass(i: number, h: 'imagenet' | 'custom' = head.value) { classIndex.value = i; head.value = h; },
    /** Four seeds, one after another (each is a job of its own: progress, cancel, cached). */
    async visualise(steps = CLASS_VIS_STEPS) {
      const k = classIndex.value, tab = tabId() ?? 0;
      if (k === null) return;
      const mine = ++run;
      seeds.value = SEEDS.map((seed) => ({ seed, jobId: crypto.randomUUID(), status: 'waiting', progress: 0, vis: null, error: null }));
      const off = c.onJobProgress((p) => { seeds.value = seeds.value.map((s) => (s.jobId === p.jobId ? { ...s, progress: p.progress } : s)); });
      try {
        for (const job of seeds.value) {
          if (mine !== run) return;
          seeds.value = seeds.value.map((s) => (s.jobId === job.jobId ? { ...s, status: 'running' } : s));
          const r = await c.classVis({ tabId: tab, jobId: job.jobId, classIndex: k, head: head.value, seed: job.seed, steps });
          seeds.value = seeds.value.map((s) => (s.jobId !== job.jobId ? s : r.ok ? { ...s, status: 'done', progress: 1, vis: r.vis }
            : { ...s, status: r.error.code === 'cancelled' ? 'cancelled' : 'error', error: r.error.message }));
          if (!r.ok && r.error.code === 'cancelled') return;
        }
      } finally { off(); }
    },
    async cancel() {
      run++;
      for (const s of seeds.value) if (s.status === 'running' || s.status === 'waiting') await c.cancel(s.jobId);
      seeds.value = seeds.value.map((s) => (s.status === 'running' || s.status === 'waiting' ? { ...s, status: 'cancelled' } : s));
    },
  };
}

export type LooksVm = ReturnType<typeof createLooksVm>;
