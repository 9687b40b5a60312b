// One toggled layer: its numbers, a page of channel heatmaps (or a bar strip for a 1-D layer), a preview over
// the image, and the extras some layers carry (the input's raw numbers, the first conv's filters, the class
// score's biggest contributors).
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { LayerInfo } from '../contract';
import { ChannelDetail } from './ChannelDetail';
import { channelValues, flatValues, formatShape, isFlat, num, pageCount, pageOf, pct, PER_PAGE, pixelValues, signed, type DecodedLayer } from './decode';
import { whereStrongest } from '../../../ui/describe';
import { drawBars, drawFilter, drawInput, drawOverlay, drawTile } from './draw';
import { useSeen } from '../../../ui/hooks';
import type { LayersVm, LayerViewModel } from './layers-vm';

const TILE = 40;
const PREVIEW = 144;
const RGB = ['R', 'G', 'B'];

interface Ctx { vm: LayersVm; d: DecodedLayer; image: HTMLImageElement | null; seen: boolean; hover: number | null; setHover: (c: number | null) => void }

const chName = (d: DecodedLayer, ch: number) => (d.isInput && d.c === 3 ? `${RGB[ch]} (channel ${ch})` : `channel ${ch}`);

function Tile({ ctx, ch, selected, clickable }: { ctx: Ctx; ch: number; selected: boolean; clickable: boolean }) {
  const { vm, d, seen } = ctx;
  const ref = useRef<HTMLCanvasElement>(null);
  const scale = vm.scale.value;
  const rgb = d.isInput;
  const size = rgb ? TILE + 12 : TILE;
  // the channel's real values (its bytes are scaled between its own min and max), once per map, not per hover
  const where = useMemo(() => { const v = channelValues(d, ch); return v ? whereStrongest(v, d.w, d.h) : null; }, [d, ch]);
  useEffect(() => { if (seen && ref.current) drawTile(ref.current, d, ch, size, { scale, rgb }); }, [seen, d, ch, scale]);
  const open = () => (clickable ? vm.openChannel(d.name, ch) : ctx.setHover(ch));
  return (
    <span class={selected ? 'nl-tile on' : 'nl-tile'}>
      <canvas ref={ref} data-testid="channel-map" data-layer={d.name} data-channel={ch} data-loaded={where !== null ? 'true' : 'false'} tabIndex={0} role="button"
        style={{ width: `${size}px`, height: `${size}px` }}
        title={`${chName(d, ch)} · mean ${num(d.means[ch]!)} · max ${num(d.maxs[ch]!)}${clickable ? ' — click for detail' : ''}`}
        aria-label={`${chName(d, ch)}, mean ${num(d.means[ch]!)}, ${where ?? 'map loading'}`}
        onMouseEnter={() => ctx.setHover(ch)} onFocus={() => ctx.setHover(ch)} onClick={open}
        onKeyDown={(e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); open(); } }} />
      {rgb && <b class={`nl-rgb c${ch}`}>{RGB[ch]}</b>}
    </span>
  );
}

function Pager({ vm, d }: { vm: LayersVm; d: DecodedLayer }) {
  const pages = pageCount(d.c);
  if (pages <= 1) return <p class="muted small nl-pager">{d.c} channels, strongest first</p>;
  const p = Math.min(vm.pageOf(d.name), pages - 1);
  const from = p * PER_PAGE + 1, to = Math.min(d.c, (p + 1) * PER_PAGE);
  return (
    <div class="nl-pager">
      <button type="button" class="nl-btn" data-testid="channels-prev" disabled={p === 0} onClick={() => vm.setPage(d.name, p - 1)} aria-label="Previous channels">‹</button>
      <span class="small" data-testid="channels-page" data-page={p}>{from}–{to} of {d.c} <span class="muted">by mean</span></span>
      <button type="button" class="nl-btn" data-testid="channels-next" disabled={p >= pages - 1} onClick={() => vm.setPage(d.name, p + 1)} aria-label="Next channels">›</button>
    </div>
  );
}

function Preview({ ctx, ch }: { ctx: Ctx; ch: number }) {
  const { vm, d, image, seen } = ctx;
  const ref = useRef<HTMLCanvasElement>(null);
  const scale = vm.scale.value;
  useEffect(() => { if (seen && ref.current) drawOverlay(ref.current, image, d, ch, PREVIEW, { scale }); }, [seen, d, ch, image, scale]);
  return (
    <figure class="nl-preview">
      <canvas ref={ref} data-testid="channel-preview" data-layer={d.name} data-channel={ch} style={{ width: `${PREVIEW}px`, height: `${PREVIEW}px` }} aria-label={`Channel ${ch} over the image`} />
      <figcaption>channel <strong>{ch}</strong> over the image · {d.w}×{d.h} map</figcaption>
    </figure>
  );
}

