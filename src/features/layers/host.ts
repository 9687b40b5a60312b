// The model host's side of the Layers view: the layer list, every requested layer's activations from one pass,
// feature visualisation (cached in IndexedDB), and the per-image channel means behind "images that excite
// this channel most".
import * as tf from '@tensorflow/tfjs';
import { RequestError, type JobRegistry } from '../../engine/jobs';
import type { NetLensModel } from '../../engine/model';
import type { Session } from '../../engine/session';
import type { SeenImage } from '../../shared/db';
import type { BackgroundToHost, Handlers } from '../../shared/messages';
import { ActivationCache, computeActivations, describeLayers, firstPage, toWire } from './activations';
import type { ClassVis, FeatureVis } from './contract';
import { classVisKey, visualiseClass } from './class-vis';
import type { CustomHeads } from '../explain/host';
import { visualiseChannel } from './feature-vis';

/** Where finished feature visualisations are kept (IndexedDB in the model host). */
interface VisCache { get(key: string): Promise<FeatureVis | ClassVis | undefined>; put(key: string, v: FeatureVis | ClassVis): Promise<void> }
const isClassVis = (v: FeatureVis | ClassVis): v is ClassVis => 'classIndex' in v;
interface SeenStore { add(entry: SeenImage, cap?: number): Promise<void> }
/** Turns RGBA pixels into a PNG data URL (needs a canvas; the model host supplies it). */
type EncodePng = (pixels: Uint8ClampedArray, width: number, height: number) => Promise<string>;
export interface LayersServices { visCache?: VisCache; seen?: SeenStore; encodePng?: EncodePng }

type LayersMessages = Extract<BackgroundToHost, { type: 'bg/layers' | 'bg/activations' | 'bg/feature-vis' | 'bg/class-vis' }>;

/** One pass over the toggled layers of a classified image: each channel's mean, for "what excites a channel". */
async function channelMeans(model: NetLensModel, input: tf.Tensor4D, layers: string[]): Promise<Record<string, Float32Array> | null> {
  const present = layers.filter((n) => model.model.layers.some((l) => l.name === n && (l.outputShape as number[]).length === 4));
  if (!present.length) return null;
  const means = tf.tidy(() => model.layerOutputs(input, present).map((y) => y.mean([0, 1, 2])));
  const values = await Promise.all(means.map(async (t) => Float32Array.from(await t.data())));
  means.forEach((t) => t.dispose());
  return Object.fromEntries(present.map((n, i) => [n, values[i]!]));
}

/** The user's own classes, for visualising them: their explainable model on a backbone, and their names. */
export interface CustomClasses { heads: CustomHeads; names(modelId: string): Promise<string[]> }

