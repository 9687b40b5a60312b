// Classification's messages and results, declared once: the types are inferred from the schemas that check them.
import * as v from 'valibot';
import {
  BackendChoiceSchema, BackendInfoSchema, Count, Id, ImageSourceSchema, LayerList, ModelFields, NetLensErrorSchema, NoReply,
  Num, PHASES, SOURCE_KINDS, TabId, Text, BACKENDS, reply,
} from '../../shared/protocol';

export const ModeSchema = v.picklist(['imagenet', 'custom', 'both']);
export type Mode = v.InferOutput<typeof ModeSchema>;

const PredictionSchema = v.object({ index: Count, className: v.string(), prob: Num });
export type Prediction = v.InferOutput<typeof PredictionSchema>;

export const ClassifyResultSchema = v.object({
  /** the user's own classes (their trained head), when asked for; null when no head is trained yet */
  custom: v.optional(v.nullable(v.object({ predictions: v.array(PredictionSchema), valAccuracy: Num, trainedAt: Num }))),
  mode: v.optional(ModeSchema),
  requestId: Id,
  modelId: Id,
  modelName: v.string(),
  backend: v.picklist(BACKENDS),
  backendReason: v.string(),
  /** threads the backend computes with (wasm); absent in results kept by older versions */
  threads: v.optional(Count),
  predictions: v.array(PredictionSchema),
  /** preprocessing + forward pass + read-back, ms */
  elapsedMs: Num,
  /** from the request reaching the model host to the reply (fetch, decode, queue, model load included), ms */
  totalMs: Num,
  image: v.object({ width: Num, height: Num, originalWidth: Num, originalHeight: Num }),
  thumbnail: v.string(),
  source: v.object({ kind: v.picklist(SOURCE_KINDS), url: v.string() }),
  at: Num,
});
export type ClassifyResult = v.InferOutput<typeof ClassifyResultSchema>;

/** What the popup shows for a tab (kept in storage.session by the background). */
export const TabStateSchema = v.variant('status', [
  v.object({ status: v.literal('loading'), requestId: Id, phase: v.picklist(PHASES), progress: v.nullable(Num), message: v.string(), queueDepth: Count, startedAt: Num }),
  v.object({ status: v.literal('done'), requestId: Id, result: ClassifyResultSchema }),
  v.object({ status: v.literal('error'), requestId: Id, error: NetLensErrorSchema, at: Num }),
]);
export type TabState = v.InferOutput<typeof TabStateSchema>;

export const popupMessages = [
  v.strictObject({ type: v.literal('popup/reclassify'), tabId: TabId }),
  v.strictObject({ type: v.literal('popup/preload') }),
] as const;

export const hostMessages = [
  v.strictObject({
    type: v.literal('bg/classify'), target: v.literal('offscreen'), requestId: Id, source: ImageSourceSchema, ...ModelFields,
    /** the user's toggled layers: their per-channel means are kept with the image ("what excites a channel") */
    layers: v.optional(LayerList),
    /** how many such images to keep (the options page's setting) */
    seenCap: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(5000))),
    /** which classes to answer with: ImageNet's, the user's own (trained head), or both */
    mode: v.optional(ModeSchema),
  }),
  v.strictObject({ type: v.literal('bg/preload'), target: v.literal('offscreen'), ...ModelFields }),
  /** the menu's image address, sent with the click: the download starts while the page is asked what was clicked */
  v.strictObject({ type: v.literal('bg/prefetch'), target: v.literal('offscreen'), url: v.pipe(Text(8192), v.regex(/^https?:/i)) }),
] as const;

export const hostEvents = [
  v.strictObject({
    type: v.literal('offscreen/progress'),
    requestId: v.nullable(Id),
    phase: v.picklist(PHASES),
    progress: v.nullable(v.pipe(v.number(), v.minValue(0), v.maxValue(1))),
    message: Text(300),
    queueDepth: Count,
  }),
] as const;

export const contentMessages = [
  // anyFrame: sent to every frame of the tab (the click did not say which frame); only the frame holding
  // the last right-click answers.
  v.strictObject({ type: v.literal('bg/resolve-target'), target: v.literal('content'), srcUrl: v.nullable(v.string()), anyFrame: v.boolean() }),
] as const;

/** Content script → background. The warm-up says nothing about the page: its type is the whole message. */
export const contentEvents = [v.strictObject({ type: v.literal('content/warm-up') })] as const;

export const replies = {
  'content/warm-up': NoReply,
  'popup/reclassify': reply({}),
  'popup/preload': reply({ backend: BackendInfoSchema }),
  'bg/classify': reply({ result: ClassifyResultSchema, choice: v.nullable(BackendChoiceSchema) }),
  'bg/preload': reply({ backend: BackendInfoSchema, choice: v.nullable(BackendChoiceSchema) }),
  'bg/prefetch': reply({}),
  'offscreen/progress': NoReply,
  'bg/resolve-target': reply({ source: ImageSourceSchema }),
};
