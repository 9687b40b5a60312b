import { useEffect, useRef, useState } from 'preact/hooks';
import type { SaliencyMap } from '../types';
import { Curves } from './Curves';
import { Legend } from '../../../ui/Legend';
import './explain.css';
import type { ExplainVm, Panel } from './explain-vm';
import { costLine, METHODS_LIST, SANITY_PAPER, type Family, type ParamSpec } from '../catalog';
import { CompareAll } from './CompareAll';
import { formatRatio, ratioOver } from '../ranking';
import { SUBSTRATE_TEXT } from '../contract';
import { download, drawOverlay, mapToJson, mapToPngBlob } from '../../../ui/overlay';
import { useImage } from '../../../ui/hooks';
import { mapAlt } from '../../../ui/describe';

const fmt = (x: number) => (Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 1 ? x.toFixed(2) : x.toFixed(3));

function Overlay({ map, image, opacity, testid = 'saliency-canvas', classIndex, className, head = 'imagenet' }: { map: SaliencyMap; image: HTMLImageElement | null; opacity: number; testid?: string; classIndex: number; className: string; head?: string }) {
  const ref = useRef<HTMLCanvasElement>(null);
  const [drawn, setDrawn] = useState(false);
  useEffect(() => {
    if (!ref.current || !image) return;
    drawOverlay(ref.current, image, map, { opacity, colormap: map.signed ? 'rdbu' : 'inferno', mode: map.signed ? 'signed' : 'magnitude' });
    setDrawn(true);
  }, [map, image, opacity]);
  return (
    <div class="nl-canvas-wrap">
      <canvas ref={ref} width={224} height={224} data-testid={testid} data-method={map.method} data-class-index={classIndex} data-ready={drawn ? 'true' : 'false'} data-head={head}
        role="img" aria-label={mapAlt(METHODS_LIST.find((m) => m.id === map.method)?.name ?? map.method, className, map)} />
    </div>
  );
}

/** The picker's groups, in the order a learner meets them. */
const FAMILIES: [Family, string][] = [
  ['cam', 'Class activation maps'], ['gradient', 'Gradients'], ['path', 'Path and region methods'],
  ['smoothing', 'Noise-averaged gradients'], ['perturbation', 'Perturbation (black box)'], ['fails', 'Taught because they fail'],
];

function ParamControl({ spec, value, camLayers, onChange }: { spec: ParamSpec; value: number | string | boolean | undefined; camLayers: string[]; onChange: (v: number | string) => void }) {
  if (spec.kind === 'number') {
    return <label class="param">{spec.label} <input type="number" min={spec.min} max={spec.max} step={spec.step} value={String(value ?? '')}
      onChange={(e) => { const v = Number((e.target as HTMLInputElement).value); if (Number.isFinite(v)) onChange(Math.min(spec.max, Math.max(spec.min, v))); }} /></label>;
  }
  const options = spec.kind === 'choice' ? spec.options : ['', ...camLayers];
  return (
    <label class="param">{spec.label}{' '}
      <select value={String(value ?? '')} onChange={(e) => onChange((e.target as HTMLSelectElement).value)}>
        {options.map((o) => <option value={o} key={o}>{o === '' ? 'default (catalog)' : o}</option>)}
      </select>
    </label>
  );
}

