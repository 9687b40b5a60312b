// Stage 4: seeing bigger parts. A cell of any layer: the box of input pixels it can see (from the architecture)
// and how much each of them really moves it (the gradient), with the field growing layer by layer.
import { useEffect, useMemo, useRef } from 'preact/hooks';
import { base64ToFloats } from '../../../shared/codecs';
import type { RfData, Track } from '../contract';
import { cellAt, drawGrid, drawInput } from './draw';
import type { LensVm } from './lens-vm';

function Chart({ track, layer, onPick }: { track: Track; layer: string; onPick(l: string): void }) {
  const max = Math.max(...track.fields.map((f) => f.size), track.input.height);
  const bw = 100 / track.fields.length;
  return (
    <svg class="lens-chart" viewBox="0 0 100 40" preserveAspectRatio="none" role="img" aria-label={`receptive field size by layer, from ${track.fields[0]?.size} to ${track.fields.at(-1)?.size} pixels`} data-testid="rf-chart">
      <line x1="0" x2="100" y1={40 - (track.input.height / max) * 38} y2={40 - (track.input.height / max) * 38} class="lens-chart-image" />
      {track.fields.map((f, i) => (
        <rect key={f.layer} x={i * bw + bw * 0.1} width={bw * 0.8} y={40 - (f.size / max) * 38} height={(f.size / max) * 38}
          class={f.layer === layer ? 'on' : ''} onClick={() => onPick(f.layer)} data-layer={f.layer} data-size={f.size}>
          <title>{f.layer}: {f.size} px</title>
        </rect>
      ))}
    </svg>
  );
}

export function FieldStage({ vm, track }: { vm: LensVm; track: Track }) {
  const st = vm.current.value;
  const d = st?.data?.kind === 'receptive-field' ? st.data as RfData : null;
  const img = useRef<HTMLCanvasElement>(null), heat = useRef<HTMLCanvasElement>(null);
  const { width: W, height: H } = track.input;
  useEffect(() => { void vm.loadPixels(); }, []);
  useEffect(() => { if (img.current && vm.pixels.value) drawInput(img.current, vm.pixels.value, W, H, track.input); }, [vm.pixels.value]);
  const eff = useMemo(() => (d ? { ...d.effective, values: base64ToFloats(d.effective.values)} : null), [d]);
  useEffect(() => { if (heat.current && eff) drawGrid(heat.current, eff, { colormap: 'inferno', alpha: 0.9, fade: true }); }, [eff]);
  const asked = st?.query.kind === 'receptive-field' ? st.query.layer : undefined;
  const field = track.fields.find((f) => f.layer === (d?.layer ?? asked));
  const pick = (layer: string) => {
    const f = track.fields.find((x) => x.layer === layer)!;
    vm.ask({ kind: 'receptive-field', layer, row: Math.floor(f.outSize / 2), col: Math.floor(f.outSize / 2) });
  };
  const click = (e: MouseEvent) => {
    if (!field) return;
    const c = cellAt(e, img.current!, field.outSize, field.outSize);
    vm.ask({ kind: 'receptive-field', layer: field.layer, row: c.row, col: c.col });
  };
  const pct = (v: number, n: number) => `${(v / n) * 100}%`;
  return (
    <>
      <p class="lens-question">Answers: <em>A 3×3 filter scans the image, so how do later layers see bigger parts?</em></p>
      <p>Each cell of a layer is computed from a small window of the layer before, whose cells came from windows of the layer before that. So the patch of the image a cell depends on — its receptive field — grows with every layer, and faster after every stride.</p>
      <p>The box is what the architecture allows; the glow is what really matters: how much each input pixel changes this cell (the gradient). Most of it sits near the centre of the box.</p>
      <div class="lens-controls">
        <label>Layer <select value={field?.layer} data-testid="rf-layer" onChange={(e) => pick((e.target as HTMLSelectElement).value)}>
          {track.fields.map((f) => <option key={f.layer} value={f.layer}>{f.layer} ({f.outSize}×{f.outSize}, {f.size} px)</option>)}
        </select></label>
        {d && <span>cell ({d.row}, {d.col}) · click the image to pick another</span>}
      </div>
      <div class="lens-pixels">
        <figure class="lens-canvas-wrap lens-rf">
          <canvas ref={img} class="lens-map lens-image clickable" onClick={click} aria-label="the model input; click to pick a cell of the chosen layer" />
          <canvas ref={heat} class="lens-map lens-heat" aria-hidden="true" />
          {d && <div class="lens-box" data-testid="rf-box" data-x0={d.box.x0} data-y0={d.box.y0} data-x1={d.box.x1} data-y1={d.box.y1}
            style={{ left: pct(d.box.x0, W), top: pct(d.box.y0, H), width: pct(d.box.x1 - d.box.x0 + 1, W), height: pct(d.box.y1 - d.box.y0 + 1, H) }} />}
        </figure>
        {d && field && (
          <div>
            <p><strong>{field.size}×{field.size}</strong> input pixels can reach cell ({d.row}, {d.col}) of {d.layer}; on the image that is x {d.box.x0}–{d.box.x1}, y {d.box.y0}–{d.box.y1}{field.size > W ? ' (more than the whole image: the edges are padding)' : ''}.</p>
            <p>Neighbouring cells are {field.jump} pixels apart. {Math.round(d.inside * 100)}% of the gradient lies inside the box.</p>
          </div>
        )}
      </div>
      <h3>The field grows layer by layer</h3>
      <Chart track={track} layer={field?.layer ?? ''} onPick={pick} />
      <p class="small muted">From {track.fields[0]?.size} px at {track.fields[0]?.layer} to {track.fields.at(-1)?.size} px at {track.fields.at(-1)?.layer}; the line is the image's size ({H} px). Click a bar to choose its layer.</p>
    </>
  );
}