function Spatial({ ctx }: { ctx: Ctx }) {
  const { vm, d } = ctx;
  const p = Math.min(vm.pageOf(d.name), pageCount(d.c) - 1);
  const chans = pageOf(d.order, p);
  const open = vm.detail.value?.layer === d.name ? vm.detail.value.channel : null;
  const shown = ctx.hover !== null && d.order.includes(ctx.hover) ? ctx.hover : open ?? chans[0] ?? 0;
  return (
    <div class="nl-spatial">
      <Preview ctx={ctx} ch={shown} />
      <div class="nl-gridwrap">
        <div class="nl-grid" role="group" aria-label={`Channels of ${d.name}`}>
          {chans.map((ch) => <Tile key={ch} ctx={ctx} ch={ch} selected={ch === shown} clickable />)}
        </div>
        <Pager vm={vm} d={d} />
      </div>
    </div>
  );
}

function InputView({ ctx, pre }: { ctx: Ctx; pre: { scale: number; offset: number } | null }) {
  const { d, seen } = ctx;
  const ref = useRef<HTMLCanvasElement>(null);
  const [pick, setPick] = useState<{ x: number; y: number } | null>(null);
  const hover = ctx.hover;
  const scale = ctx.vm.scale.value;
  useEffect(() => {
    if (!seen || !ref.current) return;
    if (hover !== null || !pre) drawOverlay(ref.current, null, d, hover ?? 0, PREVIEW, { scale, rgb: true });
    else drawInput(ref.current, d, pre, PREVIEW, pick);
  }, [seen, d, hover, pick, pre, scale]);
  const values = pick ? pixelValues(d, pick.x, pick.y) : null;
  const lo = pre ? pre.offset : null, hi = pre ? pre.offset + 255 * pre.scale : null;
  const onClick = (e: MouseEvent) => {
    const c = e.currentTarget as HTMLCanvasElement;
    const r = c.getBoundingClientRect();
    const x = Math.min(d.w - 1, Math.max(0, Math.floor(((e.clientX - r.left) / r.width) * d.w)));
    const y = Math.min(d.h - 1, Math.max(0, Math.floor(((e.clientY - r.top) / r.height) * d.h)));
    setPick({ x, y });
    ctx.setHover(null);
    void ctx.vm.loadFloats(d.name); // the exact numbers come on the first click (they are 4× the maps)
  };
  return (
    <>
      <p class="small nl-learn">
        This is what the network literally receives: {d.h}×{d.w}×{d.c} = {(d.h * d.w * d.c).toLocaleString()} numbers
        {lo !== null && hi !== null ? <>, each pixel’s R, G and B rescaled to {num(lo)}…{num(hi)}</> : null}. Click the image to read them.
      </p>
      <div class="nl-spatial">
        <figure class="nl-preview">
          <canvas ref={ref} class="nl-pick" data-testid="input-preview" style={{ width: `${PREVIEW}px`, height: `${PREVIEW}px` }} onClick={onClick}
            onMouseLeave={() => ctx.setHover(null)} aria-label="The model input: click a pixel to read its numbers" />
          <figcaption>{hover === null ? 'the model input, as it saw it' : `${RGB[hover] ?? hover} channel alone`}</figcaption>
        </figure>
        <div class="nl-gridwrap">
          <div class="nl-grid" role="group" aria-label="Input channels" onMouseLeave={() => ctx.setHover(null)}>
            {Array.from({ length: d.c }, (_, ch) => <Tile key={ch} ctx={ctx} ch={ch} selected={ch === hover} clickable={false} />)}
          </div>
          {pick && !values && <p class="nl-pixel muted small" data-testid="pixel-values-loading">pixel ({pick.x}, {pick.y}): reading the exact numbers…</p>}
          {values && pick && (
            <p class="nl-pixel" data-testid="pixel-values" data-x={pick.x} data-y={pick.y} data-values={values.join(',')}>
              pixel ({pick.x}, {pick.y}):{' '}
              {values.map((v, i) => <span key={i} class={`nl-val c${i}`}>{RGB[i] ?? `c${i}`} {v < 0 ? '−' : ''}{Math.abs(v).toFixed(3)}{i < values.length - 1 ? ', ' : ''}</span>)}
            </p>
          )}
          {values && pre && (
            <p class="muted small">= colour ({values.map((v) => Math.round((v - pre.offset) / pre.scale)).join(', ')}) out of 255, before scaling</p>
          )}
        </div>
      </div>
    </>
  );
}