function PanelView({ vm, i, panel, image }: { vm: ExplainVm; i: 0 | 1; panel: Panel; image: HTMLImageElement | null }) {
  const m = panel.method.value;
  const job = panel.job.value;
  const params = panel.params.value;
  const cls = vm.classIndex.value ?? 0;
  const canvasRef = useRef<HTMLDivElement>(null);
  const exportPng = async () => {
    const canvas = canvasRef.current?.querySelector('canvas');
    if (canvas) download(await mapToPngBlob(canvas), `netlens-${m.id}-class${cls}.png`);
  };
  const exportJson = () => {
    if (job.status === 'ready') download(new Blob([mapToJson(job.value, vm.className.value)], { type: 'application/json' }), `netlens-${m.id}-class${cls}.json`);
  };
  return (
    <div class="panel">
      <select data-testid={i === 0 ? 'method-picker' : 'compare-method-picker'} value={m.id} onChange={(e) => vm.chooseMethod(i, (e.target as HTMLSelectElement).value)} aria-label="Explanation method">
        {FAMILIES.map(([family, label]) => (
          <optgroup label={label} key={family}>
            {METHODS_LIST.filter((x) => x.family === family).map((x) => <option value={x.id} key={x.id}>{x.name}{x.failsSanity ? ' (fails the sanity check)' : ''}</option>)}
          </optgroup>
        ))}
      </select>
      {m.failsSanity && (
        <p class="badge-fails" data-testid="fails-sanity-badge" data-method={m.id}>
          Fails the sanity check: its map barely changes when the model’s top layers are randomised, so it shows the image more than what the model learned.{' '}
          <a href={SANITY_PAPER} target="_blank" rel="noreferrer">Adebayo et al. 2018</a>. Tick “Randomise the top layers” below to see it on your image.
          {m.sanityNote && <> {m.sanityNote}</>}
        </p>
      )}
      <p class="muted small method-summary">{m.summary} <a href={m.paper} target="_blank" rel="noreferrer">paper</a></p>
      <p class="muted small method-cost" data-testid="method-cost">Cost: {costLine(m, params)}</p>
      {m.params.length > 0 && (
        <div class="params">{m.params.map((p) => <ParamControl key={p.key} spec={p} value={params[p.key]} camLayers={vm.camLayers.value} onChange={(v) => vm.setParam(i, p.key, v)} />)}</div>
      )}
      <div ref={canvasRef}>
        {job.status === 'ready' && <Overlay map={job.value} image={image} opacity={vm.settings.value.opacity} classIndex={cls} className={vm.className.value} head={vm.head.value} />}
        {job.status === 'running' && (
          <div class="nl-canvas-wrap placeholder" data-testid="explain-progress" aria-live="polite">
            <span>Computing… {Math.round(job.progress * 100)}%</span>
            <div class="progress"><div style={{ width: `${Math.round(job.progress * 100)}%` }} /></div>
            <button type="button" class="link" onClick={() => vm.cancel(i)}>Cancel</button>
          </div>
        )}
        {job.status === 'error' && <p class="error" data-testid="explain-error">{job.error.message}</p>}
      </div>
      {job.status === 'ready' && (
        <>
          <Legend colormap={job.value.signed ? 'rdbu' : 'inferno'} mode={job.value.signed ? 'signed' : 'magnitude'} min={job.value.min} max={job.value.max} signed={job.value.signed}
            label={job.value.signed ? 'red: evidence for the class, blue: against' : 'brighter: more important'} />
          <p class="muted small">{job.ms} ms
            {job.value.notes?.completenessError !== undefined && <> · completeness: Σ = {fmt(job.value.notes.attributionSum!)} vs Δscore {fmt(job.value.notes.scoreDelta!)} ({(job.value.notes.completenessError * 100).toFixed(1)}% off)</>}
          </p>
          <div class="exports">
            <button type="button" onClick={exportPng} data-testid="export-png">PNG</button>
            <button type="button" onClick={exportJson} data-testid="export-json">JSON</button>
          </div>
        </>
      )}
    </div>
  );
}

const ratio = (x: number, base: number) => formatRatio(ratioOver(x, base));

function Faithfulness({ vm }: { vm: ExplainVm }) {
  const j = vm.check.value;
  const substrate = vm.settings.value.substrate;
  return (
    <section class="check">
      <button type="button" data-testid="check-button" onClick={() => vm.runCheck()} disabled={j.status === 'running'}>Check faithfulness</button>
      <label class="small"> deleted pixels become{' '}
        <select data-testid="substrate" value={substrate} onChange={(e) => vm.setSubstrate((e.target as HTMLSelectElement).value as typeof substrate)}>
          <option value="grey">mid-grey</option><option value="black">black</option><option value="blur">blurred</option>
        </select>
      </label>
      <p class="muted small">Removes or reveals pixels in the map’s order and watches the class probability; ROAD fills removed pixels from their neighbours instead, so the hole’s shape gives nothing away.</p>
      {j.status === 'running' && <div class="progress"><div style={{ width: `${Math.round(j.progress * 100)}%` }} /></div>}
      {j.status === 'error' && <p class="error">{j.error.message}</p>}
      {j.status === 'ready' && (() => {
        const f = j.value, r = f.random;
        const good = f.deletion < r.deletion.mean && f.insertion > r.insertion.mean;
        return (
          <div data-testid="faithfulness" data-deletion={f.deletion} data-insertion={f.insertion} data-road={f.road} data-random-deletion={r.deletion.mean} data-random-insertion={r.insertion.mean}
            data-random-road={r.road.mean} data-random-seeds={r.seeds} data-substrate={f.substrate}>
            <p class="small">Deleted pixels became <strong>{SUBSTRATE_TEXT[f.substrate]}</strong>. Random baseline: the mean of {r.seeds} seeded random maps (± their spread).</p>
            <table class="small faith-table">
              <thead><tr><th>metric</th><th>this map</th><th>random</th><th>ratio</th></tr></thead>
              <tbody>
                <tr><td>Deletion AUC (lower is better)</td><td>{f.deletion.toFixed(3)}</td><td>{r.deletion.mean.toFixed(3)} ± {r.deletion.sd.toFixed(3)}</td><td>{ratio(f.deletion, r.deletion.mean)}</td></tr>
                <tr><td>Insertion AUC (higher is better)</td><td>{f.insertion.toFixed(3)}</td><td>{r.insertion.mean.toFixed(3)} ± {r.insertion.sd.toFixed(3)}</td><td>{ratio(f.insertion, r.insertion.mean)}</td></tr>
                <tr><td>ROAD, mean of 20/40/60/80 % removed (lower is better)</td><td>{f.road.toFixed(3)}</td><td>{r.road.mean.toFixed(3)} ± {r.road.sd.toFixed(3)}</td><td>{ratio(f.road, r.road.mean)}</td></tr>
              </tbody>
            </table>
            <p class="small">{good ? 'Better than a random map on both curves.' : 'Not better than a random map on both curves: treat this map with care.'}</p>
            <Curves deletion={f.deletionCurve} insertion={f.insertionCurve} randomDeletion={r.deletionCurve} randomInsertion={r.insertionCurve} />
          </div>
        );
      })()}
    </section>
  );
}

