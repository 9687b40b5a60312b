// The "Layers" tab: the model's layers as a list with toggles, and a view inside every toggled layer.
import { findModel } from '../../../shared/catalog';
import { useImage } from '../../../ui/hooks';
import { LayerList } from './LayerList';
import { LayerView } from './LayerView';
import type { LayersVm } from './layers-vm';
import './layers.css';

export function LayersView({ vm }: { vm: LayersVm }) {
  const image = useImage(vm.thumbnail.value);
  const l = vm.listing.value;
  const views = vm.views.value;
  const pre = l.status === 'ready' ? findModel(l.modelId)?.preprocess ?? null : null;
  return (
    <section class="nl-layers" data-testid="layers">
      <p class="nl-intro">
        <strong>Each square is one channel:</strong> where in the image this filter responded (brighter = stronger).
        Early layers react to colours and edges, deeper ones to textures, parts and whole objects.
        Hover a square to see it over the picture; click it to see what it looks for.
      </p>
      {(l.status === 'idle' || l.status === 'loading') && (
        <div data-testid="layers-loading" aria-live="polite"><span class="muted small">Reading the model’s layers…</span><div class="progress indeterminate"><div /></div></div>
      )}
      {l.status === 'error' && (
        <div role="alert">
          <p class="error" data-testid="layers-error" data-code={l.error.code}>{l.error.message}</p>
          <button type="button" class="link" onClick={() => void vm.retryListing()}>Try again</button>
        </div>
      )}
      {l.status === 'ready' && (
        <>
          <LayerList vm={vm} />
          <div class="nl-views-head">
            <h2>{views.length ? `Inside ${views.length} layer${views.length === 1 ? '' : 's'}` : 'No layer shown'}</h2>
            <label class="small">Colours{' '}
              <select data-testid="colour-scale" value={vm.scale.value} onChange={(e) => vm.setScale((e.target as HTMLSelectElement).value as 'channel' | 'layer')}>
                <option value="channel">each channel’s own range</option>
                <option value="layer">one range per layer</option>
              </select>
            </label>
          </div>
          {views.length === 0 && <p class="muted small">Tick a layer in the list to look inside it.</p>}
          {views.map((v) => <LayerView key={v.info.name} vm={vm} view={v} image={image} pre={pre} />)}
        </>
      )}
    </section>
  );
}
