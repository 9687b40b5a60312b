// A channel up close: the patches of this image that excite it most (each cell's receptive-field crop, with its
// value), next to its feature visualisation and the user's other images that excite it.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Track } from '../../lens/contract';
import { fmt } from '../../lens/popup/draw';
import type { LooksVm } from './looks-vm';

function Crop({ pixels, track, box }: { pixels: Float32Array; track: Track; box: { x0: number; y0: number; x1: number; y1: number } }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const { width: W, scale, offset } = track.input;
    const w = box.x1 - box.x0 + 1, h = box.y1 - box.y0 + 1;
    const c = ref.current!;
    c.width = w; c.height = h;
    const img = c.getContext('2d')!.createImageData(w, h);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
      const i = (box.y0 + y) * W + box.x0 + x;
      for (let ch = 0; ch < 3; ch++) img.data[(y * w + x) * 4 + ch] = Math.round((pixels[i * 3 + ch]! - offset) / scale);
      img.data[(y * w + x) * 4 + 3] = 255;
    }
    c.getContext('2d')!.putImageData(img, 0, 0);
  }, [pixels, box.x0, box.y0, box.x1, box.y1]);
  return <canvas ref={ref} class="looks-crop" aria-label={`patch x ${box.x0}–${box.x1}, y ${box.y0}–${box.y1}`} />;
}

export function ChannelUpClose({ vm, track, pixels }: { vm: LooksVm; track: Track; pixels: Float32Array | null }) {
  const fields = track.fields;
  const [layer, setLayer] = useState(fields.find((f) => f.size >= track.input.height / 4)?.layer ?? fields[0]!.layer);
  const [channel, setChannel] = useState(0);
  useEffect(() => { void vm.topPatches(layer, channel, track.modelId); }, [layer, channel]);
  const cv = vm.channelVis.value;
  const d = vm.patches.value;
  return (
    <section class="looks-block" data-testid="top-patches" data-count={d?.cells.length ?? 0} data-values={d ? JSON.stringify(d.cells.map((c) => c.value)) : '[]'} data-layer={d?.layer ?? ''} data-channel={d?.channel ?? ''}>
      <h2>A channel up close</h2>
      <p class="lens-question">Answers: <em>What do we mean when we say a channel is "finding corners"?</em></p>
      <p>A channel answers one question at every position of the image. Its strongest answers on your image are these patches: the part of the picture each of its top cells can see (its receptive field), with the number it computed there. Whatever they have in common is what "finding …" means for this channel.</p>
      <div class="lens-controls">
        <label>Layer <select value={layer} data-testid="patches-layer" onChange={(e) => setLayer((e.target as HTMLSelectElement).value)}>{fields.map((f) => <option key={f.layer} value={f.layer}>{f.layer} ({f.size} px)</option>)}</select></label>
        <label>Channel <input type="number" min={0} max={(d?.channels ?? 1) - 1} value={channel} data-testid="patches-channel" onChange={(e) => setChannel(Math.max(0, Number((e.target as HTMLInputElement).value) || 0))} /></label>
      </div>
      {d && pixels && (
        <ol class="looks-patches">
          {d.cells.map((c) => <li key={`${c.row},${c.col}`} data-testid="top-patch" data-row={c.row} data-col={c.col} data-value={c.value} data-box={JSON.stringify(c.box)}><Crop pixels={pixels} track={track} box={c.box} /><span>{fmt(c.value, 3)}</span><span class="small muted">cell ({c.row}, {c.col})</span></li>)}
        </ol>
      )}
      <div class="looks-side">
        <div>
          <h3>What excites it most, from noise</h3>
          {cv.image ? <img src={cv.image} alt={`feature visualisation of ${layer} channel ${channel}`} class="looks-vis" data-testid="patches-vis" />
            : <button type="button" data-testid="patches-vis-button" disabled={cv.status === 'running'} onClick={() => void vm.visualiseChannel(layer, channel, 128)}>{cv.status === 'running' ? 'Optimising…' : 'Visualise this channel'}</button>}
          {cv.status === 'error' && <p class="error">{cv.message}</p>}
        </div>
        <div>
          <h3>Your images that excite it most</h3>
          {vm.seen.value.length ? <ol class="looks-seen">{vm.seen.value.map((x) => <li key={x.id}><img src={x.thumbnail} alt="" width={64} height={64} /><span class="small">{fmt(x.value, 3)}</span></li>)}</ol>
            : <p class="small muted">None yet: images are remembered for the layers switched on in the Layers track.</p>}
        </div>
      </div>
    </section>
  );
}
