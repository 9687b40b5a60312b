import type { ComponentChildren } from 'preact';
import { useEffect } from 'preact/hooks';
import { BACKENDS, type BackendPref } from '../shared/protocol';
import type { ClassifyResult, Prediction } from '../features/classify/contract';
import type { Page, ViewModel } from './viewmodel';
import { ExplainView } from '../features/explain/popup/ExplainView';
import { LayersView } from '../features/layers/popup/LayersView';
import { ClassesView, ModePicker } from '../features/teach/popup/ClassesView';

const pct = (p: number) => (p >= 0.995 ? '100' : (p * 100).toFixed(p < 0.1 ? 1 : 0)) + '%';

function Header({ vm }: { vm: ViewModel }) {
  const s = vm.settings.value;
  return (
    <header class="bar">
      <div class="brand"><img src="/icons/icon-32.png" alt="" width={20} height={20} /> NetLens</div>
      <label class="picker">
        <span class="sr">Model</span>
        <select data-testid="model-picker" value={s.modelId} onChange={(e) => vm.chooseModel((e.target as HTMLSelectElement).value)}>
          {vm.models.map((m) => <option value={m.id} key={m.id}>{m.name}</option>)}
        </select>
      </label>
    </header>
  );
}

function Progress({ value }: { value: number | null }) {
  return value === null
    ? <div class="progress indeterminate" role="progressbar" aria-label="working"><div /></div>
    : <div class="progress" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(value * 100)}><div style={{ width: `${Math.round(value * 100)}%` }} /></div>;
}

function PredictionList({ predictions, custom }: { predictions: Prediction[]; custom?: boolean }) {
  return (
    <ol class={custom ? 'preds custom' : 'preds'}>
      {predictions.map((p) => (custom
        ? (
          <li data-testid="custom-prediction" data-class-name={p.className} data-prob={p.prob} key={p.index}>
            <span class="name">{p.className}</span>
            <span class="pct">{pct(p.prob)}</span>
            <span class="barwrap"><span class="bar-fill" style={{ width: `${Math.max(0.5, p.prob * 100)}%` }} /></span>
          </li>
        ) : (
          <li data-testid="prediction" data-class-index={p.index} data-class-name={p.className} data-prob={p.prob} key={p.index} title={`class #${p.index}`}>
            <span class="name">{p.className}</span>
            <span class="pct">{pct(p.prob)}</span>
            <span class="barwrap"><span class="bar-fill" style={{ width: `${Math.max(0.5, p.prob * 100)}%` }} /></span>
          </li>
        )))}
    </ol>
  );
}

const MODE_SHOWN = { imagenet: 'ImageNet’s 1000 classes', custom: 'your classes', both: 'ImageNet’s classes and yours' } as const;

/** The predictions of a result, by mode: ImageNet's, the user's classes (their trained head), or both. */
function Predictions({ vm, r }: { vm: ViewModel; r: ClassifyResult }) {
  const mode = r.mode ?? 'imagenet';
  const custom = r.custom;
  const mine = mode === 'imagenet' ? null : custom === undefined ? null : (
    custom === null
      ? (
        <p class="nl-hint" data-testid="no-custom">
          No classes trained yet — <button type="button" class="link" onClick={() => vm.showPage('classes')}>open My classes</button> to teach some.
        </p>
      )
      : <PredictionList predictions={custom.predictions} custom />
  );
  return (
    <>
      <div class="nl-mode-line">
        <ModePicker mode={vm.settings.value.mode} onChange={(m) => void vm.chooseMode(m)} />
        <span class="muted" data-testid="mode-shown" data-mode={mode}>Showing {MODE_SHOWN[mode]}</span>
      </div>
      {mode === 'imagenet' && <PredictionList predictions={r.predictions} />}
      {mode === 'custom' && mine}
      {mode === 'both' && (
        <>
          <div class="nl-pred-head"><h3>My classes</h3>{custom && <span class="muted small">{pct(custom.valAccuracy)} validation accuracy</span>}</div>
          {mine}
          <div class="nl-pred-head"><h3>ImageNet</h3></div>
          <PredictionList predictions={r.predictions} />
        </>
      )}
    </>
  );
}

