// Training you can see (the loss curve per epoch, the LR finder) and a pixels-only model for contrast.
import { useEffect, useMemo, useRef } from 'preact/hooks';
import { base64ToFloats } from '../../../shared/codecs';
import type { EpochPoint, LrFinder, PixelLinear } from '../contract';
import { drawGrid } from '../../lens/popup/draw';
import type { ExtrasVm } from './extras-vm';

const W = 320, H = 140, PAD = 26;

/** Loss (solid) and validation loss (dashed) on the left scale, validation accuracy (dotted) on 0–100 %. */
export function TrainCurve({ history }: { history: readonly EpochPoint[] }) {
  if (history.length < 1) return null;
  const maxLoss = Math.max(...history.flatMap((e) => [e.loss, e.valLoss]).filter(Number.isFinite), 1e-6);
  const x = (i: number) => PAD + (history.length === 1 ? 0 : (i / (history.length - 1)) * (W - 2 * PAD));
  const y = (v: number, max: number) => H - PAD + 4 - (v / max) * (H - 2 * PAD);
  const line = (f: (e: EpochPoint) => number, max: number) => history.map((e, i) => `${i ? 'L' : 'M'}${x(i).toFixed(1)},${y(f(e), max).toFixed(1)}`).join(' ');
  const bestVal = history.reduce((b, e) => (e.valLoss < b.valLoss ? e : b), history[0]!);
  return (
    <figure class="nl-curve">
      <svg viewBox={`0 0 ${W} ${H}`} width={W} height={H} role="img" data-testid="train-curve" data-epochs={history.length}
        aria-label={`training curve over ${history.length} epochs: loss from ${history[0]!.loss.toFixed(2)} to ${history.at(-1)!.loss.toFixed(2)}, best validation loss ${bestVal.valLoss.toFixed(2)} at epoch ${bestVal.epoch}`}>
        <line x1={PAD} x2={W - PAD} y1={H - PAD + 4} y2={H - PAD + 4} class="axis" />
        <path d={line((e) => e.loss, maxLoss)} class="loss" />
        <path d={line((e) => e.valLoss, maxLoss)} class="val-loss" />
        <path d={line((e) => e.valAccuracy, 1)} class="val-acc" />
        <line x1={x(history.indexOf(bestVal))} x2={x(history.indexOf(bestVal))} y1={PAD - 6} y2={H - PAD + 4} class="best" />
        <text x={PAD} y={H - 6} class="tick">1</text><text x={W - PAD} y={H - 6} class="tick" text-anchor="end">{history.at(-1)!.epoch} epochs</text>
      </svg>
      <figcaption class="small muted">— training loss · - - validation loss · ··· validation accuracy · | the kept epoch (lowest validation loss). Training loss falling while validation loss rises is overfitting.</figcaption>
    </figure>
  );
}

function LrPlot({ r }: { r: LrFinder }) {
  const lo = Math.log10(r.rates[0]!), hi = Math.log10(r.rates.at(-1)!);
  const max = Math.max(...r.smoothed.filter(Number.isFinite)), min = Math.min(...r.smoothed);
  const x = (rate: number) => PAD + ((Math.log10(rate) - lo) / Math.max(1e-9, hi - lo)) * (W - 2 * PAD);
  const y = (v: number) => H - PAD - ((v - min) / Math.max(1e-9, max - min)) * (H - 2 * PAD);
  const d = r.rates.map((rate, i) => `${i ? 'L' : 'M'}${x(rate).toFixed(1)},${y(Math.min(max, r.smoothed[i]!)).toFixed(1)}`).join(' ');
  return (
    <svg viewBox={`0 0 ${W} ${H}`} width={W} height={H} role="img" class="nl-curve" aria-label={`loss against learning rate; suggested ${r.suggested.toExponential(1)}`}>
      <path d={d} class="loss" />
      <line x1={x(r.suggested)} x2={x(r.suggested)} y1={PAD} y2={H - PAD} class="best" />
      <text x={PAD} y={H - 6} class="tick">{r.rates[0]!.toExponential(0)}</text>
      <text x={W - PAD} y={H - 6} class="tick" text-anchor="end">{r.rates.at(-1)!.toExponential(0)}</text>
    </svg>
  );
}

export function LrFinderPanel({ vm, disabled }: { vm: ExtrasVm; disabled: boolean }) {
  const j = vm.lr.value;
  return (
    <div class="nl-extra" data-testid="lr-finder" data-suggested={j.status === 'done' ? j.value.suggested : ''} data-state={j.status}>
      <h3>Learning rate</h3>
      <p class="small muted">The LR finder trains a throw-away head for a few dozen mini-batches while the learning rate grows from 10⁻⁵ to 1, and plots the loss. Too small a rate barely moves it, too large a one blows it up; it suggests a tenth of the rate where the loss is lowest.</p>
      <button type="button" data-testid="lr-find" disabled={disabled || j.status === 'running'} onClick={() => void vm.findLr()}>{j.status === 'running' ? `Trying rates… ${Math.round(j.progress * 100)} %` : 'Find a learning rate'}</button>
      {j.status === 'error' && <p class="error">{j.message}</p>}
      {j.status === 'done' && (
        <>
          <LrPlot r={j.value} />
          <p class="small">Suggested: <strong>{j.value.suggested.toPrecision(2)}</strong> ({j.value.rates.length} steps, {j.value.ms} ms).{' '}
            {vm.learningRate.value === j.value.suggested
              ? <>The next training uses it. <button type="button" class="link" onClick={() => vm.useRate(null)}>Back to the default (0.01)</button></>
              : <button type="button" data-testid="lr-use" onClick={() => vm.useRate(j.value.suggested)}>Use it</button>}
          </p>
        </>
      )}
    </div>
  );
}

