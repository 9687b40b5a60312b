// Teaching's messages, results and training rules, declared once (the trainer, the popup and the messages all
// read them from here).
import * as v from 'valibot';
import { Count, Id, ImageRefSchema, ImageSourceSchema, ModelFields, NoReply, Num, TabId, Text, reply } from '../../shared/protocol';

/** Units of the hidden layer when the user asks for one. */
export const HIDDEN_UNITS = 64;
/** Units of the optional hidden layer (0 = a linear head). */
const HiddenSchema = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(512));

const EpochSchema = v.object({ epoch: Count, loss: Num, valLoss: Num, valAccuracy: Num });
export type EpochPoint = v.InferOutput<typeof EpochSchema>;
const History = v.pipe(v.array(EpochSchema), v.maxLength(500));
/** A learning rate for Adam (the LR finder suggests one). */
const LearningRate = v.pipe(v.number(), v.minValue(1e-7), v.maxValue(10));

const TrainSummarySchema = v.object({
  classNames: v.pipe(v.array(Text(60)), v.maxLength(200)), examples: Count, valAccuracy: Num,
  confusion: v.array(v.array(Num)), epochs: Count, ms: Num, embedMs: Num,
  learningRate: v.optional(Num),
  /** loss and validation figures per epoch, for the training curve */
  history: v.optional(History),
});
export type TrainSummary = v.InferOutput<typeof TrainSummarySchema>;

const TRAIN_PHASES = ['embedding', 'training', 'done', 'error', 'cancelled'] as const;
/** Training as the popup sees it (kept in storage.session, so a popup can close and come back to it). */
export const TrainingStateSchema = v.object({
  status: v.picklist(['running', 'done', 'error', 'cancelled']),
  jobId: Id,
  phase: v.picklist(TRAIN_PHASES),
  progress: Num,
  epoch: v.optional(Num),
  loss: v.optional(Num),
  valAccuracy: v.optional(Num),
  /** every epoch so far (the background appends each report), so a reopened popup draws the whole curve */
  history: v.optional(History),
  summary: v.optional(TrainSummarySchema),
  error: v.optional(v.string()),
  at: Num,
});
export type TrainingState = v.InferOutput<typeof TrainingStateSchema>;

/** The last "added to a class" (or failed) report from the context menu. */
export const TeachStatusSchema = v.object({
  kind: v.picklist(['added', 'error']), message: v.string(), className: v.optional(v.string()), count: v.optional(Count), at: Num,
});
export type TeachStatus = v.InferOutput<typeof TeachStatusSchema>;

/** A classes file as base64 (60 MB of file at most). */
const ArchiveData = v.pipe(v.string(), v.maxLength(80 * 1024 * 1024), v.regex(/^[A-Za-z0-9+/=]*$/, 'base64 expected'));

export const popupMessages = [
  v.strictObject({ type: v.literal('popup/train'), hidden: HiddenSchema, learningRate: v.optional(LearningRate) }),
  v.strictObject({ type: v.literal('popup/lr-find'), jobId: Id, hidden: HiddenSchema }),
  v.strictObject({ type: v.literal('popup/pixel-linear'), jobId: Id, task: v.picklist(['train', 'apply']), tabId: v.optional(TabId) }),
  v.strictObject({ type: v.literal('popup/cancel-training') }),
  v.strictObject({ type: v.literal('popup/classes-changed') }),
  v.strictObject({ type: v.literal('popup/export') }),
  v.strictObject({ type: v.literal('popup/import'), data: ArchiveData }),
] as const;

export const hostMessages = [
  v.strictObject({ type: v.literal('bg/add-example'), target: v.literal('offscreen'), source: ImageSourceSchema, classId: Id, ...ModelFields }),
  v.strictObject({ type: v.literal('bg/train'), target: v.literal('offscreen'), jobId: Id, hidden: HiddenSchema, learningRate: v.optional(LearningRate), ...ModelFields }),
  v.strictObject({ type: v.literal('bg/lr-find'), target: v.literal('offscreen'), jobId: Id, hidden: HiddenSchema, ...ModelFields }),
  v.strictObject({ type: v.literal('bg/pixel-linear'), target: v.literal('offscreen'), jobId: Id, task: v.picklist(['train', 'apply']), image: v.nullable(ImageRefSchema), ...ModelFields }),
  v.strictObject({ type: v.literal('bg/export'), target: v.literal('offscreen'), modelId: Id }),
  v.strictObject({ type: v.literal('bg/import'), target: v.literal('offscreen'), modelId: Id, data: ArchiveData }),
] as const;

