// Every cross-context message in one place, as valibot schemas: the TypeScript types are inferred from the
// same schemas that validate messages at run time, so a handler can never drift from what is checked.
// Names say the direction: popup/… popup → background, bg/… background → offscreen or content,
// offscreen/… offscreen → background. Tensors never cross a message: only plain data does.
import * as v from 'valibot';

export const BACKENDS = ['webgpu', 'webgl', 'wasm', 'cpu'] as const;
export type Backend = (typeof BACKENDS)[number];
export const BackendPrefSchema = v.picklist(['auto', ...BACKENDS]);
export type BackendPref = v.InferOutput<typeof BackendPrefSchema>;

const Id = v.pipe(v.string(), v.minLength(1), v.maxLength(128));
const TabId = v.pipe(v.number(), v.integer(), v.minValue(0));
// A data: URL of a downscaled capture is a few MB at most; anything bigger is refused before parsing.
const MAX_URL_CHARS = 48 * 1024 * 1024;
const ImageUrl = v.pipe(
  v.string(),
  v.maxLength(MAX_URL_CHARS),
  v.regex(/^(https?:|data:)/i, 'image URL must be http(s) or data:'),
);

export const SOURCE_KINDS = ['img', 'srcset', 'picture', 'css-background', 'canvas', 'blob', 'data-url', 'menu'] as const;
export const ImageSourceSchema = v.strictObject({ url: ImageUrl, kind: v.picklist(SOURCE_KINDS) });
export type ImageSource = v.InferOutput<typeof ImageSourceSchema>;

export const BackendChoiceSchema = v.strictObject({
  backend: v.picklist(BACKENDS),
  reason: v.pipe(v.string(), v.maxLength(500)),
  // ms per probe workload, for the backends that were measured
  timings: v.record(v.string(), v.number()),
  userAgent: v.pipe(v.string(), v.maxLength(500)),
});
export type BackendChoice = v.InferOutput<typeof BackendChoiceSchema>;

// ---- explanations
export const ClassTargetSchema = v.strictObject({ kind: v.literal('class'), index: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(99_999)) });
const ParamValue = v.union([v.pipe(v.number(), v.finite()), v.pipe(v.string(), v.maxLength(100)), v.boolean()]);
export const ExplainParamsSchema = v.pipe(v.record(v.pipe(v.string(), v.maxLength(40)), ParamValue), v.check((r) => Object.keys(r).length <= 20, 'too many parameters'));
export const EXPLAIN_TASKS = ['map', 'check', 'sanity'] as const;
const ExplainFields = {
  jobId: Id,
  task: v.picklist(EXPLAIN_TASKS),
  method: v.pipe(v.string(), v.maxLength(80)),
  params: ExplainParamsSchema,
  classTarget: ClassTargetSchema,
  /** explain one of the user's own classes (through their trained head) instead of an ImageNet class */
  head: v.optional(v.picklist(['imagenet', 'custom'])),
  /** sanity check: how many weighted layers to re-initialise, from the logits down */
  sanityLayers: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(200))),
};

/** A classes file as base64 (60 MB of file at most). */
const ArchiveData = v.pipe(v.string(), v.maxLength(80 * 1024 * 1024), v.regex(/^[A-Za-z0-9+/=]*$/, 'base64 expected'));

export const ModeSchema = v.picklist(['imagenet', 'custom', 'both']);
export type Mode = v.InferOutput<typeof ModeSchema>;

const LayerName = v.pipe(v.string(), v.minLength(1), v.maxLength(100));
const LayerList = v.pipe(v.array(LayerName), v.maxLength(300));
const FeatureVisFields = {
  jobId: Id,
  layer: LayerName,
  channel: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(100_000)),
  steps: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(2000)),
};

// ---- popup → background
export const PopupToBackgroundSchema = v.variant('type', [
  v.strictObject({ type: v.literal('popup/reclassify'), tabId: TabId }),
  v.strictObject({ type: v.literal('popup/preload') }),
  v.strictObject({ type: v.literal('popup/explain'), tabId: TabId, ...ExplainFields }),
  v.strictObject({ type: v.literal('popup/cancel'), jobId: Id }),
  v.strictObject({ type: v.literal('popup/layers'), tabId: TabId }),
  v.strictObject({ type: v.literal('popup/activations'), tabId: TabId, layers: LayerList }),
  v.strictObject({ type: v.literal('popup/feature-vis'), tabId: TabId, ...FeatureVisFields }),
  v.strictObject({ type: v.literal('popup/train'), hidden: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(512)) }),
  v.strictObject({ type: v.literal('popup/classes-changed') }),
  v.strictObject({ type: v.literal('popup/export') }),
  v.strictObject({ type: v.literal('popup/import'), data: ArchiveData }),
]);
export type PopupToBackground = v.InferOutput<typeof PopupToBackgroundSchema>;

