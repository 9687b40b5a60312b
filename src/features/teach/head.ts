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
  signal?: AbortSignal;
  onEpoch?: (e: { epoch: number; loss: number; valLoss: number; valAccuracy: number }) => void;
}
const DEFAULT_TRAIN: TrainOptions = { hidden: 0, maxEpochs: 80, patience: 8, valFraction: 0.25, learningRate: 0.01, seed: 1, signal: undefined, onEpoch: undefined };

export interface Sample { group: number; label: number; x: Float32Array; original: boolean }
interface TrainResult { head: tf.Sequential; valAccuracy: number; confusion: number[][]; epochs: number; trainSize: number; valSize: number }

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

function shuffled(n: number, rand: () => number): number[] {
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
  const pack = (set: Sample[]) => tf.tidy(() => {
    const x = tf.tensor2d(Float32Array.from(set.flatMap((s) => Array.from(s.x))), [set.length, dims]);
    return [x, tf.oneHot(tf.tensor1d(set.map((s) => s.label), 'int32'), numClasses).toFloat()] as [tf.Tensor2D, tf.Tensor2D];
  });
  const [xt, yt] = pack(trainSet);
  const [xv, yv] = pack(valSet);
  // Standardise features with the training set's statistics, built into the head so it applies at use time too.
  // The variance floor matters: with a handful of examples some features barely vary, and dividing by a tiny
  // spread would amplify them ~1000×, making the head brittle (and its gradients needlessly sharp).
  const { mean, variance } = tf.moments(xt, 0);
  const std = tf.tidy(() => tf.sqrt(tf.add(variance, 1e-2)));
  const head = tf.sequential();
  const standardise = tf.tidy(() => [tf.diag(tf.div(1, std)) as tf.Tensor2D, tf.neg(tf.div(mean, std))]);
  head.add(tf.layers.dense({ inputShape: [dims], units: dims, useBias: true, trainable: false, name: 'standardise', weights: standardise }));
  standardise.forEach((t) => t.dispose()); // the layer holds its own copies
  if (o.hidden > 0) {
    head.add(tf.layers.dense({ units: o.hidden, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: o.seed }), name: 'hidden' }));
    head.add(tf.layers.dropout({ rate: 0.2, seed: o.seed }));
  }
  head.add(tf.layers.dense({ units: numClasses, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: o.seed + 1 }), kernelRegularizer: tf.regularizers.l2({ l2: 1e-3 }), name: 'classes' }));
  // An optimizer passed as an object is not owned (nor disposed) by the model: dispose it after training.
  const optimizer = tf.train.adam(o.learningRate);
  head.compile({ optimizer, loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  [mean, variance, std].forEach((t) => t.dispose());

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
      o.onEpoch?.({ epoch, loss: Number(h.history.loss?.[0] ?? NaN), valLoss, valAccuracy });
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
    return { head, valAccuracy: correct / Math.max(1, valSet.length), confusion, epochs: Math.min(epoch, o.maxEpochs), trainSize: trainSet.length, valSize: valSet.length };
  } catch (e) {
    head.dispose();
    throw e;
  } finally {
    best.weights.forEach((w) => w.dispose());
    [xt, yt, xv, yv].forEach((t) => t.dispose());
    optimizer.dispose();
  }
}