function Grid({ values, size, label, signed = true }: { values: Float32Array; size: number; label: string; signed?: boolean }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => { if (ref.current) drawGrid(ref.current, { width: size, height: size, values }, { signed, colormap: signed ? 'rdbu' : 'viridis' }); }, [values]);
  return <canvas ref={ref} class="nl-pixel-grid" aria-label={label} />;
}

function Rgb({ pixels, size }: { pixels: Float32Array; size: number }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const c = ref.current!;
    c.width = size; c.height = size;
    const img = c.getContext('2d')!.createImageData(size, size);
    for (let i = 0; i < size * size; i++) { for (let k = 0; k < 3; k++) img.data[i * 4 + k] = Math.round(pixels[i * 3 + k]! * 255); img.data[i * 4 + 3] = 255; }
    c.getContext('2d')!.putImageData(img, 0, 0);
  }, [pixels]);
  return <canvas ref={ref} class="nl-pixel-grid" aria-label="the image at 32×32" />;
}

export function PixelLinearPanel({ vm, disabled }: { vm: ExtrasVm; disabled: boolean }) {
  const j = vm.pixels.value;
  const p: PixelLinear | null = j.status === 'done' ? j.value : null;
  const templates = useMemo(() => {
    if (!p) return [];
    const w = base64ToFloats(p.weights), K = p.classNames.length, n = p.size * p.size;
    return p.classNames.map((_, k) => Float32Array.from({ length: n }, (_, i) => w[(i * 3) * K + k]! + w[(i * 3 + 1) * K + k]! + w[(i * 3 + 2) * K + k]!));
  }, [p]);
  return (
    <div class="nl-extra" data-testid="pixel-linear" data-val-acc={p?.valAccuracy ?? ''} data-head-val-acc={p?.headValAccuracy ?? ''} data-state={j.status}>
      <h3>A pixels-only model, for contrast</h3>
      <p class="small muted">One dense layer straight on your examples shrunk to 32×32 pixels: score = Σ wᵢ·pixelᵢ + b. Each class's weights form one fixed template picture (red: bright here means this class; blue: against). It cannot cope with the object moving; the head on convolutional features can.</p>
      <button type="button" data-testid="pixel-train" disabled={disabled || j.status === 'running'} onClick={() => void vm.pixelModel('train')}>{j.status === 'running' ? `Training on pixels… ${Math.round(j.progress * 100)} %` : 'Train a pixels-only model'}</button>
      {p && <button type="button" data-testid="pixel-apply" onClick={() => void vm.pixelModel('apply')}>Try it on the current image</button>}
      {j.status === 'error' && <p class="error">{j.message}</p>}
      {vm.applyError.value && <p class="error" data-testid="pixel-apply-error">{vm.applyError.value}</p>}
      {p && (
        <>
          <p class="small">Validation accuracy: pixels only <strong>{Math.round(p.valAccuracy * 100)} %</strong>{p.headValAccuracy !== null ? <> · the head on CNN features <strong>{Math.round(p.headValAccuracy * 100)} %</strong></> : ' · train the head to compare'} ({p.examples} examples, {p.ms} ms).</p>
          <TrainCurve history={p.history} />
          <ol class="nl-templates">{p.classNames.map((name, k) => <li key={name}><Grid values={templates[k]!} size={p.size} label={`weights of ${name}`} /><span class="small">{name}</span></li>)}</ol>
          {p.applied && (
            <div class="nl-applied" data-testid="pixel-applied" data-top={p.applied.top} data-sum={p.applied.sum}>
              <Rgb pixels={base64ToFloats(p.applied.pixels)} size={p.size} />
              <Grid values={base64ToFloats(p.applied.contributions)} size={p.size} label="weight times pixel for the winning class" />
              <p class="small">“{p.classNames[p.applied.top]}”: Σ weight × pixel = {p.applied.sum.toFixed(3)}, + bias {p.bias[p.applied.top]!.toFixed(3)} = score {p.applied.scores[p.applied.top]!.toFixed(3)} ({Math.round(p.applied.probs[p.applied.top]! * 100)} %). Scores: {p.classNames.map((n, k) => `${n} ${p.applied!.scores[k]!.toFixed(2)}`).join(' · ')}.</p>
            </div>
          )}
        </>
      )}
    </div>
  );
}
