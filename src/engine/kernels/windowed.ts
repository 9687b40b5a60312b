// Many copies of one image, each with one rectangle painted over (occlusion): a layer's output can only change
// where the rectangle reaches, so each layer recomputes just that window, on a crop of its input made of the
// window below and the unchanged image's own activations around it. Early layers, where most pixels are far
// from the rectangle, shrink to a few per cent of their work; once the windows cover most of their map, whole
// maps are rebuilt and the rest of the network runs as usual. The values are the same convolutions' values:
// only where they are computed changes.
import * as tf from '@tensorflow/tfjs';
import { planBlock, type BlockPlan, type FusedBlocks } from './fused-blocks';

/** One spatial axis of a conv: input and output sizes, kernel, stride, the zeros padded before it, padded size. */
interface Axis { size: number; out: number; k: number; s: number; pb: number; padded: number }

export function axis(size: number, k: number, s: number, padding: 'same' | 'valid'): Axis {
  if (padding === 'valid') return { size, out: Math.ceil((size - k + 1) / s), k, s, pb: 0, padded: size };
  const out = Math.ceil(size / s), total = Math.max((out - 1) * s + k - size, 0);
  return { size, out, k, s, pb: Math.floor(total / 2), padded: size + total };
}

/** The outputs [from, to) whose input rows include any of [a, b). */
export function reach(ax: Axis, a: number, b: number): [number, number] {
  return [Math.max(0, Math.floor((a + ax.pb - ax.k) / ax.s) + 1), Math.min(ax.out, Math.ceil((b + ax.pb) / ax.s))];
}

/**
 * Whether the windowed pass is worth it on a backend. It reads every window back to JS to paste the next crop:
 * a memory copy on wasm and cpu, but a stall of the whole pipeline on a GPU, where whole batches are cheap.
 */
export function windowedPays(backend: string): boolean {
  return backend === 'wasm' || backend === 'cpu';
}

/** `at`: the block's first chain index, where the whole-map pass takes over */
type Step =
  | { kind: 'block'; at: number; plan: BlockPlan; y: Axis; x: Axis; base: Float32Array /* padded input [Hp, Wp, C] */ }
  | { kind: 'pointwise'; layer: tf.layers.Layer };

type BlockStep = Extract<Step, { kind: 'block' }>;

/** Per image: where its window starts; for all: the window's size and values [B, h, w, C]. */
interface Window { ys: number[]; xs: number[]; h: number; w: number; t: tf.Tensor4D }

/** The share of a layer's output map above which windows give way to whole maps. Occlusion 32/16 on MobileNet
 * v1 measured 1595, 1545, 1496, 1526 and 1690 ms for 0.25, 0.5, 0.7, 0.85 and never. */
const WHOLE_MAP = 0.7;

/** Layers that map each position on its own (a batch norm only over channels), so a window passes through them. */
function pointwise(layer: tf.layers.Layer): boolean {
  const kind = layer.getClassName();
  if (kind === 'BatchNormalization') { const a = (layer.getConfig() as { axis: number }).axis; return a === -1 || a === 3; }
  return ['Activation', 'ReLU', 'LeakyReLU', 'Dropout'].includes(kind);
}

export class PatchedImage {
  private readonly steps: Step[] = [];
  /** chain index where the windowed part ends, and the image's activation there, [H, W, C] */
  private readonly stop: number;
  private readonly stopBase: Float32Array;
  /** the map there, as a 1×1 conv's axes (no padding) so that `rebuild` reads it like a block's input */
  private readonly stopAxes: [Axis, Axis];
  private readonly channels: number;

  /** `input` [1, H, W, C] is read now and not kept; chain[0..last] at most is run windowed. */
  constructor(private readonly blocks: FusedBlocks, chain: readonly tf.layers.Layer[], input: tf.Tensor4D, last: number) {
    this.channels = input.shape[3];
    let y: tf.Tensor = tf.keep(input.clone());
    let i = 0;
    for (; i <= last && y.rank === 4; i++) {
      const [, h, w] = y.shape as [number, number, number, number];
      const plan = planBlock(chain, i, last);
      if (plan) {
        const cfg = plan.conv.getConfig() as unknown as { kernelSize: [number, number]; strides: [number, number]; padding: 'same' | 'valid' };
        const ay = axis(h, cfg.kernelSize[0], cfg.strides[0], cfg.padding), ax = axis(w, cfg.kernelSize[1], cfg.strides[1], cfg.padding);
        const prev = y;
        const padded = tf.pad(prev, [[0, 0], [ay.pb, ay.padded - h - ay.pb], [ax.pb, ax.padded - w - ax.pb], [0, 0]]);
        this.steps.push({ kind: 'block', at: i, plan, y: ay, x: ax, base: padded.dataSync() as Float32Array });
        padded.dispose();
        y = tf.tidy(() => this.blocks.forward(plan, prev as tf.Tensor4D, cfg.padding));
        prev.dispose();
        i = plan.to;
      } else if (pointwise(chain[i]!)) {
        this.steps.push({ kind: 'pointwise', layer: chain[i]! });
        const prev = y;
        y = tf.tidy(() => chain[i]!.apply(prev, { training: false }) as tf.Tensor);
        prev.dispose();
      } else break;
    }
    this.stop = i;
    const [, h, w] = y.shape as [number, number, number, number];
    this.stopAxes = [axis(h, 1, 1, 'valid'), axis(w, 1, 1, 'valid')];
    this.stopBase = y.dataSync() as Float32Array;
    y.dispose();
  }