function Flat({ ctx }: { ctx: Ctx }) {
  const { vm, d, seen } = ctx;
  const ref = useRef<HTMLCanvasElement>(null);
  const wrap = useRef<HTMLDivElement>(null);
  const values = useMemo(() => flatValues(d), [d]);
  const [width, setWidth] = useState(360);
  const labels = vm.labels.value.length === d.c ? vm.labels.value : null;
  const open = vm.detail.value?.layer === d.name ? vm.detail.value.channel : null;
  const hover = ctx.hover;
  useEffect(() => {
    const w = wrap.current?.clientWidth;
    if (w && Math.abs(w - width) > 1) setWidth(w);
  });
  useEffect(() => { if (seen && ref.current) drawBars(ref.current, values, width, 64, hover ?? open); }, [seen, values, width, hover, open]);
  const at = (e: MouseEvent) => {
    const r = (e.currentTarget as HTMLCanvasElement).getBoundingClientRect();
    return Math.min(d.c - 1, Math.max(0, Math.floor(((e.clientX - r.left) / r.width) * d.c)));
  };
  const name = (ch: number) => (labels ? ` ${labels[ch]!.split(',')[0]}` : '');
  const top = d.order.slice(0, 5);
  const h = hover ?? open;
  return (
    <div class="nl-flat" ref={wrap}>
      <canvas ref={ref} data-testid="bar-strip" data-layer={d.name} style={{ width: `${width}px`, height: '64px' }}
        onMouseMove={(e) => ctx.setHover(at(e))} onMouseLeave={() => ctx.setHover(null)} onClick={(e) => vm.openChannel(d.name, at(e))}
        aria-label={`${d.c} values of ${d.name}, one bar per channel`} />
      <p class="small nl-flat-read" aria-live="polite">
        {h !== null
          ? <>channel <strong>{h}</strong>{name(h)}: {num(values[h]!)}</>
          : <span class="muted">{d.c} channels, one number each (a {d.h}×{d.w} “map”): hover to read, click to see what a channel wants.</span>}
      </p>
      <div class="nl-top">
        <span class="muted small">highest:</span>
        {top.map((ch) => (
          <button type="button" key={ch} class="nl-chip" data-testid="channel-map" data-layer={d.name} data-channel={ch} onMouseEnter={() => ctx.setHover(ch)} onFocus={() => ctx.setHover(ch)}
            onClick={() => vm.openChannel(d.name, ch)} title={`channel ${ch}, value ${num(values[ch]!)}`}>
            #{ch}{name(ch)} <span class="muted">{num(values[ch]!)}</span>
          </button>
        ))}
      </div>
    </div>
  );
}

function Filters({ ctx }: { ctx: Ctx }) {
  const f = ctx.d.filters!;
  const [kh, kw, cin, cout] = f.shape;
  const zoom = Math.max(2, Math.round(18 / Math.max(kh, kw)));
  return (
    <div class="nl-filters">
      <p class="small muted">Its {cout} filters ({kh}×{kw}×{cin} weights each, ×{zoom}, each scaled to its own range): the colour-and-edge patterns it looks for. Filter <em>k</em> makes channel <em>k</em>.</p>
      <div class="nl-filter-grid" data-testid="filters">
        {Array.from({ length: cout }, (_, k) => <FilterCanvas key={k} ctx={ctx} k={k} zoom={zoom} />)}
      </div>
    </div>
  );
}

function FilterCanvas({ ctx, k, zoom }: { ctx: Ctx; k: number; zoom: number }) {
  const ref = useRef<HTMLCanvasElement>(null);
  const f = ctx.d.filters!;
  useEffect(() => { if (ctx.seen && ref.current) drawFilter(ref.current, f, k, zoom); }, [ctx.seen, f, k]);
  return <canvas ref={ref} class={ctx.hover === k ? 'on' : ''} style={{ width: `${f.shape[1] * zoom}px`, height: `${f.shape[0] * zoom}px` }} title={`filter ${k}`}
    onMouseEnter={() => ctx.setHover(k)} />;
}

