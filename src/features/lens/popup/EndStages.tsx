// The end of the network: global average pooling, the class score Σ wᵢ·xᵢ + b with where its evidence came
// from, and softmax (with a temperature, and the two-class case as a sigmoid of a difference).
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { base64ToFloats } from '../../../shared/codecs';
import type { DenseData, GlobalPoolData, SoftmaxData, Track } from '../contract';
import { drawGrid, drawInput, fmt } from './draw';
import { MeanFormula, ScoreFormula, SigmoidFormula, SoftmaxFormula } from './math';
import type { LensVm } from './lens-vm';
import { whereStrongest } from '../../../ui/describe';

export function GlobalPoolStage({ vm }: { vm: LensVm }) {
  const d = vm.current.value?.data?.kind === 'global-pool' ? vm.current.value.data as GlobalPoolData : null;
  const values = useMemo(() => (d ? base64ToFloats(d.map.values) : null), [d]);
  if (!d || !values) return null;
  const sum = values.reduce((s, v) => s + v, 0);
  return (
    <>
      <p class="lens-question">Answers: <em>What is passed from the last conv layer to the classifier?</em></p>
      <p>The last feature maps are {d.map.height}×{d.map.width} grids, {d.channels} of them. Global average pooling replaces each map by its mean: {d.map.height}×{d.map.width}×{d.channels} numbers become {d.channels}. "How much of feature c is there in the image?" survives; where it was does not.</p>
      <div class="lens-controls">
        <label>Channel <select value={d.channel} data-testid="gp-channel" onChange={(e) => vm.ask({ kind: 'global-pool', channel: Number((e.target as HTMLSelectElement).value) })}>
          {[...new Set([d.channel, ...d.top.map((t) => t.channel)])].map((c) => <option key={c} value={c}>{c}{d.top.find((t) => t.channel === c) ? ` (mean ${fmt(d.top.find((t) => t.channel === c)!.value, 3)})` : ''}</option>)}
        </select></label>
        <span class="small muted">the strongest channels of this image are listed</span>
      </div>
      <table class="lens-grid-numbers" data-testid="gp-grid"><tbody>
        {Array.from({ length: d.map.height }, (_, i) => <tr key={i}>{Array.from({ length: d.map.width }, (_, j) => <td key={j}>{fmt(values[i * d.map.width + j]!, 2)}</td>)}</tr>)}
      </tbody></table>
      <div data-testid="gp-step" data-channel={d.channel} data-mean={d.mean} data-value={d.modelValue}>
        <MeanFormula h={d.map.height} w={d.map.width} sum={sum} mean={d.mean} />
        <p class="lens-check">The model's pooled value for channel {d.channel}: <strong>{fmt(d.modelValue)}</strong> {Math.abs(d.modelValue - d.mean) <= 1e-4 * Math.max(1, Math.abs(d.mean)) ? '✓' : '✗'}</p>
      </div>
    </>
  );
}

