import type { ComponentChildren } from 'preact';
import { useEffect, useLayoutEffect } from 'preact/hooks';
import { BACKENDS, type BackendPref } from '../shared/protocol';
import type { Page, ViewModel } from './viewmodel';
import { ExplainView } from '../features/explain/popup/ExplainView';
import { LayersView } from '../features/layers/popup/LayersView';
import { ClassesView } from '../features/teach/popup/ClassesView';
import { PredictionView } from '../features/classify/popup/PredictionView';
import { SiteAccess } from './SiteAccess';

function Header({ vm }: { vm: ViewModel }) {
  const s = vm.settings.value;
  return (
    <header class="bar">
      <h1 class="brand"><img src="/icons/icon-32.png" alt="" width={20} height={20} /> NetLens</h1>
      <label class="picker">
        <span class="sr">Model</span>
        <select data-testid="model-picker" value={s.modelId} onChange={(e) => vm.chooseModel((e.target as HTMLSelectElement).value)}>
          {vm.models.map((m) => <option value={m.id} key={m.id}>{m.name}</option>)}
        </select>
      </label>
    </header>
  );
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
      <p><button type="button" class="link" data-testid="open-options" onClick={() => void chrome.runtime.openOptionsPage()}>All options…</button></p>
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
  // Before the first paint, not after it: the stored answer is read a frame sooner.
  useLayoutEffect(() => { void vm.start(); return () => vm.stop(); }, [vm]);
  const v = vm.view.value;
  const explaining = vm.page.value === 'explain' && v.kind === 'result';
  const layering = vm.page.value === 'layers' && v.kind === 'result';
  const classing = vm.page.value === 'classes';
  const many = (vm.classes.classes.value?.length ?? 0) > 4;
  useEffect(() => { document.body.classList.toggle('wide', (explaining && vm.explain.compare.value) || layering || (classing && many)); });
  return (
    <main>
      <Header vm={vm} />
      <SiteAccess />
      {vm.notice.value && <p class="notice">{vm.notice.value}</p>}
      <Tabs vm={vm} />
      {classing ? <ClassesView vm={vm.classes} mode={vm.settings.value.mode} onMode={(m) => void vm.chooseMode(m)} />
        : explaining ? <ExplainView vm={vm.explain} thumbnail={v.state.result.thumbnail} predictions={v.state.result.predictions} />
        : layering ? <LayersView vm={vm.layers} /> : <PredictionView vm={vm} />}
      <Settings vm={vm} />
    </main>
  );
}
