// The Lens's messages and data, declared once. A track is the list of stages of the current model's actual
// computation; each stage's numbers are asked for when the stage opens, and are the model's own.
import * as v from 'valibot';
import { Count, Id, ImageRefSchema, LayerName, ModelFields, Num, TabId, reply } from '../../shared/protocol';

export const STAGE_KINDS = ['pixels', 'conv', 'depthwise', 'pointwise', 'pool', 'receptive-field', 'global-pool', 'dense', 'softmax'] as const;
export type StageKind = (typeof STAGE_KINDS)[number];
export const ACTIVATIONS = ['linear', 'relu', 'relu6', 'leaky', 'softmax'] as const;

const Pair = v.tuple([Count, Count]);
/** One step of the model's computation, as the Lens shows it. */
export const StageSchema = v.object({
  kind: v.picklist(STAGE_KINDS),
  /** the stage's own layer (the conv, the pool, the dense layer…); the input layer for pixels */
  layer: v.string(),
  /** the layer whose output the stage ends with (e.g. the activation after a conv and its batch norm) */
  output: v.string(),
  /** the layer whose output the stage starts from ('' for pixels) */
  input: v.string(),
  title: v.string(),
  inShape: v.array(Count),
  outShape: v.array(Count),
  kernel: v.optional(Pair),
  stride: v.optional(Pair),
  padding: v.optional(v.picklist(['same', 'valid'])),
  /** the batch-norm layer folded into this stage, if any */
  norm: v.optional(v.string()),
  activation: v.object({ kind: v.picklist(ACTIVATIONS), alpha: v.optional(Num), max: v.optional(Num) }),
});
export type Stage = v.InferOutput<typeof StageSchema>;

export const TrackSchema = v.object({
  modelId: v.string(), modelName: v.string(),
  input: v.object({ width: Count, height: Count, scale: Num, offset: Num }),
  stages: v.array(StageSchema),
  /** receptive field per spatial layer, input to output: size and jump in input pixels, and the first field's offset */
  fields: v.array(v.object({ layer: v.string(), size: Num, jump: Num, offset: Num, outSize: Count })),
});
export type Track = v.InferOutput<typeof TrackSchema>;

const Floats = v.string(); // base64 Float32Array
const Map2 = v.object({ height: Count, width: Count, values: Floats });
export type WireMap2 = v.InferOutput<typeof Map2>;

export const PixelsDataSchema = v.object({
  kind: v.literal('pixels'),
  /** the model input [h][w][3] row-major, exactly as the model received it */
  input: Floats,
});
export const ConvDataSchema = v.object({
  kind: v.picklist(['conv', 'depthwise', 'pointwise']),
  layer: v.string(), row: Count, col: Count, channel: Count,
  /** top-left input position of the window (may be negative: padding) */
  origin: v.tuple([v.number(), v.number()]),
  /** input channels the kernel reads (one for depthwise) */
  inChannels: v.array(Count),
  /** the window [kh][kw][inChannels] (0 where it hangs over the edge) and the kernel's weights, same layout */
  window: v.array(Num), weights: v.array(Num), inside: v.array(v.boolean()),
  sum: Num, bias: Num,
  norm: v.nullable(v.object({ gamma: Num, beta: Num, mean: Num, variance: Num, epsilon: Num })),
  preActivation: Num,
  value: Num,
  /** what the model itself produced at this cell (its layer output) */
  modelValue: Num,
  /** the model's output map of this channel, and the input map the window slides over (the most used input channel, or the image) */
  outputMap: Map2,
  inputMap: v.object({ height: Count, width: Count, values: Floats, channel: v.number() }),
});
export const PoolDataSchema = v.object({
  kind: v.literal('pool'), layer: v.string(), row: Count, col: Count, channel: Count,
  origin: v.tuple([v.number(), v.number()]), window: v.array(Num), inside: v.array(v.boolean()), winner: Count,
  value: Num, modelValue: Num, inputMap: Map2, outputMap: Map2,
});
export const RfDataSchema = v.object({
  kind: v.literal('receptive-field'), layer: v.string(), row: Count, col: Count,
  box: v.object({ x0: Num, y0: Num, x1: Num, y1: Num }),
  /** |∂ cell / ∂ input| summed over the colour channels, at model-input resolution */
  effective: Map2,
  /** the share of the gradient's mass inside the theoretical box */
  inside: Num,
});
export const GlobalPoolDataSchema = v.object({
  kind: v.literal('global-pool'), layer: v.string(), from: v.string(), channel: Count, channels: Count,
  map: Map2, mean: Num, modelValue: Num,
  /** the channels with the highest means, for picking */
  top: v.array(v.object({ channel: Count, value: Num })),
});
export const DenseTermSchema = v.object({ index: Count, input: Num, weight: Num, product: Num, position: v.nullable(v.tuple([Count, Count, Count])) });
export const DenseDataSchema = v.object({
  kind: v.literal('dense'), layer: v.string(), classIndex: Count, className: v.string(),
  /** how the inputs x reach this layer: pooled channel means, a flattened map, or per-position (then averaged) */
  inputs: v.object({ from: v.string(), count: Count, how: v.picklist(['pooled', 'flattened', 'per-position']) }),
  terms: v.array(DenseTermSchema), restSum: Num, restCount: Count,
  sum: Num, bias: Num, score: Num, modelScore: Num,
  /** the same weights at each position of the last spatial map: where the class evidence came from */
  cam: v.nullable(v.object({ layer: v.string(), height: Count, width: Count, values: Floats, combine: v.picklist(['mean', 'sum']) })),
});
export const SoftmaxDataSchema = v.object({
  kind: v.literal('softmax'),
  /** every class's logit, and the model's probabilities (what the Prediction tab shows) */
  logits: Floats, probs: Floats,
  top: v.array(v.object({ index: Count, className: v.string(), logit: Num, prob: Num })),
});
export const FiltersDataSchema = v.object({
  kind: v.literal('filters'), layer: v.string(), output: v.string(), shape: v.tuple([Count, Count, Count, Count]), values: Floats,
  stride: Count,
});
export const ChannelMapDataSchema = v.object({ kind: v.literal('channel-map'), layer: v.string(), channel: Count, map: Map2 });
export const TopPatchesDataSchema = v.object({
  kind: v.literal('top-patches'), layer: v.string(), channel: Count, channels: Count,
  /** the channel's map, and its k highest cells with the input box each one sees */
  map: Map2,
  cells: v.array(v.object({ row: Count, col: Count, value: Num, box: v.object({ x0: Num, y0: Num, x1: Num, y1: Num }) })),
});
export const StageDataSchema = v.variant('kind', [FiltersDataSchema, ChannelMapDataSchema, TopPatchesDataSchema, PixelsDataSchema, ConvDataSchema, PoolDataSchema, RfDataSchema, GlobalPoolDataSchema, DenseDataSchema, SoftmaxDataSchema]);
export type StageData = v.InferOutput<typeof StageDataSchema>;
export type ConvData = v.InferOutput<typeof ConvDataSchema>;
export type PoolData = v.InferOutput<typeof PoolDataSchema>;
export type RfData = v.InferOutput<typeof RfDataSchema>;
export type GlobalPoolData = v.InferOutput<typeof GlobalPoolDataSchema>;
export type DenseData = v.InferOutput<typeof DenseDataSchema>;
export type SoftmaxData = v.InferOutput<typeof SoftmaxDataSchema>;
export type PixelsData = v.InferOutput<typeof PixelsDataSchema>;
export type FiltersData = v.InferOutput<typeof FiltersDataSchema>;
export type ChannelMapData = v.InferOutput<typeof ChannelMapDataSchema>;
export type TopPatchesData = v.InferOutput<typeof TopPatchesDataSchema>;