// ---- background → offscreen (the model host)
export const BackgroundToHostSchema = v.variant('type', [
  v.strictObject({
    type: v.literal('bg/classify'),
    target: v.literal('offscreen'),
    requestId: Id,
    source: ImageSourceSchema,
    modelId: Id,
    backend: BackendPrefSchema,
    remembered: v.nullable(BackendChoiceSchema),
    /** the user's toggled layers: their per-channel means are kept with the image ("what excites a channel") */
    layers: v.optional(LayerList),
    /** which classes to answer with: ImageNet's, the user's own (trained head), or both */
    mode: v.optional(ModeSchema),
  }),
  v.strictObject({
    type: v.literal('bg/preload'),
    target: v.literal('offscreen'),
    modelId: Id,
    backend: BackendPrefSchema,
    remembered: v.nullable(BackendChoiceSchema),
  }),
  v.strictObject({
    type: v.literal('bg/explain'),
    target: v.literal('offscreen'),
    ...ExplainFields,
    /** the classification being explained: its input is cached by request id; the source re-fetches it if not */
    image: v.strictObject({ requestId: Id, source: v.nullable(ImageSourceSchema) }),
    modelId: Id,
    backend: BackendPrefSchema,
    remembered: v.nullable(BackendChoiceSchema),
  }),
  v.strictObject({ type: v.literal('bg/cancel'), target: v.literal('offscreen'), jobId: Id }),
  v.strictObject({
    type: v.literal('bg/add-example'), target: v.literal('offscreen'), source: ImageSourceSchema, classId: Id,
    modelId: Id, backend: BackendPrefSchema, remembered: v.nullable(BackendChoiceSchema),
  }),
  v.strictObject({
    type: v.literal('bg/train'), target: v.literal('offscreen'), jobId: Id, hidden: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(512)),
    modelId: Id, backend: BackendPrefSchema, remembered: v.nullable(BackendChoiceSchema),
  }),
  v.strictObject({ type: v.literal('bg/export'), target: v.literal('offscreen'), modelId: Id }),
  v.strictObject({ type: v.literal('bg/import'), target: v.literal('offscreen'), modelId: Id, data: ArchiveData }),
  v.strictObject({
    type: v.literal('bg/layers'), target: v.literal('offscreen'),
    modelId: Id, backend: BackendPrefSchema, remembered: v.nullable(BackendChoiceSchema),
  }),
  v.strictObject({
    type: v.literal('bg/activations'), target: v.literal('offscreen'), layers: LayerList,
    image: v.strictObject({ requestId: Id, source: v.nullable(ImageSourceSchema) }),
    classIndex: v.pipe(v.number(), v.integer(), v.minValue(0)),
    modelId: Id, backend: BackendPrefSchema, remembered: v.nullable(BackendChoiceSchema),
  }),
  v.strictObject({
    type: v.literal('bg/feature-vis'), target: v.literal('offscreen'), ...FeatureVisFields,
    modelId: Id, backend: BackendPrefSchema, remembered: v.nullable(BackendChoiceSchema),
  }),
]);
export type BackgroundToHost = v.InferOutput<typeof BackgroundToHostSchema>;

