// "Compare all": every chosen method on the same image and class, each map scored by deletion, insertion, ROAD
// and the sanity check, against one random baseline shared by all of them. Runs in the model host.
import type * as tf from '@tensorflow/tfjs';
import type { LayersAdapter } from '../../engine/adapter';
import { faithfulness, type RandomBaseline } from './metrics';
import { rankRows, type Scores } from './ranking';
import { getMethod } from './registry';
import { compareMaps, withRandomisedTop } from './sanity';
import type { CompareResult, Params, SaliencyMap, Target, WireMap } from './contract';
import type { ExplainModel, RunOptions } from './types';
import { throwIfAbortedAsync } from './util';

/** The grid's maps are sent at this size (block averages): enough for a thumbnail, 1/16 of the bytes. */
export const GRID_SIZE = 56;

export function shrinkMap(m: SaliencyMap, size = GRID_SIZE): SaliencyMap {
  if (m.width <= size && m.height <= size) return m;
  const w = Math.min(size, m.width), h = Math.min(size, m.height);
  const values = new Float32Array(w * h), count = new Float32Array(w * h);
  for (let y = 0; y < m.height; y++) {
    const ty = Math.min(h - 1, Math.floor(y * h / m.height));
    for (let x = 0; x < m.width; x++) {
      const t = ty * w + Math.min(w - 1, Math.floor(x * w / m.width));
      values[t]! += m.values[y * m.width + x]!;
      count[t]! += 1;
    }
  }
  for (let i = 0; i < values.length; i++) values[i]! /= count[i]!;
  let min = Infinity, max = -Infinity;
  for (const v of values) { if (v < min) min = v; if (v > max) max = v; }
  return { ...m, width: w, height: h, values, min, max };
}

export interface CompareJob {
  adapter: ExplainModel;
  /** the ImageNet model, whose top layers the sanity check randomises (null: no sanity check, e.g. own classes) */
  backbone: LayersAdapter | null;
  input: tf.Tensor4D;
  target: Target;
  methods: readonly string[];
  params: (id: string) => Params;
  /** the map a method already has for this image and class (the one on screen), or a fresh one */
  mapOf: (id: string, opts: RunOptions) => Promise<SaliencyMap>;
  baseline: (opts: RunOptions) => Promise<RandomBaseline>;
  sanityLayers: number;
  toWire: (m: SaliencyMap) => WireMap;
  opts: RunOptions & { onStage?: (label: string, fraction: number) => void };
}

/** Fractions of the progress bar: maps and their scores, then the randomised model's maps. */
const SHARE = { baseline: 0.15, maps: 0.6, sanity: 0.25 };

export async function compareAll(job: CompareJob): Promise<CompareResult> {
  const { adapter, input, target, methods, opts } = job;
  const stage = (label: string, f: number) => opts.onStage?.(label, f);
  const random = await job.baseline({ ...opts, onProgress: (f) => stage('Random baseline…', SHARE.baseline * f) });
  const rows: (Omit<Scores, 'map'> & { full: SaliencyMap })[] = [];
  for (const [i, id] of methods.entries()) {
    await throwIfAbortedAsync(opts.signal);
    const name = getMethod(id).name;
    const at = (f: number) => stage(`${name} (${i + 1}/${methods.length})…`, SHARE.baseline + SHARE.maps * (i + f) / methods.length);
    const t0 = performance.now();
    const map = await job.mapOf(id, { ...opts, onProgress: (f) => at(0.6 * f) });
    const ms = Math.round(performance.now() - t0);
    const f = await faithfulness(adapter, input, map, target, { ...opts, baseline: random, onProgress: (x) => at(0.6 + 0.4 * x) });
    rows.push({ method: id, ms, full: map, deletion: f.deletion.auc, insertion: f.insertion.auc, road: f.road.score, spearman: null });
  }
  let sanityLayers: string[] = [];
  if (job.backbone) {
    const { layers } = await withRandomisedTop(job.backbone, job.sanityLayers, async () => {
      for (const [i, row] of rows.entries()) {
        await throwIfAbortedAsync(opts.signal);
        const m = getMethod(row.method);
        const at = (f: number) => stage(`${m.name} with random top layers (${i + 1}/${rows.length})…`, SHARE.baseline + SHARE.maps + SHARE.sanity * (i + f) / rows.length);
        const randomised = await m.explain(adapter, input, target, job.params(row.method), { ...opts, onProgress: at });
        row.spearman = compareMaps(row.full, randomised);
      }
    });
    sanityLayers = layers;
  }
  const ranked = rankRows(rows.map(({ full, ...r }) => ({ ...r, map: job.toWire(shrinkMap(full)) })), random);
  return { rows: ranked, random, sanityLayers };
}
