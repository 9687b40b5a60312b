// Every layer of the model as one compact row, with a toggle and a filter box. ~90 rows for MobileNet: the
// list scrolls inside its own box.
import type { LayerInfo } from '../contract';
import { formatCount, formatShape, kindLabel } from './decode';
import type { LayersVm } from './layers-vm';

const rfText = (rf: LayerInfo['rf']) => (rf ? `${rf.size} px, ${rf.jump} px` : '—');
const rfTitle = (rf: LayerInfo['rf']) => (rf
  ? `Receptive field: each output of this layer depends on a ${rf.size}×${rf.size} px patch of the input; neighbouring outputs are ${rf.jump} px apart.`
  : 'Receptive field: the whole image (or not spatial).');

function Row({ x, on, onToggle }: { x: LayerInfo; on: boolean; onToggle: (on: boolean) => void }) {
  return (
    <label class={on ? 'nl-row on' : 'nl-row'} data-testid="layer-row" data-layer={x.name} data-shape={formatShape(x.shape)} data-rf={x.rf ? String(x.rf.size) : ''}
      title={`#${x.index} ${x.name} — ${x.className}, output ${formatShape(x.shape)}, ${x.params.toLocaleString()} parameters`}>
      <input type="checkbox" data-testid="layer-toggle" data-layer={x.name} checked={on} onChange={(e) => onToggle((e.target as HTMLInputElement).checked)} />
      <span class="nl-name">
        <span class="nl-name-text">{x.name}</span>
        <span class={`nl-kind k-${x.kind}`} title={x.className}>{kindLabel(x.kind)}</span>
      </span>
      <span class="nl-num">{formatShape(x.shape)}</span>
      <span class="nl-num">{formatCount(x.params)}</span>
      <span class="nl-num" title={rfTitle(x.rf)}>{rfText(x.rf)}</span>
    </label>
  );
}

export function LayerList({ vm }: { vm: LayersVm }) {
  const l = vm.listing.value;
  if (l.status !== 'ready') return null;
  const on = new Set(vm.toggles.value);
  const shown = vm.shown.value;
  const total = l.layers.reduce((s, x) => s + x.params, 0);
  return (
    <div class="nl-list">
      <div class="nl-list-tools">
        <input type="search" class="nl-filter" data-testid="layer-filter" placeholder={`Filter ${l.layers.length} layers: name, kind, shape…`} value={vm.filter.value}
          onInput={(e) => vm.setFilter((e.target as HTMLInputElement).value)} aria-label="Filter layers" />
        <button type="button" class="nl-btn" data-testid="layers-defaults" onClick={() => void vm.resetToggles()} title="Show the layers picked for this model">Defaults</button>
        <button type="button" class="nl-btn" data-testid="layers-none" onClick={() => void vm.setToggles([])} disabled={on.size === 0}>None</button>
      </div>
      <div class="nl-table" role="group" aria-label={`Layers of ${l.modelName}`}>
        <div class="nl-row nl-head" aria-hidden="true">
          <span /><span>layer</span><span class="nl-num">output</span><span class="nl-num" title="parameters (weights)">params</span><span class="nl-num" title="Receptive field: size, jump (input pixels)">RF, jump</span>
        </div>
        <div class="nl-scroll">
          {shown.map((x) => <Row key={x.name} x={x} on={on.has(x.name)} onToggle={(v) => void vm.toggle(x.name, v)} />)}
          {shown.length === 0 && <p class="muted small nl-none">No layer matches “{vm.filter.value}”.</p>}
        </div>
      </div>
      <p class="muted small nl-list-foot">
        {on.size} shown · {shown.length === l.layers.length ? `${l.layers.length} layers` : `${shown.length} of ${l.layers.length} layers match`} · {formatCount(total)} parameters in {l.modelName}
      </p>
    </div>
  );
}