// ---- offscreen → background
export const PHASES = ['capture', 'queued', 'backend', 'model', 'classify'] as const;
export type Phase = (typeof PHASES)[number];
export const HostToBackgroundSchema = v.variant('type', [
  v.strictObject({
    type: v.literal('offscreen/progress'),
    requestId: v.nullable(Id),
    phase: v.picklist(PHASES),
    progress: v.nullable(v.pipe(v.number(), v.minValue(0), v.maxValue(1))),
    message: v.pipe(v.string(), v.maxLength(300)),
    queueDepth: v.pipe(v.number(), v.integer(), v.minValue(0)),
  }),
  // Training progress: the background keeps it in storage.session, so a popup can close and come back to it.
  v.strictObject({
    type: v.literal('offscreen/train-progress'),
    jobId: Id,
    phase: v.picklist(['embedding', 'training', 'done', 'error']),
    progress: v.pipe(v.number(), v.minValue(0), v.maxValue(1)),
    epoch: v.optional(v.number()),
    loss: v.optional(v.number()),
    valAccuracy: v.optional(v.number()),
    summary: v.optional(v.strictObject({
      classNames: v.pipe(v.array(v.pipe(v.string(), v.maxLength(60))), v.maxLength(200)), examples: v.number(), valAccuracy: v.number(),
      confusion: v.array(v.array(v.number())), epochs: v.number(), ms: v.number(), embedMs: v.number(),
    })),
    error: v.optional(v.pipe(v.string(), v.maxLength(500))),
  }),
  // Explanation progress goes straight to whoever listens (the popup that asked); the background ignores it.
  v.strictObject({
    type: v.literal('offscreen/job-progress'),
    jobId: Id,
    progress: v.pipe(v.number(), v.minValue(0), v.maxValue(1)),
    message: v.pipe(v.string(), v.maxLength(300)),
  }),
]);
export type HostToBackground = v.InferOutput<typeof HostToBackgroundSchema>;

// ---- background → content script
export const BackgroundToContentSchema = v.variant('type', [
  v.strictObject({ type: v.literal('bg/ask-class-name'), target: v.literal('content'), anyFrame: v.boolean() }),
  // anyFrame: sent to every frame of the tab (the click did not say which frame); only the frame holding
  // the last right-click answers.
  v.strictObject({ type: v.literal('bg/resolve-target'), target: v.literal('content'), srcUrl: v.nullable(v.string()), anyFrame: v.boolean() }),
]);
export type BackgroundToContent = v.InferOutput<typeof BackgroundToContentSchema>;

// ---- replies (plain data)
export const ERROR_CODES = [
  'no-image', 'tainted', 'fetch-failed', 'http-status', 'timeout', 'not-an-image', 'decode-failed',
  'model-load-failed', 'backend-failed', 'interrupted', 'bad-request', 'cancelled', 'no-result', 'internal',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];
export interface NetLensError { code: ErrorCode; message: string }

export interface Prediction { index: number; className: string; prob: number }
export interface TrainSummary { classNames: string[]; examples: number; valAccuracy: number; confusion: number[][]; epochs: number; ms: number; embedMs: number }

export interface ClassifyResult {
  /** the user's own classes (their trained head), when asked for; null when no head is trained yet */
  custom?: { predictions: Prediction[]; valAccuracy: number; trainedAt: number } | null;
  mode?: Mode;
  requestId: string;
  modelId: string;
  modelName: string;
  backend: Backend;
  backendReason: string;
  predictions: Prediction[];
  /** preprocessing + forward pass + read-back, ms */
  elapsedMs: number;
  /** from the request reaching the model host to the reply (fetch, decode, queue, model load included), ms */
  totalMs: number;
  image: { width: number; height: number; originalWidth: number; originalHeight: number };
  thumbnail: string;
  source: { kind: ImageSource['kind']; url: string };
  at: number;
}
export interface BackendInfo { backend: Backend; reason: string }

/** A saliency map on the wire: the Float32Array travels as base64 of its bytes (compact, exact). */
export interface WireMap {
  method: string;
  classTarget: { kind: 'class'; index: number };
  width: number;
  height: number;
  min: number;
  max: number;
  signed: boolean;
  notes?: Record<string, number>;
  values: string;
}
export interface FaithfulnessResult {
  deletion: number; insertion: number; randomDeletion: number; randomInsertion: number;
  deletionCurve: number[]; insertionCurve: number[]; randomDeletionCurve: number[]; randomInsertionCurve: number[];
}
export interface SanityResult { layers: string[]; spearman: number; passes: boolean; map: WireMap }
export interface ExplainResult {
  jobId: string;
  method: string;
  ms: number;
  /** layers a CAM method can look at, for the layer picker */
  camLayers: string[];
  map?: WireMap;
  faithfulness?: FaithfulnessResult;
  sanity?: SanityResult;
}

