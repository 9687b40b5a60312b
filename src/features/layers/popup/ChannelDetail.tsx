// One channel up close: its map over the image, and what it responds to most (a feature visualisation
// computed on demand in the model host, cancellable).
import { useEffect, useRef, useState } from 'preact/hooks';
import { flatValues, isFlat, num, type DecodedLayer } from './decode';
import { drawOverlay } from './draw';
import { VIS_STEPS, type LayersVm } from './layers-vm';

const BIG = 176;

function Ratio({ start, final }: { start: number; final: number }) {
  if (start > 1e-6 && final > 0) return <>activation <strong>×{(final / start).toFixed(final / start >= 10 ? 0 : 1)}</strong> above the random start ({num(start)} → {num(final)})</>;
  return <>activation went from {num(start)} on the random start to <strong>{num(final)}</strong></>;
}

function Vis({ vm, layer, channel }: { vm: LayersVm; layer: string; channel: number }) {
  const j = vm.vis.value;
  const [loaded, setLoaded] = useState<string | null>(null);
  const ready = j.status === 'ready' && loaded === j.vis.image;
  return (
    <figure class="nl-fig">
      <div class="nl-vis" data-testid="feature-vis" data-layer={layer} data-channel={channel} data-ready={ready ? 'true' : 'false'}
        data-start-activation={j.status === 'ready' ? j.vis.startActivation : undefined} data-final-activation={j.status === 'ready' ? j.vis.finalActivation : undefined}>
        {j.status === 'ready' && (
          <img src={j.vis.image} width={BIG} height={BIG} alt={`An image optimised to excite channel ${channel} of ${layer}`} onLoad={() => setLoaded(j.vis.image)} />
        )}
        {j.status === 'running' && (
          <div class="nl-vis-wait" data-testid="feature-vis-progress" aria-live="polite">
            <span>Optimising… {Math.round(j.progress * 100)}%</span>
            <div class="progress" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(j.progress * 100)}><div style={{ width: `${Math.round(j.progress * 100)}%` }} /></div>
            <button type="button" class="nl-btn" data-testid="feature-vis-cancel" onClick={() => vm.cancelVis()}>Cancel</button>
          </div>
        )}
        {j.status === 'error' && (
          <div class="nl-vis-wait"><p class="error small" data-testid="feature-vis-error">{j.error.message}</p><button type="button" class="nl-btn" onClick={() => vm.retryVis()}>Try again</button></div>
        )}
        {j.status === 'idle' && (
          <div class="nl-vis-wait"><span class="muted small">Stopped.</span><button type="button" class="nl-btn" onClick={() => vm.retryVis()}>Compute</button></div>
        )}
      </div>
      <figcaption>What excites it most: an image grown from noise in {VIS_STEPS} steps to make this channel fire</figcaption>
    </figure>
  );
}

/** "Images you classified that excite this channel most", from NetLens's own memory of past classifications. */
function TopImages({ vm }: { vm: LayersVm }) {
  const top = vm.topImages.value;
  if (top === null) return null;
  return (
    <div class="nl-top" data-testid="top-images" data-count={top.length}>
      <p class="small"><strong>Images you classified that excite this channel most</strong></p>
      {top.length === 0
        ? <p class="muted small">None yet: NetLens remembers each image you classify (a thumbnail and each toggled layer’s channel means, on this computer only). Classify a few images with this layer switched on.</p>
        : <ol class="nl-top-list">{top.map((t) => <li key={t.id} title={t.url}><img src={t.thumbnail} alt="" width={56} height={56} /><span class="small">{num(t.value)}</span></li>)}</ol>}
      <button type="button" class="nl-btn small" data-testid="clear-seen" onClick={() => vm.clearSeen()}>Forget remembered images ({vm.seenCount.value})</button>
    </div>
  );
}

export function ChannelDetail({ vm, d, channel, image, rgb }: { vm: LayersVm; d: DecodedLayer; channel: number; image: HTMLImageElement | null; rgb: boolean }) {
  const ref = useRef<HTMLCanvasElement>(null);
  const root = useRef<HTMLElement>(null);
  const flat = isFlat(d);
  const scale = vm.scale.value;
  useEffect(() => { if (ref.current && !flat) drawOverlay(ref.current, image, d, channel, BIG, { scale, rgb }); }, [d, channel, image, scale, flat]);
  useEffect(() => { root.current?.scrollIntoView({ block: 'nearest', behavior: 'smooth' }); }, [channel]);
  const j = vm.vis.value;
  const value = flat ? flatValues(d)[channel]! : null;
  const rank = d.order.indexOf(channel) + 1;
  const label = flat && d.c === vm.labels.value.length ? vm.labels.value[channel] : undefined;
  return (
    <section class="nl-detail" ref={root} data-testid="channel-detail" data-layer={d.name} data-channel={channel}
      onKeyDown={(e) => { if (e.key === 'Escape') vm.closeDetail(); }}>
      <header class="nl-detail-head">
        <strong>{d.name} · channel {channel}{label ? ` (${label.split(',')[0]})` : ''}</strong>
        <button type="button" class="nl-x" data-testid="channel-detail-close" aria-label="Close the channel detail" onClick={() => vm.closeDetail()}>×</button>
      </header>
      <div class="nl-detail-body">
        <figure class="nl-fig">
          {flat
            ? <div class="nl-flatval"><span class="nl-big">{num(value!)}</span><span class="muted small">its value on this image</span></div>
            : <canvas ref={ref} class="nl-big-canvas" data-testid="channel-overlay" width={BIG} height={BIG} aria-label={`Channel ${channel} over the image`} />}
          <figcaption>{flat ? 'One number for the whole image' : 'Where it fired on this image'}: rank {rank} of {d.c} by mean ({num(d.means[channel]!)}), max {num(d.maxs[channel]!)}</figcaption>
        </figure>
        <Vis vm={vm} layer={d.name} channel={channel} />
      </div>
      <TopImages vm={vm} />
      {j.status === 'ready' && (
        <p class="small nl-vis-note" data-testid="feature-vis-note">
          <Ratio start={j.vis.startActivation} final={j.vis.finalActivation} /> · <span class="nl-nowrap">{j.vis.cached ? 'from the cache' : `computed in ${(j.vis.ms / 1000).toFixed(1)} s`}</span>
        </p>
      )}
    </section>
  );
}
