// The model host's side of explanations: one job computes a map, a faithfulness check of it, or its sanity
// check. Jobs queue behind each other; the popup cancels the job a newer request replaces.
import type * as tf from '@tensorflow/tfjs';
import type { LayersAdapter } from '../../engine/adapter';
import { RequestError, type JobRegistry } from '../../engine/jobs';
import { remember, type Session } from '../../engine/session';
import type { BackgroundToHost, Handlers } from '../../shared/messages';
import { floatsToBase64 } from '../../shared/codecs';
import type { ExplainResult, SaliencyMap, WireMap } from './contract';
import { faithfulness, randomBaseline, type RandomBaseline, type Substrate } from './metrics';
import { compareAll } from './compare';
import { METHODS_LIST } from './catalog';
import { getMethod } from './registry';
import { compareMaps, SANITY_THRESHOLD, withRandomisedTop } from './sanity';
import type { ExplainModel, RunOptions } from './types';

/** Saliency maps computed recently, so "Check" and the sanity check reuse the map the user is looking at. */
const MAP_CACHE = 8;

/** Explaining the user's own classes: the model of their trained head on the backbone (null: none trained). */
export type CustomHeads = (backbone: LayersAdapter, modelId: string) => Promise<ExplainModel | null>;

function toWire(m: SaliencyMap): WireMap {
  return { method: m.method, classTarget: m.target, width: m.width, height: m.height, min: m.min, max: m.max, signed: m.signed, ...(m.notes ? { notes: m.notes } : {}), values: floatsToBase64(m.values) };
}

const VERB = { map: 'Computing', check: 'Checking', sanity: 'Randomising', compare: 'Comparing' } as const;

/** Random baselines per image, class and substrate: they do not depend on the method, and cost ~700 passes. */
const BASELINE_CACHE = 6;

export function explainHandlers(session: Session, jobs: JobRegistry, customHeads: CustomHeads | null): Handlers<Extract<BackgroundToHost, { type: 'bg/explain' }>> {
  const maps = new Map<string, SaliencyMap>();
  const baselines = new Map<string, RandomBaseline>();
  session.onModelChange(() => { maps.clear(); baselines.clear(); });

  return {
    'bg/explain': (req) => session.serveJob(jobs.open(req.jobId), async (job) => {
      const t0 = performance.now();
      const onProgress = (f: number) => job.progress(f, `${VERB[req.task]}…`);
      const { model } = await session.prepare(req);
      const input: tf.Tensor4D = await session.inputFor(req.image, model);
      const backbone = session.adapter(model);
      let adapter: ExplainModel = backbone;
      if (req.head === 'custom') {
        const custom = customHeads ? await customHeads(backbone, model.entry.id) : null;
        if (!custom) throw new RequestError('No classes of yours are trained for this model yet: teach some in “My classes”.', 'no-result');
        if (req.task === 'sanity') throw new RequestError('The sanity check randomises the ImageNet layers; run it on an ImageNet class.');
        adapter = custom;
      }
      const target = req.classTarget;
      if (target.index >= adapter.numClasses) throw new RequestError(`class #${target.index} does not exist in ${model.entry.name}`);
      const opts = { signal: job.signal, onProgress, batchSize: 8 };
      const imageKey = `${req.image.requestId}|${model.entry.id}|${req.head ?? 'imagenet'}|${target.index}`;
      const paramsOf = (id: string) => ({ ...getMethod(id).defaults, ...(id === req.method ? req.params : req.compareParams?.[id] ?? {}) });
      const mapOf = async (id: string, o: RunOptions = opts) => {
        const params = paramsOf(id);
        const key = `${imageKey}|${id}|${JSON.stringify(Object.entries(params).sort())}`;
        const cached = maps.get(key);
        if (cached) return cached;
        const m = await getMethod(id).explain(adapter, input, target, params, o);
        remember(maps, key, m, MAP_CACHE);
        return m;
      };
      const substrate: Substrate = req.substrate ?? 'grey';
      const baselineOf = async (o: RunOptions) => {
        const key = `${imageKey}|${substrate}`;
        const have = baselines.get(key);
        if (have) return have;
        const b = await randomBaseline(adapter, input, target, substrate, { ...o, batchSize: 11 });
        remember(baselines, key, b, BASELINE_CACHE);
        return b;
      };
      const result: ExplainResult = { jobId: req.jobId, method: req.method, ms: 0, camLayers: adapter.convLayers() };
      if (req.task === 'map') {
        result.map = toWire(await mapOf(req.method));
      } else if (req.task === 'check') {
        const map = await mapOf(req.method, { ...opts, onProgress: (f) => onProgress(f * 0.2) });
        const baseline = await baselineOf({ ...opts, onProgress: (f) => onProgress(0.2 + 0.7 * f) });
        const f = await faithfulness(adapter, input, map, target, { ...opts, batchSize: 11, baseline, onProgress: (x) => onProgress(0.9 + 0.1 * x) });
        result.faithfulness = {
          substrate: f.substrate, deletion: f.deletion.auc, insertion: f.insertion.auc, road: f.road.score, roadLevels: f.road.levels,
          deletionCurve: f.deletion.probs, insertionCurve: f.insertion.probs, random: f.random,
        };
      } else if (req.task === 'compare') {
        const methods = req.compareMethods?.length ? req.compareMethods : METHODS_LIST.map((m) => m.id);
        methods.forEach((id) => getMethod(id)); // unknown ids fail before any work
        result.compare = await compareAll({
          adapter, backbone: req.head === 'custom' ? null : backbone, input, target, methods, params: paramsOf, mapOf, baseline: baselineOf,
          sanityLayers: req.sanityLayers ?? 5, toWire,
          opts: { ...opts, onStage: (label, f) => job.progress(f, label) },
        });
      } else {
        const method = getMethod(req.method);
        const original = await mapOf(req.method, { ...opts, onProgress: (f) => onProgress(f * 0.5) });
        const { result: randomised, layers } = await withRandomisedTop(backbone, req.sanityLayers ?? 5, () => method.explain(adapter, input, target, paramsOf(req.method), { ...opts, onProgress: (f) => onProgress(0.5 + f * 0.5) }));
        const rho = compareMaps(original, randomised);
        result.sanity = { layers, spearman: rho, passes: rho < SANITY_THRESHOLD, map: toWire(randomised) };
      }
      result.ms = Math.round(performance.now() - t0);
      onProgress(1);
      return { ok: true as const, result };
    }),
  };
}