export function layersHandlers(session: Session, jobs: JobRegistry, services: LayersServices, custom: CustomClasses | null = null): Handlers<LayersMessages> {
  const packed = new ActivationCache();
  return {
    'bg/layers': (req) => session.serve(async () => {
      const { model } = await session.prepare(req);
      return { ok: true as const, modelId: model.entry.id, modelName: model.entry.name, layers: describeLayers(model.model, model.entry), defaults: model.entry.layers.show };
    }),

    'bg/activations': (req) => session.serve(async () => {
      const t0 = performance.now();
      const { model } = await session.prepare(req);
      // Paging through channels reads the packed layers of this image again: no second forward pass.
      const key = `${model.entry.id}|${req.image.requestId}|${req.classIndex}`;
      const { found, missing } = packed.get(key, req.layers);
      if (missing.length) {
        const input = await session.inputFor(req.image, model);
        const fresh = await computeActivations(model, input, missing, { classIndex: req.classIndex });
        packed.put(key, fresh);
        found.push(...fresh);
      }
      const byName = new Map(found.map((p) => [p.name, p]));
      const activations = req.layers.flatMap((n) => { const p = byName.get(n); return p ? [toWire(p, req.channels ?? firstPage(p), req.floats === true)] : []; });
      const bytes = activations.reduce((sum, a) => sum + a.data.length + a.mins.length + a.maxs.length + a.means.length + (a.floats?.length ?? 0), 0);
      return { ok: true as const, activations, ms: Math.round(performance.now() - t0), bytes };
    }),

    /** Activation maximisation for one channel; cached per (model, layer, channel, steps). */
    'bg/feature-vis': (req) => session.serveJob(jobs.open(req.jobId, 150), async (job) => {
      const key = `${req.modelId}|${req.layer}|${req.channel}|${req.steps}`;
      const hit = await services.visCache?.get(key).catch(() => undefined);
      if (hit && !isClassVis(hit)) return { ok: true as const, vis: { ...hit, cached: true } };
      const t0 = performance.now();
      const { model } = await session.prepare(req);
      const adapter = session.adapter(model);
      const idx = model.model.layers.findIndex((l) => l.name === req.layer);
      if (idx < 0) throw new RequestError(`${model.entry.name} has no layer "${req.layer}"`);
      const layer = model.model.layers[idx]!;
      const shape = layer.outputShape as number[];
      if (shape.length !== 4) throw new RequestError(`"${req.layer}" has no spatial channels to visualise`);
      if (req.channel >= (shape[3] ?? 0)) throw new RequestError(`"${req.layer}" has ${shape[3]} channels`);
      // A ReLU-type activation caps and flattens the signal: optimise the value just before it instead.
      const isActivation = /Activation|ReLU/.test(layer.getClassName());
      const objective = isActivation && idx > 0 ? model.model.layers[idx - 1]!.name : req.layer;
      const onProgress = (f: number) => job.progress(f, 'Optimising the image…');
      const r = await visualiseChannel(adapter, adapter.split(objective).features, req.channel, { steps: req.steps, signal: job.signal, onProgress }, adapter.split(req.layer).features);
      if (!services.encodePng) throw new Error('no PNG encoder in this model host');
      const vis: FeatureVis = {
        layer: req.layer, channel: req.channel, steps: req.steps, image: await services.encodePng(r.pixels, r.width, r.height),
        startActivation: r.startActivation, finalActivation: r.finalActivation, ms: Math.round(performance.now() - t0), cached: false,
      };
      await services.visCache?.put(key, vis).catch(() => undefined);
      return { ok: true as const, vis };
    }),

    /** A class's picture for one seed; cached per (model, head, class, seed, steps). */
    'bg/class-vis': (req) => session.serveJob(jobs.open(req.jobId, 150), async (job) => {
      const { model } = await session.prepare(req);
      const key = classVisKey(model.entry.id, req);
      const hit = await services.visCache?.get(key).catch(() => undefined);
      if (hit && isClassVis(hit)) return { ok: true as const, vis: { ...hit, cached: true } };
      const t0 = performance.now();
      const backbone = session.adapter(model);
      const explainer = req.head === 'custom' ? (await custom?.heads(backbone, model.entry.id)) ?? null : backbone;
      if (!explainer) throw new RequestError('No classes of yours are trained for this model yet: teach some in “My classes”.', 'no-result');
      if (req.classIndex >= explainer.numClasses) throw new RequestError(`class #${req.classIndex} does not exist here`);
      const names = req.head === 'custom' ? (await custom?.names(model.entry.id)) ?? [] : model.labels;
      const r = await visualiseClass(explainer, req.classIndex, { steps: req.steps, seed: req.seed, signal: job.signal, onProgress: (f) => job.progress(f, 'Dreaming up the class…') });
      if (!services.encodePng) throw new Error('no PNG encoder in this model host');
      const vis: ClassVis = {
        classIndex: req.classIndex, className: names[req.classIndex] ?? `class ${req.classIndex}`, head: req.head, seed: req.seed, steps: req.steps,
        image: await services.encodePng(r.pixels, r.width, r.height), startScore: r.startScore, finalScore: r.finalScore,
        top: { index: r.top.index, className: names[r.top.index] ?? `class ${r.top.index}`, prob: r.top.prob }, won: r.top.index === req.classIndex,
        ms: Math.round(performance.now() - t0), cached: false,
      };
      await services.visCache?.put(key, vis).catch(() => undefined);
      return { ok: true as const, vis };
    }),
  };
}

/** After a classification, at the back of the queue: remember the image with its toggled layers' channel means. */
export function rememberSeen(session: Session, seen: SeenStore, requestId: string, model: NetLensModel, layers: string[], record: { url: string; thumbnail: string }, cap?: number): void {
  if (!layers.length || cap === 0) return;
  void session.queue.run(async () => {
    const input = session.cachedInput(requestId, model);
    if (!input || session.model !== model) return;
    const means = await channelMeans(model, input, layers);
    if (means) await seen.add({ id: requestId, modelId: model.entry.id, at: Date.now(), ...record, means }, cap);
  }).catch(() => undefined);
}