  /**
   * The batch of images, each the input with an h×w rectangle at `origins[b]` set to `fill`, run up to where the
   * windowed part ends: [B, H, W, C] there, and the chain index to go on from. Tidy.
   */
  run(origins: readonly (readonly [number, number])[], [ph, pw]: readonly [number, number], fill: number): { y: tf.Tensor4D; next: number } {
    return tf.tidy(() => {
      const B = origins.length;
      let win: Window = { ys: origins.map((o) => o[0]), xs: origins.map((o) => o[1]), h: ph, w: pw, t: tf.fill([B, ph, pw, this.channels], fill) as tf.Tensor4D };
      for (const step of this.steps) {
        if (step.kind === 'pointwise') { win = { ...win, t: step.layer.apply(win.t, { training: false }) as tf.Tensor4D }; continue; }
        const size = this.windowSize(step, win);
        // Near the whole map, pasting windows costs more than the convolution it saves: whole maps from here.
        if (size.h * size.w > WHOLE_MAP * step.y.out * step.x.out) return { y: rebuild(step.base, step.y, step.x, win), next: step.at };
        win = this.block(step, win, size);
      }
      return { y: rebuild(this.stopBase, this.stopAxes[0], this.stopAxes[1], win), next: this.stop };
    });
  }

  /** Where each image's output window starts, and the size they share: all the outputs its window reaches. */
  private windowSize(step: BlockStep, win: Window): { ys: number[]; xs: number[]; h: number; w: number } {
    const ry = win.ys.map((a) => reach(step.y, a, a + win.h)), rx = win.xs.map((a) => reach(step.x, a, a + win.w));
    const h = Math.max(...ry.map(([a, b]) => b - a)), w = Math.max(...rx.map(([a, b]) => b - a));
    return { h, w, ys: ry.map(([a]) => Math.min(a, step.y.out - h)), xs: rx.map(([a]) => Math.min(a, step.x.out - w)) };
  }

  /**
   * One conv block on every image's window: a crop of the image's padded input with the window pasted in, through
   * a 'valid' conv. The crops are assembled in JS a row at a time (a crop's row is one run of memory in both
   * sources): tf.gather did the same pasting 5× slower than the convolutions themselves. A 1×1 conv needs no
   * crop: its window is the one below.
   */
  private block(step: BlockStep, win: Window, size: ReturnType<PatchedImage['windowSize']>): Window {
    const { y, x } = step;
    if (y.k === 1 && x.k === 1 && y.s === 1 && x.s === 1) return { ...win, t: this.blocks.forward(step.plan, win.t, 'valid') };
    const B = win.ys.length, C = win.t.shape[3];
    const ch = (size.h - 1) * y.s + y.k, cw = (size.w - 1) * x.s + x.k;
    const crop = paste(step.base, x.padded, win, valuesOf(win.t), C, size.ys.map((v) => v * y.s), size.xs.map((v) => v * x.s), ch, cw, y.pb, x.pb);
    return { ...size, t: this.blocks.forward(step.plan, tf.tensor4d(crop, [B, ch, cw, C]), 'valid') };
  }

  /** Nothing of the baselines is a tensor; kept so that owners release it the same way as everything else. */
  dispose(): void {
    this.steps.length = 0;
  }
}

/**
 * A window's values to paste from, read at once (nothing in between may allocate on the backend). On wasm a
 * view of the backend's heap instead of dataSync's copy: the copies took ~100 of occlusion's ~1450 ms.
 */
function valuesOf(t: tf.Tensor): Float32Array {
  const wasm = tf.getBackend() === 'wasm' ? tf.backend() as unknown as { typedArrayFromHeap?(t: tf.Tensor): Float32Array } : null;
  return wasm?.typedArrayFromHeap ? wasm.typedArrayFromHeap(t) : t.dataSync() as Float32Array;
}

/** Every image's whole map: its window where it has one, the image's own activation (`base`, padded) elsewhere. */
function rebuild(base: Float32Array, y: Axis, x: Axis, win: Window): tf.Tensor4D {
  const B = win.ys.length, C = win.t.shape[3];
  const full = paste(base, x.padded, win, valuesOf(win.t), C, win.ys.map(() => y.pb), win.xs.map(() => x.pb), y.size, x.size, y.pb, x.pb);
  return tf.tensor4d(full, [B, y.size, x.size, C]);
}

/**
 * Per image b, the ch×cw crop at (y0[b], x0[b]) of `base` ([rows, W, C], padded by (pby, pbx) before), with the
 * window's values (win, [B, h, w, C] at win.ys[b], win.xs[b] in unpadded coordinates) where the two overlap.
 */
function paste(base: Float32Array, W: number, win: Window, wv: Float32Array, C: number, y0: number[], x0: number[], ch: number, cw: number, pby: number, pbx: number): Float32Array {
  const B = win.ys.length, out = new Float32Array(B * ch * cw * C), rowLen = cw * C;
  for (let b = 0; b < B; b++) {
    const wy = win.ys[b]! + pby, wx = win.xs[b]! + pbx; // the window in padded coordinates
    const c0 = Math.max(x0[b]!, wx), c1 = Math.min(x0[b]! + cw, wx + win.w);
    for (let r = 0; r < ch; r++) {
      const py = y0[b]! + r, dst = (b * ch + r) * rowLen;
      out.set(base.subarray((py * W + x0[b]!) * C, (py * W + x0[b]!) * C + rowLen), dst);
      if (py >= wy && py < wy + win.h && c1 > c0) {
        const src = ((b * win.h + py - wy) * win.w + c0 - wx) * C;
        out.set(wv.subarray(src, src + (c1 - c0) * C), dst + (c0 - x0[b]!) * C);
      }
    }
  }
  return out;
}

