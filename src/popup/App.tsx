import { useEffect } from 'preact/hooks';
import { BACKENDS, type BackendPref } from '../shared/messages';
import type { ViewModel } from './viewmodel';
import { ExplainView } from './ExplainView';
import { LayersView } from './layers/LayersView';

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
      const top = r.predictions[0];
      return (
        <section data-testid="status" data-status="done">
          <div class="result-head">
            <img data-testid="thumbnail" class="thumb" src={r.thumbnail} alt={`The classified image (${r.image.originalWidth}×${r.image.originalHeight})`} />
            <div>
              <div class="verdict">{top ? top.className.split(',')[0] : '—'}</div>
              <div class="muted small">{top ? `${pct(top.prob)} sure` : ''} · from {r.source.kind.replace('-', ' ')}</div>
            </div>
          </div>
          <ol class="preds">
            {r.predictions.map((p) => (
              <li data-testid="prediction" data-class-index={p.index} data-class-name={p.className} data-prob={p.prob} key={p.index} title={`class #${p.index}`}>
                <span class="name">{p.className}</span>
                <span class="pct">{pct(p.prob)}</span>
                <span class="barwrap"><span class="bar-fill" style={{ width: `${Math.max(0.5, p.prob * 100)}%` }} /></span>
              </li>
            ))}
          </ol>
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

function Tabs({ vm }: { vm: ViewModel }) {
  const v = vm.view.value;
  if (v.kind !== 'result') return null;
  const tab = (id: 'result' | 'explain' | 'layers', label: string) => (
    <button type="button" role="tab" aria-selected={vm.page.value === id} data-testid={`tab-${id}`} class={vm.page.value === id ? 'tab on' : 'tab'} onClick={() => vm.showPage(id)}>{label}</button>
  );
  return <nav class="tabs" role="tablist">{tab('result', 'Prediction')}{tab('explain', 'Explain')}{tab('layers', 'Layers')}</nav>;
}

export function App({ vm }: { vm: ViewModel }) {
  useEffect(() => { void vm.start(); return () => vm.stop(); }, [vm]);
  const v = vm.view.value;
  const explaining = vm.page.value === 'explain' && v.kind === 'result';
  const layering = vm.page.value === 'layers' && v.kind === 'result';
  useEffect(() => { document.body.classList.toggle('wide', (explaining && vm.explain.compare.value) || layering); });
  return (
    <main>
      <Header vm={vm} />
      {vm.notice.value && <p class="notice">{vm.notice.value}</p>}
      <Tabs vm={vm} />
      {explaining ? <ExplainView vm={vm.explain} thumbnail={v.state.result.thumbnail} predictions={v.state.result.predictions} />
        : layering ? <LayersView vm={vm.layers} /> : <Body vm={vm} />}
      <Settings vm={vm} />
    </main>
  );
}