export const hostEvents = [
  v.strictObject({
    type: v.literal('offscreen/train-progress'),
    jobId: Id,
    phase: v.picklist(TRAIN_PHASES),
    progress: v.pipe(v.number(), v.minValue(0), v.maxValue(1)),
    epoch: v.optional(Num),
    loss: v.optional(Num),
    valLoss: v.optional(Num),
    valAccuracy: v.optional(Num),
    summary: v.optional(TrainSummarySchema),
    error: v.optional(Text(500)),
  }),
] as const;

export const LrFinderSchema = v.object({ rates: v.array(Num), losses: v.array(Num), smoothed: v.array(Num), suggested: Num, ms: Num });
export type LrFinder = v.InferOutput<typeof LrFinderSchema>;
/** The pixels-only linear model: a dense layer straight on downscaled pixels, for contrast with the head. */
export const PixelLinearSchema = v.object({
  classNames: v.array(v.string()), size: Count, valAccuracy: Num, headValAccuracy: v.nullable(Num), examples: Count,
  /** weights [size·size·3][classes] (base64 Float32Array) and biases */
  weights: v.string(), bias: v.array(Num), history: History, ms: Num,
  /** for the current image: the pixels (size×size×3, 0–1), each class's score, and the winner's weight × pixel map */
  applied: v.optional(v.object({ pixels: v.string(), scores: v.array(Num), probs: v.array(Num), top: Count, contributions: v.string(), sum: Num })),
});
export type PixelLinear = v.InferOutput<typeof PixelLinearSchema>;

export const contentMessages = [
  v.strictObject({ type: v.literal('bg/ask-class-name'), target: v.literal('content'), anyFrame: v.boolean() }),
] as const;

const Imported = { classes: Count, examples: Count };
export const replies = {
  'popup/train': reply({}),
  'popup/lr-find': reply({ result: LrFinderSchema }),
  'bg/lr-find': reply({ result: LrFinderSchema }),
  'popup/pixel-linear': reply({ result: PixelLinearSchema }),
  'bg/pixel-linear': reply({ result: PixelLinearSchema }),
  'popup/cancel-training': reply({}),
  'popup/classes-changed': reply({}),
  'popup/export': reply({ filename: v.string(), data: v.string() }),
  'popup/import': reply(Imported),
  'bg/add-example': reply({ count: Count }),
  'bg/train': reply({ summary: TrainSummarySchema }),
  'bg/export': reply({ data: v.string() }),
  'bg/import': reply(Imported),
  'offscreen/train-progress': NoReply,
  'bg/ask-class-name': reply({ name: v.string() }),
};

// ---- the training rules

/** At least this many classes with examples, each with at least this many examples. */
export const MIN_CLASSES = 2;
export const MIN_EXAMPLES = 3;

export type Readiness =
  | { ok: true; classes: number; examples: number; /** classes without examples, left out of training */ skipped: string[] }
  | { ok: false; message: string; /** the classes short of examples, by name */ short: string[] };

const has = (c: { name: string; count: number }) => `“${c.name}” has ${c.count}`;

/** Whether there is enough to train on, and if not, what is missing, naming the classes short of examples. */
export function readiness<C extends { name: string; count: number }>(classes: readonly C[]): Readiness {
  const used = classes.filter((c) => c.count > 0);
  const enough = classes.filter((c) => c.count >= MIN_EXAMPLES);
  if (used.length < MIN_CLASSES) {
    const short = classes.filter((c) => c.count < MIN_EXAMPLES);
    const need = `Training needs at least ${MIN_CLASSES} classes with ${MIN_EXAMPLES} or more examples each`;
    if (!classes.length) return { ok: false, short: [], message: `${need}. Create a class, then add examples to it.` };
    const missing = MIN_CLASSES - enough.length;
    const tail = short.length ? `: ${short.map(has).join(', ')}` : '';
    return {
      ok: false, short: short.map((c) => c.name),
      message: `${need}${tail}.${classes.length < MIN_CLASSES ? ` Create ${missing === 1 ? 'one more class' : `${missing} more classes`}.` : ''}`,
    };
  }
  const short = used.filter((c) => c.count < MIN_EXAMPLES);
  if (short.length) {
    return { ok: false, short: short.map((c) => c.name), message: `Each class needs at least ${MIN_EXAMPLES} examples: ${short.map(has).join(', ')}.` };
  }
  return { ok: true, classes: used.length, examples: used.reduce((s, c) => s + c.count, 0), skipped: classes.filter((c) => c.count === 0).map((c) => c.name) };
}
