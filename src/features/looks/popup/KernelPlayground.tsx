// Kernels next to Sobel: a hand-made 3×3 kernel on the user's image, beside every learned first-layer filter
// ranked by how much it is like that kernel, and the closest filter's own map of the image.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { base64ToFloats } from '../../../shared/codecs';
import type { Track } from '../../lens/contract';
import { drawGrid } from '../../lens/popup/draw';
import { convolve3x3, greyOf, KERNELS, parseKernel } from '../kernels';
import type { LooksVm } from './looks-vm';

/** One filter's RGB weights as a tiny picture (each filter scaled to its own range). */
function FilterTile({ values, shape, f, label }: { values: Float32Array; shape: readonly [number, number, number, number]; f: number; label: string }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const [kh, kw, cin, n] = shape;
    const c = ref.current!;
    c.width = kw; c.height = kh;
    const w: number[] = [];
    for (let i = 0; i < kh * kw * cin; i++) w.push(values[i * n + f]!);
    const m = Math.max(...w.map(Math.abs)) || 1;
    const img = c.getContext('2d')!.createImageData(kw, kh);
    for (let i = 0; i < kh * kw; i++) for (let ch = 0; ch < 3; ch++) img.data[i * 4 + ch] = Math.round(((w[i * cin + Math.min(ch, cin - 1)]! / m) + 1) * 127.5);
    for (let i = 0; i < kh * kw; i++) img.data[i * 4 + 3] = 255;
    c.getContext('2d')!.putImageData(img, 0, 0);
  }, [values, f]);
  return <canvas ref={ref} class="looks-filter" title={label} aria-label={label} />;
}

export function KernelPlayground({ vm, track, pixels }: { vm: LooksVm; track: Track; pixels: Float32Array | null }) {
  const out = useRef<HTMLCanvasElement>(null), mine = useRef<HTMLCanvasElement>(null);
  const [text, setText] = useState('1 0 -1\n2 0 -2\n1 0 -1');
  const [ms, setMs] = useState<number | null>(null);
  const { width: W, height: H } = track.input;
  const grey = useMemo(() => (pixels ? greyOf(pixels, W, H, track.input) : null), [pixels]);
  useEffect(() => {
    if (!grey || !out.current) return;
    const t0 = performance.now();
    const values = convolve3x3(grey, W, H, vm.kernel.value);
    drawGrid(out.current, { width: W, height: H, values }, { signed: true });
    setMs(Math.round((performance.now() - t0) * 10) / 10);
  }, [grey, vm.kernel.value]);
  const cm = vm.closestMap.value;
  useEffect(() => { if (cm && mine.current) drawGrid(mine.current, { ...cm.map, values: base64ToFloats(cm.map.values) }, { colormap: 'viridis' }); }, [cm]);
  const f = vm.filters.value, best = vm.ranking.value[0];
  const custom = vm.kernelName.value === 'custom';
  return (
    <section class="looks-block" data-testid="kernel-playground" data-kernel={vm.kernelName.value} data-closest-filter={best?.filter ?? ''} data-similarity={best?.similarity ?? ''} data-ms={ms ?? ''}>
      <h2>Kernels next to Sobel</h2>
      <p class="lens-question">Answers: <em>The Sobel kernel finds edges. Is that what the first layer learned?</em></p>
      <p>A hand-made kernel is nine numbers that slide over a grey image. The network's first layer learned {f ? f.shape[3] : 'its'} kernels of its own, on colour. To compare, each learned filter is reduced to what it does to a grey image (its red, green and blue weights summed at each of the 3×3 positions) and compared with the kernel by cosine similarity: 1 is the same pattern, −1 the same pattern inverted, 0 unrelated.</p>
      <div class="lens-controls">
        <label>Kernel <select value={vm.kernelName.value} data-testid="kernel-picker" onChange={(e) => { const v = (e.target as HTMLSelectElement).value; void vm.chooseKernel(v, v === 'custom' ? parseKernel(text) : null); }}>
          {Object.entries(KERNELS).map(([id, k]) => <option key={id} value={id}>{k.label}</option>)}
          <option value="custom">Your own 3×3…</option>
        </select></label>
        {custom && <label>Nine numbers <textarea rows={3} cols={14} value={text} data-testid="kernel-custom" onInput={(e) => { const t = (e.target as HTMLTextAreaElement).value; setText(t); const k = parseKernel(t); if (k) void vm.chooseKernel('custom', k); }} /></label>}
        {custom && !parseKernel(text) && <span class="error">Type exactly nine numbers.</span>}
        <span class="muted small">[{vm.kernel.value.map((v) => Math.round(v * 1000) / 1000).join(', ')}]{ms !== null ? ` · applied in ${ms} ms` : ''}</span>
      </div>
      <div class="lens-maps">
        <figure><canvas ref={out} class="lens-map" aria-label="the kernel applied to the grey image" /><figcaption>The kernel on your image (grey), red positive, blue negative</figcaption></figure>
        {cm && best && <figure><canvas ref={mine} class="lens-map" aria-label={`the model's own map for filter ${best.filter}`} /><figcaption>The model's own map of filter {best.filter} ({cm.layer}), {track.stages[1]?.stride?.[0] === 2 ? 'at half resolution (stride 2)' : ''}</figcaption></figure>}
      </div>
      {best && <p class="lens-check">Learned filter <strong>{best.filter}</strong> is <strong>{best.similarity.toFixed(2)}</strong> like “{custom ? 'your kernel' : KERNELS[vm.kernelName.value]!.label}”; here is what each of them finds in your image.</p>}
      {f && (
        <>
          <h3>All {f.shape[3]} learned filters, most alike first</h3>
          <ol class="looks-filters">
            {vm.ranking.value.map((r) => <li key={r.filter}><FilterTile values={f.floats} shape={f.shape} f={r.filter} label={`filter ${r.filter}: similarity ${r.similarity.toFixed(2)}`} /><span>{r.filter}</span><span class="small">{r.similarity.toFixed(2)}</span></li>)}
          </ol>
          <p class="small muted">Tiles show each filter's colour weights (grey = 0, bright = positive, dark = negative), scaled to the filter's own largest weight.</p>
        </>
      )}
    </section>
  );
}