const Cell = { layer: LayerName, row: Count, col: Count, channel: Count };
export const LensQuerySchema = v.variant('kind', [
  v.strictObject({ kind: v.literal('track') }),
  v.strictObject({ kind: v.literal('pixels') }),
  v.strictObject({ kind: v.literal('conv'), ...Cell }),
  v.strictObject({ kind: v.literal('pool'), ...Cell }),
  v.strictObject({ kind: v.literal('receptive-field'), layer: LayerName, row: Count, col: Count }),
  v.strictObject({ kind: v.literal('global-pool'), channel: Count }),
  v.strictObject({ kind: v.literal('dense'), classIndex: Count }),
  v.strictObject({ kind: v.literal('softmax') }),
  // What the network looks for: the first layer's filters, one channel's map, a channel's strongest patches
  v.strictObject({ kind: v.literal('filters') }),
  v.strictObject({ kind: v.literal('channel-map'), layer: LayerName, channel: Count }),
  v.strictObject({ kind: v.literal('top-patches'), layer: LayerName, channel: Count, k: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(32)) }),
]);
export type LensQuery = v.InferOutput<typeof LensQuerySchema>;

export const popupMessages = [
  v.strictObject({ type: v.literal('popup/lens'), requestId: Id, query: LensQuerySchema }),
  // view/classIndex: open on a track, e.g. "what does this class look like?" from a prediction
  v.strictObject({ type: v.literal('popup/open-lens'), tabId: TabId, requestId: Id, view: v.optional(v.picklist(['steps', 'looks'])), classIndex: v.optional(Count) }),
] as const;

export const hostMessages = [
  v.strictObject({ type: v.literal('bg/lens'), target: v.literal('offscreen'), image: ImageRefSchema, query: LensQuerySchema, ...ModelFields }),
] as const;

const LensReply = { track: v.optional(TrackSchema), data: v.optional(StageDataSchema), ms: Num };
export const replies = {
  'popup/lens': reply(LensReply),
  'popup/open-lens': reply({}),
  'bg/lens': reply(LensReply),
};

/** The Lens page for one result: its URL names the result, so a reload shows the same one. */
export const lensPath = (requestId: string, tabId?: number, extra: { view?: string; classIndex?: number } = {}) =>
  `src/lens/index.html?result=${encodeURIComponent(requestId)}${tabId === undefined ? '' : `&tab=${tabId}`}${extra.view ? `&view=${extra.view}` : ''}${extra.classIndex === undefined ? '' : `&class=${extra.classIndex}`}`;
