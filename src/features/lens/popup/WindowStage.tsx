// Convolution, depthwise, pointwise and pooling stages: one output cell worked through on its real numbers,
// and the window sliding over the input while the output map fills in (play, pause, step).
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { base64ToFloats } from '../../../shared/codecs';
import type { ConvData, PoolData, Stage } from '../contract';
import { padBefore } from '../rf-box';
import { cellAt, drawGrid, fmt } from './draw';
import { Activation, BatchNorm, ConvSum, Formula } from './math';
import type { LensVm } from './lens-vm';

const TEXT: Record<string, (s: Stage) => string[]> = {
  conv: (s) => [
    `A ${s.kernel![0]}×${s.kernel![1]} filter looks at a small window of the input: ${s.kernel![0]}×${s.kernel![1]} positions × ${s.inShape[2]} channels = ${s.kernel![0] * s.kernel![1] * s.inShape[2]!} numbers.`,
    'It multiplies each by its own weight and adds them up. A large sum means "this window looks like what the filter looks for" — an edge, a corner, a colour blob.',
    `The same filter slides over every position${s.stride![0] > 1 ? `, jumping ${s.stride![0]} pixels at a time, so the map shrinks from ${s.inShape[0]}×${s.inShape[1]} to ${s.outShape[0]}×${s.outShape[1]}` : ''}. The output keeps the grid: position is never lost.`,
  ],
  depthwise: (s) => [
    `A depthwise layer has one ${s.kernel![0]}×${s.kernel![1]} filter per channel: output channel c looks only at input channel c, in a small window.`,
    'It finds spatial patterns within each channel; mixing the channels is left to the pointwise layer after it. Together they do what one full convolution does, with far fewer weights.',
    s.stride![0] > 1 ? `Stride ${s.stride![0]}: the window jumps ${s.stride![0]} cells, so the map shrinks from ${s.inShape[0]}×${s.inShape[1]} to ${s.outShape[0]}×${s.outShape[1]}.` : 'Stride 1: one output cell per input cell.',
  ],
  pointwise: (s) => [
    `A pointwise (1×1) layer looks at one position at a time, but at all ${s.inShape[2]} channels there.`,
    `Each of its ${s.outShape[2]} filters is a recipe: "this much of channel 1, minus that much of channel 2…". It combines simpler features into richer ones, without looking at neighbours.`,
  ],
  pool: (s) => [
    `Max pooling keeps the largest value in each ${s.kernel![0]}×${s.kernel![1]} window, one channel at a time.`,
    `With stride ${s.stride![0]} the map halves (${s.inShape[0]}×${s.inShape[1]} → ${s.outShape[0]}×${s.outShape[1]}): "is the feature anywhere around here?" survives; exactly where does not.`,
  ],
};
const QUESTION: Record<string, string> = {
  conv: 'What do we mean when we say a layer is "finding corners"?',
  depthwise: 'What is literally happening in each layer?',
  pointwise: 'What is passed from one layer to the next?',
  pool: 'Why do later maps get smaller?',
};

function Maps({ stage, d, vm, cell, shown, onPick }: { stage: Stage; d: ConvData | PoolData; vm: LensVm; cell: { row: number; col: number }; shown: number | null; onPick(): void }) {
  const inRef = useRef<HTMLCanvasElement>(null), outRef = useRef<HTMLCanvasElement>(null);
  const input = useMemo(() => ({ ...d.inputMap, values: base64ToFloats(d.inputMap.values) }), [d]);
  const output = useMemo(() => ({ ...d.outputMap, values: base64ToFloats(d.outputMap.values) }), [d]);
  const signed = stage.activation.kind === 'linear' || stage.activation.kind === 'leaky';
  useEffect(() => { if (inRef.current) drawGrid(inRef.current, input, { colormap: 'viridis' }); }, [input]);
  useEffect(() => { if (outRef.current) drawGrid(outRef.current, output, { signed, shown: shown ?? undefined }); }, [output, shown]);
  const [kh, kw] = stage.kernel!, [sh, sw] = stage.stride!;
  const padTop = padBefore({ kernel: kh, stride: sh, padding: stage.padding!, inSize: stage.inShape[0]!, outSize: stage.outShape[0]! });
  const padLeft = padBefore({ kernel: kw, stride: sw, padding: stage.padding!, inSize: stage.inShape[1]!, outSize: stage.outShape[1]! });
  const pct = (v: number, n: number) => `${(v / n) * 100}%`;
  const [H, W] = [input.height, input.width];
  /** the input channel under the window (−1: all channels, shown grey) */
  const shownChannel = 'channel' in d.inputMap ? d.inputMap.channel : d.channel;
  const win = { top: cell.row * sh - padTop, left: cell.col * sw - padLeft };
  const pick = (e: MouseEvent) => {
    const c = cellAt(e, outRef.current!, output.height, output.width);
    onPick();
    vm.ask({ kind: stage.kind === 'pool' ? 'pool' : 'conv', layer: stage.layer, row: c.row, col: c.col, channel: d.channel });
  };
  return (
    <div class="lens-maps">
      <figure>
        <div class="lens-canvas-wrap" data-testid="window-input" data-stride={sh} data-pad-top={padTop} data-pad-left={padLeft}>
          <canvas ref={inRef} class="lens-map" aria-label={`input map ${H}×${W}${shownChannel >= 0 ? `, channel ${shownChannel}` : ', all channels'}`} />
          {(padTop > 0 || padLeft > 0 || stage.padding === 'same') && <div class="lens-pad" style={{ inset: `-${pct(Math.max(padTop, 0.5), H)} -${pct(Math.max(padLeft, 0.5), W)}` }} title="zero padding" />}
          <div class="lens-window" data-testid="conv-window" style={{ top: pct(win.top, H), left: pct(win.left, W), height: pct(kh, H), width: pct(kw, W) }} />
        </div>
        <figcaption>Input {H}×{W}{shownChannel >= 0 ? ` · channel ${shownChannel}` : ' · all channels (grey)'} · window {kh}×{kw}, stride {sh}{stage.padding === 'same' ? ', zero padding at the edges' : ', no padding'}</figcaption>
      </figure>
      <span class="lens-arrow" aria-hidden="true">→</span>
      <figure>
        <div class="lens-canvas-wrap">
          <canvas ref={outRef} class="lens-map clickable" onClick={pick} aria-label={`output map ${output.height}×${output.width}, channel ${d.channel}; click a cell to work it through`} />
          <div class="lens-cell" style={{ top: pct(cell.row, output.height), left: pct(cell.col, output.width), height: pct(1, output.height), width: pct(1, output.width) }} />
        </div>
        <figcaption>Output {output.height}×{output.width} · channel {d.channel} of {stage.outShape[2]} · click a cell</figcaption>
      </figure>
    </div>
  );
}

