// Explaining the user's own classes: the frozen backbone up to its feature layer, the spatial mean (the
// embedding the head was trained on), then the trained head with its softmax left off (pre-softmax scores).
// Gradients flow through the head into the backbone, so every gradient and CAM method works unchanged.
import * as tf from '@tensorflow/tfjs';
import type { LayersAdapter } from '../../engine/adapter';
import type { ExplainModel, PatchedLogits } from '../explain/types';

export class CustomHeadAdapter implements ExplainModel {
  readonly inputShape: readonly [number, number, number];
  readonly numClasses: number;
  readonly defaultCamLayer: string;
  readonly preprocess: { scale: number; offset: number };

  constructor(private readonly backbone: LayersAdapter, private readonly head: tf.LayersModel, private readonly featureLayer: string) {
    this.inputShape = backbone.inputShape;
    this.preprocess = backbone.preprocess;
    this.defaultCamLayer = featureLayer;
    this.numClasses = (head.outputs[0]!.shape as number[]).at(-1)!;
  }

  /** The head's class scores before its softmax: every layer applied, the last one linearly. */
  private scores(embedding: tf.Tensor2D): tf.Tensor2D {
    const layers = this.head.layers;
    let y: tf.Tensor = embedding;
    layers.forEach((l, i) => {
      if (i === layers.length - 1) {
        const [kernel, bias] = l.getWeights();
        y = tf.matMul(y as tf.Tensor2D, kernel as tf.Tensor2D);
        if (bias) y = tf.add(y, bias);
      } else {
        y = l.apply(y, { training: false }) as tf.Tensor;
      }
    });
    return y as tf.Tensor2D;
  }

  logits(x: tf.Tensor4D): tf.Tensor2D {
    return tf.tidy(() => this.scores(this.backbone.runBetween(x, null, this.featureLayer).mean([1, 2]) as tf.Tensor2D));
  }

  patched(input: tf.Tensor4D): PatchedLogits | null {
    const up = this.backbone.patchedUpTo(input, this.featureLayer);
    if (!up) return null;
    return { logits: (origins, size, fill) => tf.tidy(() => this.scores(up.run(origins, size, fill).mean([1, 2]) as tf.Tensor2D)), dispose: up.dispose };
  }

  split(layer: string) {
    return {
      features: (x: tf.Tensor4D) => tf.tidy(() => this.backbone.runBetween(x, null, layer) as tf.Tensor4D),
      head: (f: tf.Tensor4D) => tf.tidy(() => {
        const feat = layer === this.featureLayer ? f : (this.backbone.runBetween(f, layer, this.featureLayer) as tf.Tensor4D);
        return this.scores(feat.mean([1, 2]) as tf.Tensor2D);
      }),
    };
  }

  convLayers(): string[] {
    const all = this.backbone.convLayers();
    return all.slice(0, all.indexOf(this.featureLayer) + 1);
  }
}
