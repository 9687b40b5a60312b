// Teaching new classes: a small head (dense softmax, optionally one hidden layer) trained on the frozen
// backbone's pooled features, with a held-out validation split and early stopping on validation loss.
import * as tf from '@tensorflow/tfjs';
import { seededRandom } from '../../shared/codecs';
import { RequestError, throwIfAborted } from '../../engine/jobs';
import { MIN_CLASSES, readiness } from './contract';

interface TrainOptions {
  /** units of the optional hidden layer; 0 = a single dense softmax layer */
  hidden: number;
  maxEpochs: number;
  /** epochs without a better validation loss before stopping */
  patience: number;
  valFraction: number;
  learningRate: number;
  seed: number;
  /** standardise the features inside the head (off for raw pixels: a dims×dims layer would be huge) */
  standardise: boolean;
  /** start the class weights at zero, as plain logistic regression does (so weight pictures show only what was learned) */
  zeroInit: boolean;
  signal?: AbortSignal;
  onEpoch?: (e: Epoch) => void;
}
export interface Epoch { epoch: number; loss: number; valLoss: number; valAccuracy: number }
export const DEFAULT_TRAIN: TrainOptions = { hidden: 0, maxEpochs: 80, patience: 8, valFraction: 0.25, learningRate: 0.01, seed: 1, standardise: true, zeroInit: false, signal: undefined, onEpoch: undefined };

export interface Sample { group: number; label: number; x: Float32Array; original: boolean }
interface TrainResult { head: tf.Sequential; valAccuracy: number; confusion: number[][]; epochs: number; trainSize: number; valSize: number; history: Epoch[] }

/** Not enough examples to train on (the training rules are in contract.ts). */
export class TooLittleData extends RequestError {}


/**
 * Splits examples (groups) per class so every class has at least one validation example and at least two
 * training examples; augmented copies stay with their original.
 */
export function splitByExample(groups: { group: number; label: number }[], valFraction: number, seed: number): { train: Set<number>; val: Set<number> } {
  const byClass = new Map<number, number[]>();
  for (const g of groups) byClass.set(g.label, [...(byClass.get(g.label) ?? []), g.group]);
  const rand = seededRandom(seed);
  const train = new Set<number>(), val = new Set<number>();
  for (const members of byClass.values()) {
    const shuffled = [...new Set(members)].sort((a, b) => a - b).map((m) => [rand(), m] as const).sort((a, b) => a[0] - b[0]).map(([, m]) => m);
    const nVal = Math.max(1, Math.min(shuffled.length - 2, Math.round(shuffled.length * valFraction)));
    shuffled.forEach((m, i) => (i < nVal ? val : train).add(m));
  }
  return { train, val };
}

export function shuffled(n: number, rand: () => number): number[] {
  const a = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) { const j = Math.floor(rand() * (i + 1)); [a[i], a[j]] = [a[j]!, a[i]!]; }
  return a;
}