function Body({ vm }: { vm: ViewModel }) {
  const v = vm.view.value;
  switch (v.kind) {
    case 'starting':
      return <p data-testid="status" data-status="starting" class="muted">Starting…</p>;
    case 'empty': {
      const h = vm.host.value;
      return (
        <section class="empty" data-testid="status" data-status="empty">
          <div class="hint-art" aria-hidden="true">🖱️</div>
          <p><strong>Right-click any image</strong> on a page and choose <em>Classify with NetLens</em>.</p>
          <p class="muted">The picture is classified on this computer; it never leaves it.</p>
          {h?.phase === 'model' && h.progress !== null && h.progress < 1 && (
            <div class="preload"><span class="muted">{h.message}</span><Progress value={h.progress} /></div>
          )}
        </section>
      );
    }
    case 'loading':
      return (
        <section data-testid="status" data-status="loading" aria-live="polite">
          <p>{v.message}{v.queueDepth > 1 && <span data-testid="queue-depth" class="muted"> · {v.queueDepth} in the queue</span>}</p>
          <Progress value={v.progress} />
        </section>
      );
    case 'error':
      return (
        <section data-testid="status" data-status="error" role="alert">
          <p data-testid="error" data-code={v.error.code} class="error">{v.error.message}</p>
          <button type="button" class="link" onClick={() => vm.retry()}>Try again</button>
        </section>
      );
    case 'result': {
      const r = v.state.result;
      const custom = r.mode === 'custom' ? r.custom?.predictions[0] : undefined;
      const top = custom ?? r.predictions[0];
      return (
        <section data-testid="status" data-status="done">
          <div class="result-head">
            <img data-testid="thumbnail" class="thumb" src={r.thumbnail} alt={`The classified image (${r.image.originalWidth}×${r.image.originalHeight})`} />
            <div>
              <div class="verdict">{top ? top.className.split(',')[0] : '—'}</div>
              <div class="muted small">{top ? `${pct(top.prob)} sure` : ''}{r.mode === 'both' ? ' (ImageNet)' : r.mode === 'custom' && custom ? ' (my classes)' : ''} · from {r.source.kind.replace('-', ' ')}</div>
            </div>
          </div>
          <Predictions vm={vm} r={r} />
          <dl class="meta">
            <dt>Model</dt><dd data-testid="model" data-model-id={r.modelId}>{r.modelName}</dd>
            <dt>Backend</dt><dd data-testid="backend" data-backend={r.backend} title={r.backendReason}>{r.backend} <span class="muted small">— {r.backendReason}</span></dd>
            <dt>Time</dt><dd><span data-testid="elapsed-ms" data-ms={r.elapsedMs}>{Math.round(r.elapsedMs)} ms</span> <span class="muted small">({r.totalMs} ms with download and decoding)</span></dd>
          </dl>
        </section>
      );
    }
  }
}

function Settings({ vm }: { vm: ViewModel }) {
  const s = vm.settings.value;
  const choice = vm.backendChoice.value;
  const model = vm.currentModel.value;
  return (
    <details class="settings">
      <summary>Settings</summary>
      <label>Backend{' '}
        <select data-testid="backend-picker" value={s.backend} onChange={(e) => vm.chooseBackend((e.target as HTMLSelectElement).value as BackendPref)}>
          <option value="auto">auto{choice ? ` (${choice.backend})` : ''}</option>
          {BACKENDS.map((b) => <option value={b} key={b}>{b}</option>)}
        </select>
      </label>
      {choice && <p class="muted small" data-testid="backend-choice">Auto choice: {choice.reason}</p>}
      {model && (
        <p class="muted small">{model.description} {model.params.toLocaleString()} parameters{model.top1ImageNet ? `, ${(model.top1ImageNet * 100).toFixed(1)}% top-1 on ImageNet` : ''}.</p>
      )}
    </details>
  );
}

/** Explain and Layers need a result; Prediction and My classes are always there. */
function Tabs({ vm }: { vm: ViewModel }) {
  const v = vm.view.value;
  if (v.kind === 'starting') return null;
  const result = v.kind === 'result';
  const on = (id: Page) => vm.page.value === id || (id === 'result' && !result && vm.page.value !== 'classes');
  const tab = (id: Page, label: string, extra?: ComponentChildren) => (
    <button type="button" role="tab" aria-selected={on(id)} data-testid={`tab-${id}`} class={on(id) ? 'tab on' : 'tab'} onClick={() => vm.showPage(id)}>{label}{extra}</button>
  );
  return (
    <nav class="tabs" role="tablist">
      {tab('result', 'Prediction')}
      {result && tab('explain', 'Explain')}
      {result && tab('layers', 'Layers')}
      {tab('classes', 'My classes', vm.classes.running.value ? <span class="tab-busy" title="Training…" aria-label="(training)"> ●</span> : null)}
    </nav>
  );
}

export function App({ vm }: { vm: ViewModel }) {
  useEffect(() => { void vm.start(); return () => vm.stop(); }, [vm]);
  const v = vm.view.value;
  const explaining = vm.page.value === 'explain' && v.kind === 'result';
  const layering = vm.page.value === 'layers' && v.kind === 'result';
  const classing = vm.page.value === 'classes';
  const many = (vm.classes.classes.value?.length ?? 0) > 4;
  useEffect(() => { document.body.classList.toggle('wide', (explaining && vm.explain.compare.value) || layering || (classing && many)); });
  return (
    <main>
      <Header vm={vm} />
      {vm.notice.value && <p class="notice">{vm.notice.value}</p>}
      <Tabs vm={vm} />
      {classing ? <ClassesView vm={vm.classes} mode={vm.settings.value.mode} onMode={(m) => void vm.chooseMode(m)} />
        : explaining ? <ExplainView vm={vm.explain} thumbnail={v.state.result.thumbnail} predictions={v.state.result.predictions} />
        : layering ? <LayersView vm={vm.layers} /> : <Body vm={vm} />}
      <Settings vm={vm} />
    </main>
  );
}
