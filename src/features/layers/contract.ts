// The Layers view's messages and results, declared once.
import * as v from 'valibot';
import { Count, Id, ImageRefSchema, LayerList, LayerName, ModelFields, Num, TabId, reply } from '../../shared/protocol';

const LAYER_KINDS = ['input', 'conv', 'depthwise', 'pool', 'dense', 'activation', 'norm', 'reshape', 'other'] as const;
/** One layer of the model, for the layer list. */
const LayerInfoSchema = v.object({
  index: Count,
  name: v.string(),
  className: v.string(),
  kind: v.picklist(LAYER_KINDS),
  /** output shape without the batch dimension, e.g. [112, 112, 24] or [1000] */
  shape: v.array(Count),
  params: Count,
  /** receptive field in input pixels: size (one side) and jump (input pixels between neighbouring outputs) */
  rf: v.nullable(v.object({ size: Num, jump: Num })),
});
export type LayerInfo = v.InferOutput<typeof LayerInfoSchema>;

const Shape3 = v.tuple([Count, Count, Count]);
/** Channel maps shown at once in a layer's grid; the model host sends the first page and the rest on demand. */
export const CHANNELS_PER_PAGE = 24;
/** Which maps to send: `channels` of every listed layer (default: the first page), and the input's floats. */
const ActivationsFields = { channels: v.optional(v.pipe(v.array(Count), v.maxLength(4096))), floats: v.optional(v.boolean()) };
/**
 * A layer's activations for one image, compact: every channel quantised to uint8 between its own min and max
 * (value = min + q/255·(max − min)), channel-major ([c][h][w]), base64. Dense layers have h = w = 1.
 */
const LayerActivationsSchema = v.object({
  name: v.string(),
  /** [h, w, c] */
  shape: Shape3,
  data: v.string(),
  /** per-channel min, max and mean as base64 Float32Arrays of length c */
  mins: v.string(),
  maxs: v.string(),
  means: v.string(),
  /** channel indices, highest mean activation first */
  order: v.array(Count),
  stats: v.object({ sparsity: Num, mean: Num, max: Num }),
  /** the channels whose maps `data` holds, in that order; absent: every channel, in index order */
  channels: v.optional(v.array(Count)),
  /** the input layer */
  input: v.optional(v.literal(true)),
  /** the input layer, when asked for: the exact float values, [h][w][c] row-major, base64 Float32Array */
  floats: v.optional(v.string()),
  /** the first conv layer only: its filters [kh, kw, cin, cout] as base64 Float32Array */
  filters: v.optional(v.object({ shape: v.tuple([Count, Count, Count, Count]), data: v.string() })),
  /** the class-score layer only: the previous layer's channels that add most to the class (weight × activation) */
  contributions: v.optional(v.object({
    classIndex: Count, from: v.string(), items: v.array(v.object({ channel: Count, value: Num })), bias: Num, total: Num,
  })),
});
export type LayerActivations = v.InferOutput<typeof LayerActivationsSchema>;

const FeatureVisSchema = v.object({
  layer: v.string(),
  channel: Count,
  steps: Count,
  /** the optimised image as a PNG data URL */
  image: v.string(),
  /** the channel's mean activation on the random starting image and on the final one */
  startActivation: Num,
  finalActivation: Num,
  ms: Num,
  cached: v.boolean(),
});
export type FeatureVis = v.InferOutput<typeof FeatureVisSchema>;

/** What the network thinks a class looks like: its pre-softmax score maximised from noise, for one seed. */
const ClassVisSchema = v.object({
  classIndex: Count, className: v.string(), head: v.picklist(['imagenet', 'custom']), seed: Count, steps: Count,
  image: v.string(),
  startScore: Num, finalScore: Num,
  /** the model's own top class for the visualisation, and whether that is the class itself */
  top: v.object({ index: Count, className: v.string(), prob: Num }), won: v.boolean(),
  ms: Num, cached: v.boolean(),
});
export type ClassVis = v.InferOutput<typeof ClassVisSchema>;
const ClassVisFields = {
  jobId: Id,
  classIndex: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(99_999)),
  head: v.picklist(['imagenet', 'custom']),
  seed: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(1000)),
  steps: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(2000)),
};

const FeatureVisFields = {
  jobId: Id,
  layer: LayerName,
  channel: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(100_000)),
  steps: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(2000)),
};

export const popupMessages = [
  // requestId: a kept result (the Lens) instead of the tab's current one
  v.strictObject({ type: v.literal('popup/layers'), tabId: TabId, requestId: v.optional(Id) }),
  v.strictObject({ type: v.literal('popup/activations'), tabId: TabId, requestId: v.optional(Id), layers: LayerList, ...ActivationsFields }),
  v.strictObject({ type: v.literal('popup/feature-vis'), tabId: TabId, requestId: v.optional(Id), ...FeatureVisFields }),
  v.strictObject({ type: v.literal('popup/class-vis'), tabId: TabId, requestId: v.optional(Id), ...ClassVisFields }),
] as const;

export const hostMessages = [
  v.strictObject({ type: v.literal('bg/layers'), target: v.literal('offscreen'), ...ModelFields }),
  v.strictObject({
    type: v.literal('bg/activations'), target: v.literal('offscreen'), layers: LayerList, image: ImageRefSchema,
    classIndex: Count, ...ActivationsFields, ...ModelFields,
  }),
  v.strictObject({ type: v.literal('bg/feature-vis'), target: v.literal('offscreen'), ...FeatureVisFields, ...ModelFields }),
  v.strictObject({ type: v.literal('bg/class-vis'), target: v.literal('offscreen'), ...ClassVisFields, ...ModelFields }),
] as const;

const LayersReply = { modelId: v.string(), modelName: v.string(), layers: v.array(LayerInfoSchema), defaults: v.array(v.string()) };
const ActivationsReply = { activations: v.array(LayerActivationsSchema), ms: Num, bytes: Num };
export const replies = {
  'popup/layers': reply(LayersReply),
  'popup/activations': reply(ActivationsReply),
  'popup/feature-vis': reply({ vis: FeatureVisSchema }),
  'bg/layers': reply(LayersReply),
  'bg/activations': reply(ActivationsReply),
  'bg/feature-vis': reply({ vis: FeatureVisSchema }),
  'popup/class-vis': reply({ vis: ClassVisSchema }),
  'bg/class-vis': reply({ vis: ClassVisSchema }),
};
