// Explanations' messages and results, declared once. Maps travel as base64 of their Float32Array bytes.
import * as v from 'valibot';
import { Count, Id, ImageRefSchema, ModelFields, NoReply, Num, TabId, Text, reply } from '../../shared/protocol';

/** What to explain. A plain value so it can cross messages and be persisted. */
const ClassTargetSchema = v.strictObject({ kind: v.literal('class'), index: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(99_999)) });
export type Target = v.InferOutput<typeof ClassTargetSchema>;

const ParamValue = v.union([v.pipe(v.number(), v.finite()), Text(100), v.boolean()]);
export const ExplainParamsSchema = v.pipe(v.record(Text(40), ParamValue), v.check((r) => Object.keys(r).length <= 20, 'too many parameters'));
export type Params = Record<string, number | string | boolean>;
const EXPLAIN_TASKS = ['map', 'check', 'sanity', 'compare'] as const;
/** What deleted pixels become in the deletion curve (see metrics.ts). */
export const SUBSTRATE_NAMES = ['grey', 'black', 'blur'] as const;
/** What a deleted pixel became, in words. */
export const SUBSTRATE_TEXT = { grey: 'mid-grey', black: 'black', blur: 'a blurred copy' } as const satisfies Record<(typeof SUBSTRATE_NAMES)[number], string>;
/** Below this rank correlation with the original map, the method is said to depend on the learned weights. */
export const SANITY_THRESHOLD = 0.5;

/** A saliency map as plain data (what methods return and views draw). */
export interface SaliencyMap {
  method: string;
  target: Target;
  width: number;
  height: number;
  /** row-major, width × height; for signed methods, positive = evidence for the target */
  values: Float32Array;
  min: number;
  max: number;
  signed: boolean;
  /** extra numbers a method wants to show (e.g. IG's completeness check) */
  notes?: Record<string, number>;
}

const WireMapSchema = v.object({
  method: v.string(), classTarget: ClassTargetSchema, width: Count, height: Count, min: Num, max: Num, signed: v.boolean(),
  notes: v.optional(v.record(v.string(), Num)), values: v.string(),
});
export type WireMap = v.InferOutput<typeof WireMapSchema>;

const StatSchema = v.object({ mean: Num, sd: Num });
/** The random-map baseline: mean and spread over `seeds` seeded random maps. */
const RandomBaselineSchema = v.object({
  seeds: Count, substrate: v.picklist(SUBSTRATE_NAMES), deletion: StatSchema, insertion: StatSchema, road: StatSchema,
  deletionCurve: v.array(Num), insertionCurve: v.array(Num),
});
export type RandomBaselineResult = v.InferOutput<typeof RandomBaselineSchema>;
const FaithfulnessSchema = v.object({
  substrate: v.picklist(SUBSTRATE_NAMES),
  deletion: Num, insertion: Num, road: Num, roadLevels: v.array(Num),
  deletionCurve: v.array(Num), insertionCurve: v.array(Num),
  random: RandomBaselineSchema,
});
export type FaithfulnessResult = v.InferOutput<typeof FaithfulnessSchema>;
const SanityResultSchema = v.object({ layers: v.array(v.string()), spearman: Num, passes: v.boolean(), map: WireMapSchema });
export type SanityResult = v.InferOutput<typeof SanityResultSchema>;

/** One method's line in "Compare all": its map (small, for the grid) and its scores. */
const CompareRowSchema = v.object({
  method: v.string(), ms: Num, map: WireMapSchema,
  deletion: Num, insertion: Num, road: Num,
  /** rank correlation with the map after the top layers are randomised (null: not measured, e.g. own classes) */
  spearman: v.nullable(Num),
  /** each score over the random baseline's mean */
  deletionRatio: Num, insertionRatio: Num, roadRatio: Num,
  rank: Count,
});
export type CompareRow = v.InferOutput<typeof CompareRowSchema>;
const CompareResultSchema = v.object({ rows: v.array(CompareRowSchema), random: RandomBaselineSchema, sanityLayers: v.array(v.string()) });
export type CompareResult = v.InferOutput<typeof CompareResultSchema>;

const ExplainResultSchema = v.object({
  jobId: Id, method: v.string(), ms: Num,
  /** layers a CAM method can look at, for the layer picker */
  camLayers: v.array(v.string()),
  map: v.optional(WireMapSchema),
  faithfulness: v.optional(FaithfulnessSchema),
  sanity: v.optional(SanityResultSchema),
  compare: v.optional(CompareResultSchema),
});
export type ExplainResult = v.InferOutput<typeof ExplainResultSchema>;

const ExplainFields = {
  jobId: Id,
  task: v.picklist(EXPLAIN_TASKS),
  method: Text(80),
  params: ExplainParamsSchema,
  classTarget: ClassTargetSchema,
  /** explain one of the user's own classes (through their trained head) instead of an ImageNet class */
  head: v.optional(v.picklist(['imagenet', 'custom'])),
  /** sanity check: how many weighted layers to re-initialise, from the logits down */
  sanityLayers: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(200))),
  /** faithfulness: what deleted pixels become */
  substrate: v.optional(v.picklist(SUBSTRATE_NAMES)),
  /** "Compare all": the methods to run (default: every method) and each one's parameters */
  compareMethods: v.optional(v.pipe(v.array(Text(80)), v.maxLength(60))),
  compareParams: v.optional(v.pipe(v.record(Text(80), ExplainParamsSchema), v.check((r) => Object.keys(r).length <= 60, 'too many methods'))),
};

export const popupMessages = [
  // requestId: a kept result (the Lens) instead of the tab's current one
  v.strictObject({ type: v.literal('popup/explain'), tabId: TabId, requestId: v.optional(Id), ...ExplainFields }),
  // Cancels any job (an explanation, a feature visualisation, a training run).
  v.strictObject({ type: v.literal('popup/cancel'), jobId: Id }),
] as const;

export const hostMessages = [
  v.strictObject({ type: v.literal('bg/explain'), target: v.literal('offscreen'), ...ExplainFields, image: ImageRefSchema, ...ModelFields }),
  v.strictObject({ type: v.literal('bg/cancel'), target: v.literal('offscreen'), jobId: Id }),
] as const;

export const hostEvents = [
  // Job progress goes straight to whoever listens (the popup that asked); the background ignores it.
  v.strictObject({ type: v.literal('offscreen/job-progress'), jobId: Id, progress: v.pipe(v.number(), v.minValue(0), v.maxValue(1)), message: Text(300) }),
] as const;

export const replies = {
  'popup/explain': reply({ result: ExplainResultSchema }),
  'popup/cancel': reply({}),
  'bg/explain': reply({ result: ExplainResultSchema }),
  'bg/cancel': reply({}),
  'offscreen/job-progress': NoReply,
};
