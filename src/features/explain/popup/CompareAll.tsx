// "Compare all": every method (or the ones picked) on this image and class, as a grid of maps and a table
// ranked by deletion, insertion, ROAD and the sanity check, each against the random baseline.
import { useEffect, useRef } from 'preact/hooks';
import { METHOD_INFO, METHODS_LIST, SANITY_PAPER } from '../catalog';
import { compareCsv, formatRatio } from '../ranking';
import { SANITY_THRESHOLD, SUBSTRATE_TEXT } from '../contract';
import type { SaliencyMap } from '../types';
import type { CompareView, ExplainVm } from './explain-vm';
import { download, drawOverlay } from '../../../ui/overlay';
import { mapAlt } from '../../../ui/describe';

const nameOf = (id: string) => METHOD_INFO.get(id)?.name ?? id;

function Thumb({ map, image, className }: { map: SaliencyMap; image: HTMLImageElement | null; className: string }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (ref.current) drawOverlay(ref.current, image, map, { opacity: 0.65, size: 96, colormap: map.signed ? 'rdbu' : 'inferno', mode: map.signed ? 'signed' : 'magnitude' });
  }, [map, image]);
  return <canvas ref={ref} width={96} height={96} role="img" aria-label={mapAlt(nameOf(map.method), className, map)} data-testid="compare-map" data-method={map.method} />;
}

function exportJson(v: CompareView) {
  const body = { classIndex: v.classIndex, className: v.className, random: v.random, sanityLayers: v.sanityLayers, rows: v.rows.map(({ map: _m, ...r }) => ({ ...r, name: nameOf(r.method) })) };
  download(new Blob([JSON.stringify(body, null, 2)], { type: 'application/json' }), `netlens-compare-class${v.classIndex}.json`);
}

function Results({ v, image }: { v: CompareView; image: HTMLImageElement | null }) {
  const r = v.random;
  return (
    <div data-testid="compare-results" data-methods={v.rows.length}>
      <div class="compare-grid">
        {v.rows.map((row) => (
          <figure key={row.method}>
            <Thumb map={row.map} image={image} className={v.className} />
            <figcaption class="small">#{row.rank} {nameOf(row.method)}</figcaption>
          </figure>
        ))}
      </div>
      <table class="small compare-table">
        <thead>
          <tr><th>#</th><th>method</th><th title="lower is better">deletion</th><th title="higher is better">insertion</th><th title="lower is better">ROAD</th>
            <th title="rank correlation with the map after randomising the top layers: lower is better">sanity ρ</th><th>ms</th></tr>
        </thead>
        <tbody>
          {v.rows.map((row) => (
            <tr key={row.method} data-testid="compare-row" data-method={row.method} data-deletion={row.deletion} data-insertion={row.insertion} data-road={row.road}
              data-spearman={row.spearman ?? ''} data-rank={row.rank} class={METHOD_INFO.get(row.method)?.failsSanity ? 'fails' : ''}>
              <td>{row.rank}</td>
              <td>{nameOf(row.method)}{METHOD_INFO.get(row.method)?.failsSanity && <> <a class="badge-fails-inline" href={SANITY_PAPER} target="_blank" rel="noreferrer" title="fails the sanity check">fails sanity</a></>}</td>
              <td>{row.deletion.toFixed(3)} <span class="muted">{formatRatio(row.deletionRatio)}</span></td>
              <td>{row.insertion.toFixed(3)} <span class="muted">{formatRatio(row.insertionRatio)}</span></td>
              <td>{row.road.toFixed(3)} <span class="muted">{formatRatio(row.roadRatio)}</span></td>
              <td class={row.spearman !== null && row.spearman >= SANITY_THRESHOLD ? 'fail' : ''}>{row.spearman === null ? '–' : row.spearman.toFixed(2)}</td>
              <td>{row.ms}</td>
            </tr>
          ))}
          <tr data-testid="compare-random" data-deletion={r.deletion.mean} data-insertion={r.insertion.mean} data-road={r.road.mean} data-seeds={r.seeds}>
            <td /><td>random map ({r.seeds} seeds)</td>
            <td>{r.deletion.mean.toFixed(3)} ± {r.deletion.sd.toFixed(3)}</td><td>{r.insertion.mean.toFixed(3)} ± {r.insertion.sd.toFixed(3)}</td>
            <td>{r.road.mean.toFixed(3)} ± {r.road.sd.toFixed(3)}</td><td>≈ 0</td><td />
          </tr>
        </tbody>
      </table>
      <p class="muted small">Ratios are over the random baseline’s mean; deleted pixels became {SUBSTRATE_TEXT[r.substrate]}.
        Rank: the average of the four per-metric ranks{v.sanityLayers.length ? ` (sanity: ${v.sanityLayers.join(', ')} re-initialised)` : ''}.</p>
      <div class="exports">
        <button type="button" data-testid="compare-export-json" onClick={() => exportJson(v)}>JSON</button>
        <button type="button" data-testid="compare-export-csv" onClick={() => download(new Blob([compareCsv(v.rows, v.random, nameOf)], { type: 'text/csv' }), `netlens-compare-class${v.classIndex}.csv`)}>CSV</button>
      </div>
    </div>
  );
}

export function CompareAll({ vm, image }: { vm: ExplainVm; image: HTMLImageElement | null }) {
  const j = vm.comparison.value;
  const chosen = vm.compareSet.value;
  return (
    <section class="compare-all">
      <h2 class="compare-title">Compare all methods</h2>
      <p class="muted small">Runs each method on this image and class, then ranks them by how well their maps predict what the model needs. With every method at its default settings this takes a few minutes (about 4 on a 2-core laptop); untick methods or lower their settings to go faster.</p>
      <details>
        <summary class="small">Methods ({chosen.size} of {METHODS_LIST.length})</summary>
        <label class="small"><input type="checkbox" checked={chosen.size === METHODS_LIST.length} onChange={(e) => vm.compareAllMethods((e.target as HTMLInputElement).checked)} /> all</label>
        <div class="compare-picks">
          {METHODS_LIST.map((m) => (
            <label class="small" key={m.id}><input type="checkbox" data-testid="compare-pick" value={m.id} checked={chosen.has(m.id)} onChange={(e) => vm.toggleCompareMethod(m.id, (e.target as HTMLInputElement).checked)} /> {m.name}</label>
          ))}
        </div>
      </details>
      <button type="button" data-testid="compare-all" onClick={() => vm.runCompare()} disabled={j.status === 'running' || chosen.size === 0}>Compare {chosen.size} methods</button>
      {j.status === 'running' && (
        <div data-testid="compare-progress" aria-live="polite">
          <span class="small">{vm.compareMessage.value} {Math.round(j.progress * 100)}%</span>
          <div class="progress"><div style={{ width: `${Math.round(j.progress * 100)}%` }} /></div>
          <button type="button" class="link" data-testid="compare-cancel" onClick={() => vm.cancelCompare()}>Cancel</button>
        </div>
      )}
      {j.status === 'error' && <p class="error" data-testid="compare-error">{j.error.message}</p>}
      {j.status === 'ready' && <Results v={j.value} image={image} />}
    </section>
  );
}