function Contributions({ vm, d }: { vm: LayersVm; d: DecodedLayer }) {
  const c = d.contributions!;
  const max = Math.max(1e-9, ...c.items.map((i) => Math.abs(i.value)));
  return (
    <div class="nl-contrib" data-testid="contributions" data-class-index={c.classIndex}>
      <p class="small">Top channels of <code>{c.from}</code> for <strong>{vm.className(c.classIndex).split(',')[0]}</strong> (mean activation × weight):</p>
      <ul>
        {c.items.map((it) => (
          <li key={it.channel}>
            <span class="nl-c-name">channel {it.channel}</span>
            <span class="nl-c-bar"><i class={it.value < 0 ? 'neg' : ''} style={{ width: `${(Math.abs(it.value) / max) * 100}%` }} /></span>
            <span class="nl-c-val">{signed(it.value, 3)}</span>
          </li>
        ))}
      </ul>
      <p class="small muted">+ bias {signed(c.bias)} + all the other channels = score <strong>{num(c.total)}</strong></p>
    </div>
  );
}

function Stats({ d, info, ms }: { d: DecodedLayer; info: LayerInfo; ms: number }) {
  return (
    <p class="nl-stats small" data-testid="layer-stats" data-sparsity={d.stats.sparsity} data-mean={d.stats.mean} data-max={d.stats.max}>
      <span title="Fraction of the values that are exactly zero"><strong>{pct(d.stats.sparsity)}</strong> zeros</span>
      <span>mean <strong>{num(d.stats.mean)}</strong></span>
      <span>max <strong>{num(d.stats.max)}</strong></span>
      {info.rf && <span title={`Each value sees a ${info.rf.size}×${info.rf.size} px patch of the input`}>sees {info.rf.size} px</span>}
      <span class="muted" title="Time of the forward pass that computed it, in the model host">{Math.round(ms)} ms</span>
    </p>
  );
}

function Body({ vm, view, d, ms, image, pre }: { vm: LayersVm; view: LayerViewModel; d: DecodedLayer; ms: number; image: HTMLImageElement | null; pre: { scale: number; offset: number } | null }) {
  const root = useRef<HTMLDivElement>(null);
  const seen = useSeen(root);
  const [hover, setHover] = useState<number | null>(null);
  const ctx: Ctx = { vm, d, image, seen, hover, setHover };
  const detail = vm.detail.value;
  return (
    <div ref={root}>
      <Stats d={d} info={view.info} ms={ms} />
      {d.isInput ? <InputView ctx={ctx} pre={pre} /> : isFlat(d) ? <Flat ctx={ctx} /> : <Spatial ctx={ctx} />}
      {d.filters && <Filters ctx={ctx} />}
      {d.contributions && <Contributions vm={vm} d={d} />}
      {detail && detail.layer === d.name && <ChannelDetail vm={vm} d={d} channel={detail.channel} image={image} rgb={d.isInput} />}
    </div>
  );
}

export function LayerView({ vm, view, image, pre }: { vm: LayersVm; view: LayerViewModel; image: HTMLImageElement | null; pre: { scale: number; offset: number } | null }) {
  const { info, state } = view;
  return (
    <article class="nl-lv" data-testid="layer-view" data-layer={info.name} data-state={state.status}>
      <header class="nl-lv-head">
        <h3>{info.name}</h3>
        <span class={`nl-kind k-${info.kind}`} title={info.className}>{info.className}</span>
        <span class="nl-lv-shape">{formatShape(info.shape)}</span>
        <button type="button" class="nl-x" aria-label={`Hide ${info.name}`} title="Hide this layer" onClick={() => void vm.toggle(info.name, false)}>×</button>
      </header>
      {state.status === 'loading' && (
        <div class="nl-lv-wait" data-testid="layer-loading"><span class="muted small">Running the image through the network…</span><div class="progress indeterminate"><div /></div></div>
      )}
      {state.status === 'error' && (
        <div class="nl-lv-wait" role="alert">
          <p class="error small" data-testid="layer-error" data-code={state.error.code}>{state.error.message}</p>
          <button type="button" class="nl-btn" onClick={() => void vm.retryLayer(info.name)}>Try again</button>
        </div>
      )}
      {state.status === 'ready' && <Body vm={vm} view={view} d={state.data} ms={state.ms} image={image} pre={pre} />}
    </article>
  );
}