/** One layer of the model, for the layer list. */
export interface LayerInfo {
  index: number;
  name: string;
  className: string;
  kind: 'input' | 'conv' | 'depthwise' | 'pool' | 'dense' | 'activation' | 'norm' | 'reshape' | 'other';
  /** output shape without the batch dimension, e.g. [112, 112, 24] or [1000] */
  shape: number[];
  params: number;
  /** receptive field in input pixels: size (one side) and jump (input pixels between neighbouring outputs) */
  rf: { size: number; jump: number } | null;
}

/**
 * A layer's activations for one image, compact: every channel quantised to uint8 between its own min and max
 * (value = min + q/255·(max − min)), channel-major ([c][h][w]), base64. Dense layers have h = w = 1.
 */
export interface LayerActivations {
  name: string;
  /** [h, w, c] */
  shape: [number, number, number];
  data: string;
  /** per-channel min, max and mean as base64 Float32Arrays of length c */
  mins: string;
  maxs: string;
  means: string;
  /** channel indices, highest mean activation first */
  order: number[];
  stats: { sparsity: number; mean: number; max: number };
  /** the input layer only: the exact float values, [h][w][c] row-major, base64 Float32Array */
  floats?: string;
  /** the first conv layer only: its filters [kh, kw, cin, cout] as base64 Float32Array */
  filters?: { shape: [number, number, number, number]; data: string };
  /** the class-score layer only: the previous layer's channels that add most to the class (weight × activation) */
  contributions?: { classIndex: number; from: string; items: { channel: number; value: number }[]; bias: number; total: number };
}

export interface FeatureVis {
  layer: string;
  channel: number;
  steps: number;
  /** the optimised image as a PNG data URL */
  image: string;
  /** the channel's mean activation on the random starting image and on the final one */
  startActivation: number;
  finalActivation: number;
  ms: number;
  cached: boolean;
}

export type Reply<T> = ({ ok: true } & T) | { ok: false; error: NetLensError };

export interface Replies {
  'popup/reclassify': Reply<object>;
  'popup/preload': Reply<{ backend: BackendInfo }>;
  'popup/explain': Reply<{ result: ExplainResult }>;
  'popup/cancel': Reply<object>;
  'popup/train': Reply<object>;
  'popup/export': Reply<{ filename: string; data: string }>;
  'popup/import': Reply<{ classes: number; examples: number }>;
  'bg/export': Reply<{ data: string }>;
  'bg/import': Reply<{ classes: number; examples: number }>;
  'popup/classes-changed': Reply<object>;
  'bg/add-example': Reply<{ count: number }>;
  'bg/train': Reply<{ summary: TrainSummary }>;
  'offscreen/train-progress': void;
  'bg/ask-class-name': Reply<{ name: string }>;
  'popup/layers': Reply<{ modelId: string; modelName: string; layers: LayerInfo[]; defaults: string[] }>;
  'popup/activations': Reply<{ activations: LayerActivations[]; ms: number; bytes: number }>;
  'popup/feature-vis': Reply<{ vis: FeatureVis }>;
  'bg/layers': Reply<{ modelId: string; modelName: string; layers: LayerInfo[]; defaults: string[] }>;
  'bg/activations': Reply<{ activations: LayerActivations[]; ms: number; bytes: number }>;
  'bg/feature-vis': Reply<{ vis: FeatureVis }>;
  'bg/explain': Reply<{ result: ExplainResult }>;
  'bg/cancel': Reply<object>;
  'offscreen/job-progress': void;
  'bg/classify': Reply<{ result: ClassifyResult; choice: BackendChoice | null }>;
  'bg/preload': Reply<{ backend: BackendInfo; choice: BackendChoice | null }>;
  'offscreen/progress': void;
  'bg/resolve-target': Reply<{ source: ImageSource }>;
}

export type AnyMessage = PopupToBackground | BackgroundToHost | HostToBackground | BackgroundToContent;
export type ReplyTo<M extends AnyMessage> = Replies[M['type']];

/** A handler table that must cover every message of a union, each returning that message's reply type. */
export type Handlers<U extends AnyMessage, Ctx> = {
  [K in U['type']]: (msg: Extract<U, { type: K }>, ctx: Ctx) => Promise<Replies[K]>;
};

export function fail(code: ErrorCode, message: string): { ok: false; error: NetLensError } {
  return { ok: false, error: { code, message } };
}

export function parse<S extends v.GenericSchema>(schema: S, input: unknown): v.InferOutput<S> | null {
  const r = v.safeParse(schema, input);
  return r.success ? r.output : null;
}