export async function trainHead(samples: Sample[], numClasses: number, opts: Partial<TrainOptions> = {}): Promise<TrainResult> {
  const o = { ...DEFAULT_TRAIN, ...opts };
  const perClass = new Map<number, Set<number>>();
  for (const s of samples) perClass.set(s.label, (perClass.get(s.label) ?? new Set()).add(s.group));
  const ready = readiness([...perClass].map(([label, g]) => ({ name: `class #${label}`, count: g.size })));
  if (!ready.ok || numClasses < MIN_CLASSES) throw new TooLittleData(ready.ok ? `Training needs at least ${MIN_CLASSES} classes.` : ready.message);

  const { train, val } = splitByExample(samples.filter((s) => s.original), o.valFraction, o.seed);
  const trainSet = samples.filter((s) => train.has(s.group));
  const valSet = samples.filter((s) => val.has(s.group) && s.original);
  const dims = samples[0]!.x.length;
  const [xt, yt] = packSamples(trainSet, dims, numClasses);
  const [xv, yv] = packSamples(valSet, dims, numClasses);
  const head = buildHead(xt, numClasses, o);
  // An optimizer passed as an object is not owned (nor disposed) by the model: dispose it after training.
  const optimizer = tf.train.adam(o.learningRate);
  head.compile({ optimizer, loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const history: Epoch[] = [];

  const rand = seededRandom(o.seed + 17);
  let best = { valLoss: Infinity, epoch: 0, weights: [] as tf.Tensor[] };
  let epoch = 0;
  try {
    for (epoch = 1; epoch <= o.maxEpochs; epoch++) {
      throwIfAborted(o.signal);
      // Shuffle with the seeded generator (fit's own shuffle uses Math.random): the same data trains the same head.
      const perm = tf.tensor1d(shuffled(xt.shape[0], rand), 'int32');
      const [xe, ye] = [tf.gather(xt, perm), tf.gather(yt, perm)];
      const h = await head.fit(xe, ye, { epochs: 1, batchSize: 32, shuffle: false, verbose: 0 });
      [perm, xe, ye].forEach((t) => t.dispose());
      const [vl, va] = head.evaluate(xv, yv, { batchSize: 64 }) as tf.Scalar[];
      const valLoss = (await vl!.data())[0]!, valAccuracy = (await va!.data())[0]!;
      vl!.dispose(); va!.dispose();
      const e = { epoch, loss: Number(h.history.loss?.[0] ?? NaN), valLoss, valAccuracy };
      history.push(e);
      o.onEpoch?.(e);
      if (valLoss < best.valLoss - 1e-4) {
        best.weights.forEach((w) => w.dispose());
        best = { valLoss, epoch, weights: head.getWeights().map((w) => w.clone()) };
      } else if (epoch - best.epoch >= o.patience) {
        break;
      }
      await new Promise((r) => setTimeout(r, 0)); // let messages (progress, cancel) through
    }
    if (best.weights.length) head.setWeights(best.weights);
    // Validation accuracy and confusion matrix (rows: true class, columns: predicted) of the kept weights.
    const pred = tf.tidy(() => (head.predict(xv) as tf.Tensor2D).argMax(1));
    const predicted = Array.from(await pred.data());
    pred.dispose();
    const confusion = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
    valSet.forEach((s, i) => { confusion[s.label]![predicted[i]!]! += 1; });
    const correct = valSet.filter((s, i) => s.label === predicted[i]).length;
    return { head, valAccuracy: correct / Math.max(1, valSet.length), confusion, epochs: Math.min(epoch, o.maxEpochs), trainSize: trainSet.length, valSize: valSet.length, history };
  } catch (e) {
    head.dispose();
    throw e;
  } finally {
    best.weights.forEach((w) => w.dispose());
    [xt, yt, xv, yv].forEach((t) => t.dispose());
    optimizer.dispose();
  }
}

/** Samples as a feature matrix and one-hot labels. Caller disposes. */
export function packSamples(set: Sample[], dims: number, numClasses: number): [tf.Tensor2D, tf.Tensor2D] {
  return tf.tidy(() => {
    const x = tf.tensor2d(Float32Array.from(set.flatMap((s) => Array.from(s.x))), [set.length, dims]);
    return [x, tf.oneHot(tf.tensor1d(set.map((s) => s.label), 'int32'), numClasses).toFloat()] as [tf.Tensor2D, tf.Tensor2D];
  });
}

/**
 * The head, untrained: standardisation with the training set's statistics (built in, so it applies at use time
 * too), an optional hidden layer, and a softmax over the classes. The variance floor matters: with a handful of
 * examples some features barely vary, and dividing by a tiny spread would amplify them ~1000×.
 */
export function buildHead(xt: tf.Tensor2D, numClasses: number, o: Pick<TrainOptions, 'hidden' | 'seed' | 'standardise'> & { zeroInit?: boolean }): tf.Sequential {
  const dims = xt.shape[1];
  const head = tf.sequential();
  if (o.standardise) {
    const weights = tf.tidy(() => {
      const { mean, variance } = tf.moments(xt, 0);
      const std = tf.sqrt(tf.add(variance, 1e-2));
      return [tf.diag(tf.div(1, std)) as tf.Tensor2D, tf.neg(tf.div(mean, std))];
    });
    head.add(tf.layers.dense({ inputShape: [dims], units: dims, useBias: true, trainable: false, name: 'standardise', weights }));
    weights.forEach((t) => t.dispose()); // the layer holds its own copies
  }
  const first = o.standardise ? {} : { inputShape: [dims] };
  if (o.hidden > 0) {
    head.add(tf.layers.dense({ ...first, units: o.hidden, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: o.seed }), name: 'hidden' }));
    head.add(tf.layers.dropout({ rate: 0.2, seed: o.seed }));
  }
  head.add(tf.layers.dense({ ...(o.hidden > 0 ? {} : first), units: numClasses, activation: 'softmax', kernelInitializer: o.zeroInit ? 'zeros' : tf.initializers.glorotUniform({ seed: o.seed + 1 }), kernelRegularizer: tf.regularizers.l2({ l2: 1e-3 }), name: 'classes' }));
  return head;
}