function ClassPicker({ vm, value, onPick, testid }: { vm: LensVm; value: number; onPick(i: number): void; testid: string }) {
  const r = vm.result.value;
  const labels = vm.labels.value;
  const options = [...new Set([value, ...(r?.predictions.map((p) => p.index) ?? [])])];
  return (
    <label>Class <select value={value} data-testid={testid} onChange={(e) => onPick(Number((e.target as HTMLSelectElement).value))}>
      {options.map((i) => <option key={i} value={i}>{labels[i] ?? `class ${i}`} (#{i})</option>)}
    </select>
    <input type="number" min={0} max={Math.max(0, labels.length - 1)} aria-label="class number" value={value} onChange={(e) => { const i = Number((e.target as HTMLInputElement).value); if (i >= 0 && i < labels.length) onPick(i); }} /></label>
  );
}

export function DenseStage({ vm, track }: { vm: LensVm; track: Track }) {
  const d = vm.current.value?.data?.kind === 'dense' ? vm.current.value.data as DenseData : null;
  const img = useRef<HTMLCanvasElement>(null), heat = useRef<HTMLCanvasElement>(null);
  useEffect(() => { void vm.loadPixels(); }, []);
  useEffect(() => { if (img.current && vm.pixels.value) drawInput(img.current, vm.pixels.value, track.input.width, track.input.height, track.input); }, [vm.pixels.value, d !== null]);
  const cam = useMemo(() => (d?.cam ? { ...d.cam, values: base64ToFloats(d.cam.values) } : null), [d]);
  useEffect(() => { if (heat.current && cam) drawGrid(heat.current, cam, { signed: true, alpha: 0.8, fade: true }); }, [cam]);
  if (!d) return null;
  const how = d.inputs.how === 'pooled' ? `the ${d.inputs.count} pooled channel means of ${d.inputs.from}`
    : d.inputs.how === 'flattened' ? `the ${d.inputs.count} numbers of ${d.inputs.from}, unrolled row by row`
      : `the ${d.inputs.count} channels of ${d.inputs.from}, at every position (then averaged: by linearity the same as the weights times each channel's mean)`;
  return (
    <>
      <p class="lens-question">Answers: <em>How does a dense layer know which part of the image to look at? How can "the sum is greater than zero" decide?</em></p>
      <p>A class score is one weighted sum: every input x<sub>i</sub> ({how}) times the class's own weight w<sub>i</sub>, plus a bias. Positive weights are evidence for the class, negative ones against it.</p>
      <div class="lens-controls"><ClassPicker vm={vm} value={d.classIndex} testid="dense-class" onPick={(i) => vm.ask({ kind: 'dense', classIndex: i })} /></div>
      <div data-testid="dense-step" data-class-index={d.classIndex} data-score={d.modelScore} data-bias={d.bias} data-sum={d.sum}>
        <table class="lens-terms"><thead><tr><th>{d.inputs.how === 'flattened' ? 'i (row, col, channel)' : 'channel i'}</th><th>x<sub>i</sub></th><th>w<sub>i</sub></th><th>w<sub>i</sub>·x<sub>i</sub></th></tr></thead><tbody>
          {d.terms.map((t) => <tr key={t.index} data-testid="dense-term" data-input={t.input} data-weight={t.weight}><td>{t.index}{t.position ? ` (${t.position.join(', ')})` : ''}</td><td>{fmt(t.input)}</td><td>{fmt(t.weight)}</td><td>{fmt(t.product)}</td></tr>)}
          <tr class="muted"><td>{d.restCount} more</td><td /><td /><td>{fmt(d.restSum)}</td></tr>
          <tr class="total"><td>Σ</td><td /><td /><td>{fmt(d.sum)}</td></tr>
        </tbody></table>
        <ScoreFormula count={d.inputs.count} sum={d.sum} bias={d.bias} score={d.score} />
        <p class="lens-check">The model's score for “{d.className}”: <strong>{fmt(d.modelScore)}</strong> {Math.abs(d.modelScore - d.score) <= 1e-4 * Math.max(1, Math.abs(d.score)) ? '✓' : '✗'}</p>
      </div>
      {cam && (
        <>
          <h3>Where the evidence came from</h3>
          <p>The dense layer does not know where to look: it only weighs features. But the same weights can be applied at each of the {cam.height}×{cam.width} positions of {cam.layer}, before pooling. This is where its evidence came from (red for, blue against); the {cam.combine} of this map plus the bias is the score.</p>
          <figure class="lens-canvas-wrap lens-rf"><canvas ref={img} class="lens-map lens-image" aria-hidden="true" /><canvas ref={heat} class="lens-map lens-heat" data-testid="dense-cam" aria-label={`where the evidence for ${d.className} came from, ${cam.height}×${cam.width}: ${whereStrongest(cam.values, cam.width, cam.height)}`} /></figure>
        </>
      )}
    </>
  );
}

export function SoftmaxStage({ vm }: { vm: LensVm }) {
  const d = vm.current.value?.data?.kind === 'softmax' ? vm.current.value.data as SoftmaxData : null;
  const logits = useMemo(() => (d ? base64ToFloats(d.logits) : null), [d]);
  const [pair, setPair] = useState<[number, number]>([0, 1]);
  if (!d || !logits) return null;
  const T = vm.temperature.value;
  const m = logits.reduce((a, b) => Math.max(a, b), -Infinity);
  const z = logits.reduce((s, v) => s + Math.exp((v - m) / T), 0);
  const a = d.top[pair[0]]!, b = d.top[pair[1]]!;
  return (
    <>
      <p class="lens-question">Answers: <em>How do scores become the percentages the Prediction tab shows?</em></p>
      <p>Softmax turns the {logits.length} class scores (logits z) into probabilities: raise e to each score, then divide by the sum of all of them. The largest score gets the largest share; all shares add up to 1.</p>
      <SoftmaxFormula t={T} />
      <table class="lens-terms" data-testid="softmax-step" data-logits={JSON.stringify(d.top.map((t) => t.logit))} data-probs={JSON.stringify(d.top.map((t) => t.prob))}>
        <thead><tr><th>class</th><th>z</th><th>e<sup>(z − max)/T</sup></th><th>p at T = {T.toFixed(2)}</th><th>model p</th></tr></thead>
        <tbody>
          {d.top.map((t) => <tr key={t.index}><td>{t.className}</td><td>{fmt(t.logit)}</td><td>{fmt(Math.exp((t.logit - m) / T))}</td><td>{(Math.exp((t.logit - m) / T) / z * 100).toFixed(2)}%</td><td>{(t.prob * 100).toFixed(2)}%</td></tr>)}
          <tr class="total"><td>sum over all {logits.length}</td><td /><td>{fmt(z)}</td><td>100%</td><td /></tr>
        </tbody>
      </table>
      <p class="small muted">The scores are shifted by their maximum ({fmt(m)}) before e<sup>z</sup>: the ratios, and so the probabilities, do not change. At T = 1 the last two columns agree.</p>
      <label class="lens-slider">Temperature T <input type="range" min={0.1} max={5} step={0.05} value={T} data-testid="softmax-temperature" onInput={(e) => vm.setTemperature(Number((e.target as HTMLInputElement).value))} /> {T.toFixed(2)} — lower is more certain, higher more even</label>
      <h3>Two classes: a sum above zero</h3>
      <p>With only two classes A and B, softmax is the sigmoid of the difference of their scores: A wins exactly when z<sub>A</sub> − z<sub>B</sub> &gt; 0. A dense layer that computes that difference as one weighted sum decides between a 3 and a 7 by its sign.</p>
      <div class="lens-controls">
        <label>A <select value={pair[0]} onChange={(e) => setPair([Number((e.target as HTMLSelectElement).value), pair[1]])}>{d.top.map((t, i) => <option key={t.index} value={i}>{t.className}</option>)}</select></label>
        <label>B <select value={pair[1]} onChange={(e) => setPair([pair[0], Number((e.target as HTMLSelectElement).value)])}>{d.top.map((t, i) => <option key={t.index} value={i}>{t.className}</option>)}</select></label>
      </div>
      <SigmoidFormula a={a.className} b={b.className} za={a.logit} zb={b.logit} p={1 / (1 + Math.exp(-(a.logit - b.logit)))} />
      <p class="small muted">The same as p<sub>A</sub> / (p<sub>A</sub> + p<sub>B</sub>) = {fmt(a.prob / (a.prob + b.prob))}.</p>
    </>
  );
}