/** Play / pause / step through every output cell in reading order; the output map fills in behind the window. */
function useSlide(rows: number, cols: number) {
  const [at, setAt] = useState<number | null>(null);
  const [playing, setPlaying] = useState(false);
  const fps = useRef({ frames: 0, since: 0, value: 0 });
  useEffect(() => {
    if (!playing) return;
    let raf = 0, last = 0;
    const perCell = Math.max(1, Math.round((rows * cols) / 240)); // about 4 s for a whole map at 60 fps
    const tick = (t: number) => {
      const f = fps.current;
      if (!f.since) f.since = t;
      f.frames++;
      if (t - f.since >= 1000) { f.value = Math.round((f.frames * 1000) / (t - f.since)); f.frames = 0; f.since = t; }
      if (t - last >= 15) {
        last = t;
        setAt((a) => { const next = (a ?? -1) + perCell; if (next >= rows * cols - 1) { setPlaying(false); return rows * cols - 1; } return next; });
      }
      raf = requestAnimationFrame(tick);
    };
    raf = requestAnimationFrame(tick);
    return () => cancelAnimationFrame(raf);
  }, [playing, rows, cols]);
  return { at, playing, fps, setAt, setPlaying };
}

export function WindowStage({ stage, vm }: { stage: Stage; vm: LensVm }) {
  const st = vm.current.value;
  const d = st?.data && (st.data.kind === 'pool' || st.data.kind === 'conv' || st.data.kind === 'depthwise' || st.data.kind === 'pointwise') ? st.data as ConvData | PoolData : null;
  const [rows, cols] = [stage.outShape[0]!, stage.outShape[1]!];
  const slide = useSlide(rows, cols);
  const cell = slide.at !== null && slide.playing ? { row: Math.floor(slide.at / cols), col: slide.at % cols } : d ? { row: d.row, col: d.col } : { row: 0, col: 0 };
  const stepTo = (i: number) => {
    const k = Math.max(0, Math.min(rows * cols - 1, i));
    slide.setAt(k);
    if (d) vm.ask({ kind: stage.kind === 'pool' ? 'pool' : 'conv', layer: stage.layer, row: Math.floor(k / cols), col: k % cols, channel: d.channel });
  };
  const pause = () => { slide.setPlaying(false); if (slide.at !== null) stepTo(slide.at); };
  return (
    <>
      <p class="lens-question">Answers: <em>{QUESTION[stage.kind]}</em></p>
      {TEXT[stage.kind]!(stage).map((t) => <p key={t}>{t}</p>)}
      {d && <Maps stage={stage} d={d} vm={vm} cell={cell} shown={slide.at === null ? null : slide.at + 1} onPick={() => { slide.setPlaying(false); slide.setAt(null); }} />}
      <div class="lens-controls" data-testid="slide-controls" data-playing={slide.playing} data-cell={slide.at ?? ''} data-fps={slide.fps.current.value}>
        <button type="button" data-testid="slide-play" onClick={() => (slide.playing ? pause() : (slide.setAt(slide.at !== null && slide.at < rows * cols - 1 ? slide.at : -1), slide.setPlaying(true)))}>{slide.playing ? 'Pause' : 'Play'}</button>
        <button type="button" data-testid="slide-step" disabled={slide.playing} onClick={() => stepTo((slide.at ?? (d ? d.row * cols + d.col : -1)) + 1)}>Step</button>
        <label>Channel <input type="number" min={0} max={stage.outShape[2]! - 1} value={d?.channel ?? 0} data-testid="stage-channel"
          onChange={(e) => { const ch = Number((e.target as HTMLInputElement).value); if (d && ch >= 0 && ch < stage.outShape[2]!) vm.ask({ kind: stage.kind === 'pool' ? 'pool' : 'conv', layer: stage.layer, row: d.row, col: d.col, channel: ch }); }} /></label>
      </div>
      {d && d.kind === 'pool' ? <PoolNumbers d={d} stage={stage} /> : d && <ConvNumbers d={d as ConvData} stage={stage} />}
    </>
  );
}

