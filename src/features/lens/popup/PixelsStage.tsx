// Stage 1: the picture as the model receives it — a grid of numbers — and how the grid unrolls into one list.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Track } from '../contract';
import { cellAt, drawInput, fmt } from './draw';
import { ScaleFormula } from './math';
import type { LensVm } from './lens-vm';

export function PixelsStage({ vm, track }: { vm: LensVm; track: Track }) {
  const { width: W, height: H, scale, offset } = track.input;
  const input = vm.pixels.value;
  const ref = useRef<HTMLCanvasElement>(null);
  const [at, setAt] = useState({ row: Math.floor(H / 2), col: Math.floor(W / 2) });
  const [flat, setFlat] = useState(0);
  const r = vm.result.value;
  useEffect(() => { void vm.loadPixels(); }, []);
  useEffect(() => { if (ref.current && input) { drawInput(ref.current, input, W, H, { scale, offset }); vm.drawn(); } }, [input]);
  const px = (c: number) => (input ? input[(at.row * W + at.col) * 3 + c]! : 0);
  const idx = (row: number, col: number, ch: number) => (row * W + col) * 3 + ch;
  const back = (i: number) => ({ row: Math.floor(i / (W * 3)), col: Math.floor(i / 3) % W, channel: i % 3 });
  const b = back(Math.max(0, Math.min(W * H * 3 - 1, flat)));
  return (
    <>
      <p class="lens-question">Answers: <em>If the image is unrolled into a column of numbers, how does the network still see strokes and lines?</em></p>
      <p>The network never sees a picture, only numbers. Your image{r ? ` (${r.image.originalWidth}×${r.image.originalHeight} pixels)` : ''} was resized to {W}×{H}, and each pixel's red, green and blue values (0–255) were turned into input numbers with one formula:</p>
      <ScaleFormula scale={scale} offset={offset} p={(px(0) - offset) / scale} x={px(0)} />
      <p>That makes a grid of {H}×{W}×3 = {(H * W * 3).toLocaleString()} numbers. A convolution reads this grid with its rows and columns intact, so neighbours stay neighbours: position is never lost.</p>
      <div class="lens-pixels">
        <figure>
          <canvas ref={ref} class="lens-map clickable lens-image" aria-label={`the model input, ${W}×${H}; move over it to read the numbers`}
            onMouseMove={(e) => setAt(cellAt(e, ref.current!, H, W))} onClick={(e) => setAt(cellAt(e, ref.current!, H, W))} />
          <figcaption>What the model receives, {W}×{H}</figcaption>
        </figure>
        <div data-testid="pixel-readout" data-row={at.row} data-col={at.col} data-input={input ? JSON.stringify([px(0), px(1), px(2)]) : ''}>
          <h3>Pixel (row {at.row}, column {at.col})</h3>
          <table class="lens-terms"><thead><tr><th>channel</th><th>resized pixel p</th><th>input x</th><th>flat index</th></tr></thead><tbody>
            {['R', 'G', 'B'].map((name, c) => <tr key={name}><th>{name}</th><td>{fmt((px(c) - offset) / scale, 2)}</td><td>{fmt(px(c), 5)}</td><td>{idx(at.row, at.col, c).toLocaleString()}</td></tr>)}
          </tbody></table>
          <p class="small muted">Resizing blends neighbouring bytes, so a resized pixel can lie between whole numbers.</p>
        </div>
      </div>
      <h3>Unrolling</h3>
      <p>Flattened row by row, the grid becomes one list: index = (row × {W} + column) × 3 + channel. The list still holds every position; a layer that keeps the grid (a convolution) simply reads it back as a grid.</p>
      <div class="lens-unroll">
        <label>Flat index <input type="number" min={0} max={W * H * 3 - 1} value={flat} data-testid="unroll-index" onInput={(e) => setFlat(Number((e.target as HTMLInputElement).value) || 0)} /></label>
        <span aria-hidden="true">⇄</span>
        <span data-testid="unroll-position" data-row={b.row} data-col={b.col} data-channel={b.channel}>row {b.row}, column {b.col}, channel {'RGB'[b.channel]}</span>
        <button type="button" onClick={() => setFlat(idx(at.row, at.col, 0))}>Index of the pixel above</button>
      </div>
    </>
  );
}
