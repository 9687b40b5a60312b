// The model host's side of explanations: one job computes a map, a faithfulness check of it, or its sanity
// check. Jobs queue behind each other; the popup cancels the job a newer request replaces.
import type * as tf from '@tensorflow/tfjs';
import type { LayersAdapter } from '../../engine/adapter';
import { RequestError, type JobRegistry } from '../../engine/jobs';
import { remember, type Session } from '../../engine/session';
import type { BackgroundToHost, Handlers } from '../../shared/messages';
import { floatsToBase64 } from '../../shared/codecs';
import type { ExplainResult, SaliencyMap, WireMap } from './contract';
import { faithfulness } from './metrics';
import { getMethod } from './registry';
import { compareMaps, SANITY_THRESHOLD, withRandomisedTop } from './sanity';
import type { ExplainModel } from './types';

/** Saliency maps computed recently, so "Check" and the sanity check reuse the map the user is looking at. */
const MAP_CACHE = 8;

/** Explaining the user's own classes: the model of their trained head on the backbone (null: none trained). */
export type CustomHeads = (backbone: LayersAdapter, modelId: string) => Promise<ExplainModel | null>;

function toWire(m: SaliencyMap): WireMap {
  return { method: m.method, classTarget: m.target, width: m.width, height: m.height, min: m.min, max: m.max, signed: m.signed, ...(m.notes ? { notes: m.notes } : {}), values: floatsToBase64(m.values) };
}

const VERB = { map: 'Computing', check: 'Checking', sanity: 'Randomising' } as const;

export function explainHandlers(session: Session, jobs: JobRegistry, customHeads: CustomHeads | null): Handlers<Extract<BackgroundToHost, { type: 'bg/explain' }>> {
  const maps = new Map<string, SaliencyMap>();
  session.onModelChange(() => maps.clear());

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
      const method = getMethod(req.method);
      const params = { ...method.defaults, ...req.params };
      const target = req.classTarget;
      if (target.index >= adapter.numClasses) throw new RequestError(`class #${target.index} does not exist in ${model.entry.name}`);
      const opts = { signal: job.signal, onProgress, batchSize: 8 };
      const key = `${req.image.requestId}|${model.entry.id}|${req.head ?? 'imagenet'}|${req.method}|${JSON.stringify(Object.entries(params).sort())}|${target.index}`;
      const mapOf = async (o = opts) => {
        const cached = maps.get(key);
        if (cached) return cached;
        const m = await method.explain(adapter, input, target, params, o);
        remember(maps, key, m, MAP_CACHE);
        return m;
      };
      const result: ExplainResult = { jobId: req.jobId, method: req.method, ms: 0, camLayers: adapter.convLayers() };
      if (req.task === 'map') {
        result.map = toWire(await mapOf());
      } else if (req.task === 'check') {
        const map = await mapOf({ ...opts, onProgress: (f) => onProgress(f * 0.2) });
        const f = await faithfulness(adapter, input, map, target, { ...opts, batchSize: 11, onProgress: (x) => onProgress(0.2 + 0.8 * x) });
        result.faithfulness = {
          deletion: f.deletion.auc, insertion: f.insertion.auc, randomDeletion: f.random.deletion, randomInsertion: f.random.insertion,
          deletionCurve: f.deletion.probs, insertionCurve: f.insertion.probs, randomDeletionCurve: f.random.deletionCurve, randomInsertionCurve: f.random.insertionCurve,
        };
      } else {
        const original = await mapOf({ ...opts, onProgress: (f) => onProgress(f * 0.5) });
        const { result: randomised, layers } = await withRandomisedTop(backbone, req.sanityLayers ?? 5, () => method.explain(adapter, input, target, params, { ...opts, onProgress: (f) => onProgress(0.5 + f * 0.5) }));
        const rho = compareMaps(original, randomised);
        result.sanity = { layers, spearman: rho, passes: rho < SANITY_THRESHOLD, map: toWire(randomised) };
      }
      result.ms = Math.round(performance.now() - t0);
      onProgress(1);
      return { ok: true as const, result };
    }),
  };
}