function Sanity({ vm, image }: { vm: ExplainVm; image: HTMLImageElement | null }) {
  const j = vm.sanity.value;
  return (
    <section class="sanity-box">
      <label><input type="checkbox" data-testid="sanity-toggle" checked={vm.sanityOn.value} onChange={(e) => vm.toggleSanity((e.target as HTMLInputElement).checked)} /> Randomise the top layers (sanity check)</label>
      {j.status === 'running' && <div class="progress"><div style={{ width: `${Math.round(j.progress * 100)}%` }} /></div>}
      {j.status === 'error' && <p class="error">{j.error.message}</p>}
      {j.status === 'ready' && (
        <div data-testid="sanity" data-spearman={j.value.spearman} data-passes={String(j.value.passes)}>
          <Overlay map={j.value.map} image={image} opacity={vm.settings.value.opacity} testid="sanity-canvas" classIndex={vm.classIndex.value ?? 0} className={`${vm.className.value} (top layers randomised)`} />
          <p class="small">With {j.value.layers.join(', ')} re-initialised, the map’s rank correlation with the original is <strong>{j.value.spearman.toFixed(2)}</strong>:{' '}
            {j.value.passes ? <span class="pass">passes — the map depends on what the model learned.</span> : <span class="fail">fails — the map barely changed, so it does not reflect the learned weights.</span>}
          </p>
        </div>
      )}
    </section>
  );
}

export function ExplainView({ vm, thumbnail, predictions }: { vm: ExplainVm; thumbnail: string; predictions: { index: number; className: string }[] }) {
  const image = useImage(thumbnail);
  const [query, setQuery] = useState('');
  const cls = vm.classIndex.value;
  const labels = vm.labels.value;
  const options = predictions.some((p) => p.index === cls) || cls === null ? predictions : [...predictions, { index: cls, className: vm.className.value }];
  const pickQuery = (q: string) => {
    setQuery(q);
    const i = labels.indexOf(q);
    if (i >= 0) vm.chooseClass(i);
  };
  const custom = vm.customPredictions.value;
  const isCustom = vm.head.value === 'custom';
  return (
    <section class="explain">
      <div class="row">
        <label>Explain class{' '}
          <select data-testid="class-picker" value={isCustom ? `custom:${cls}` : String(cls ?? '')} onChange={(e) => {
            const v = (e.target as HTMLSelectElement).value;
            if (v.startsWith('custom:')) vm.chooseClass(Number(v.slice(7)), 'custom'); else vm.chooseClass(Number(v));
          }}>
            <optgroup label="ImageNet">
              {(isCustom ? predictions : options).map((p) => <option value={p.index} key={p.index}>{p.className.split(',')[0]} (#{p.index})</option>)}
            </optgroup>
            {custom.length > 0 && (
              <optgroup label="My classes">
                {custom.map((p) => <option value={`custom:${p.index}`} key={`c${p.index}`}>{p.className}</option>)}
              </optgroup>
            )}
          </select>
        </label>
        <input data-testid="class-search" list="nl-classes" placeholder="any class…" value={query} onInput={(e) => pickQuery((e.target as HTMLInputElement).value)} aria-label="Search all classes" />
        <datalist id="nl-classes">{labels.map((l) => <option value={l} key={l} />)}</datalist>
      </div>
      <div class="row">
        <label>Opacity <input type="range" min={0} max={1} step={0.05} value={vm.settings.value.opacity} data-testid="opacity" onInput={(e) => vm.setOpacity(Number((e.target as HTMLInputElement).value))} /></label>
        <label><input type="checkbox" checked={vm.compare.value} data-testid="compare-toggle" onChange={(e) => vm.toggleCompare((e.target as HTMLInputElement).checked)} /> Compare two methods</label>
      </div>
      <div class={vm.compare.value ? 'panels two' : 'panels'}>
        <PanelView vm={vm} i={0} panel={vm.panels[0]} image={image} />
        {vm.compare.value && <PanelView vm={vm} i={1} panel={vm.panels[1]} image={image} />}
      </div>
      <Faithfulness vm={vm} />
      <Sanity vm={vm} image={image} />
      <CompareAll vm={vm} image={image} />
    </section>
  );
}