function PoolNumbers({ d, stage }: { d: PoolData; stage: Stage }) {
  const [kh, kw] = stage.kernel!;
  return (
    <div class="lens-numbers" data-testid="pool-step" data-layer={d.layer} data-row={d.row} data-col={d.col} data-channel={d.channel} data-value={d.value} data-model-value={d.modelValue}>
      <table class="lens-window-table"><tbody>
        {Array.from({ length: kh }, (_, i) => <tr key={i}>{Array.from({ length: kw }, (_, j) => { const k = i * kw + j; return <td key={j} class={k === d.winner ? 'win' : d.inside[k] ? '' : 'pad'}>{d.inside[k] ? fmt(d.window[k]!) : 'pad'}</td>; })}</tr>)}
      </tbody></table>
      <Formula label="max of the window"><mi>a</mi><mo>=</mo><mo>max</mo><mo>(</mo><mtext>window</mtext><mo>)</mo><mo>=</mo><mn>{fmt(d.value)}</mn></Formula>
      <p class="lens-check">The model produced <strong>{fmt(d.modelValue)}</strong> at ({d.row}, {d.col}) of channel {d.channel} {Math.abs(d.modelValue - d.value) <= 1e-4 * Math.max(1, Math.abs(d.value)) ? '✓ the same' : '✗ different'}.</p>
    </div>
  );
}

function ConvNumbers({ d, stage }: { d: ConvData; stage: Stage }) {
  const [kh, kw] = stage.kernel!;
  const C = d.inChannels.length;
  const terms = d.window.map((x, i) => ({ i, x, w: d.weights[i]!, p: x * d.weights[i]!, inside: d.inside[Math.floor(i / C)]!, pos: [Math.floor(i / C / kw), Math.floor(i / C) % kw, d.inChannels[i % C]!] as const }));
  const big = [...terms].sort((a, b) => Math.abs(b.p) - Math.abs(a.p)).slice(0, 12);
  const rest = d.sum - big.reduce((s, t) => s + t.p, 0);
  const z = d.sum + d.bias;
  return (
    <div class="lens-numbers" data-testid="conv-step" data-layer={d.layer} data-row={d.row} data-col={d.col} data-channel={d.channel}
      data-sum={d.sum} data-bias={d.bias} data-pre-activation={d.preActivation} data-value={d.modelValue} data-computed={d.value}>
      <h3>Output cell ({d.row}, {d.col}), channel {d.channel}</h3>
      <p class="small muted">{terms.length} products{terms.length > 12 ? '; the 12 largest are listed, the full list is below' : ''}. Window position (row, column, channel) · input x · weight w.</p>
      <table class="lens-terms"><thead><tr><th>position</th><th>x</th><th>w</th><th>x · w</th></tr></thead><tbody>
        {big.map((t) => <tr key={t.i}><td>{t.pos.join(', ')}{t.inside ? '' : ' (padding)'}</td><td>{fmt(t.x)}</td><td>{fmt(t.w)}</td><td>{fmt(t.p)}</td></tr>)}
        {terms.length > 12 && <tr class="muted"><td>{terms.length - 12} more</td><td /><td /><td>{fmt(rest)}</td></tr>}
        <tr class="total"><td>Σ</td><td /><td /><td>{fmt(d.sum)}</td></tr>
      </tbody></table>
      <details class="lens-all-terms"><summary>All {terms.length} products</summary>
        <ol>{terms.map((t) => <li key={t.i} data-testid="conv-term" data-input={t.x} data-weight={t.w}>{t.pos.join(', ')}: {fmt(t.x)} × {fmt(t.w)} = {fmt(t.p)}</li>)}</ol>
      </details>
      <ConvSum k={[kh, kw]} c={C} sum={d.sum} bias={d.bias} />
      {d.norm && <BatchNorm z={z} {...d.norm} y={d.preActivation} />}
      <Activation kind={stage.activation.kind} alpha={stage.activation.alpha} y={d.preActivation} a={d.value} />
      <p class="lens-check" data-testid="conv-check">The model itself produced <strong>{fmt(d.modelValue)}</strong> at this cell {Math.abs(d.modelValue - d.value) <= 1e-4 * Math.max(1, Math.abs(d.value)) ? '✓ the same number' : `✗ (worked: ${fmt(d.value)})`}.</p>
    </div>
  );
}
