// The Lens page: one result at full size. Step by step (the default) walks the image through the real network;
// the other tracks are the popup's own views (the same components), given the room of a page.
import { useEffect } from 'preact/hooks';
import { ExplainView } from '../../explain/popup/ExplainView';
import { LayersView } from '../../layers/popup/LayersView';
import { ClassesView } from '../../teach/popup/ClassesView';
import { PredictionView, Progress } from '../../classify/popup/PredictionView';
import { StepByStep } from './StepByStep';
import { LooksTrack } from '../../looks/popup/LooksTrack';
import type { LooksVm } from '../../looks/popup/looks-vm';
import type { LensView, LensVm } from './lens-vm';

const TRACKS: [LensView, string][] = [['steps', 'Step by step'], ['looks', 'What it looks for'], ['result', 'Prediction'], ['explain', 'Explain'], ['layers', 'Layers'], ['classes', 'My classes']];

export function LensApp({ vm, lens, looks }: { vm: LensVm['app']; lens: LensVm; looks: LooksVm }) {
  useEffect(() => { void lens.start(); return () => lens.stop(); }, [lens]);
  const v = vm.view.value;
  const r = lens.result.value;
  const top = r?.predictions[0];
  useEffect(() => { document.title = top ? `NetLens — ${top.className.split(',')[0]}` : 'NetLens — the Lens'; }, [top?.className]);
  const track = lens.view.value;
  return (
    <div class="lens-page" data-testid="lens-page" data-first-stage-ms={lens.firstStageMs.value ?? ''}>
      <header class="bar lens-bar">
        <h1 class="brand lens-brand"><img src="/icons/icon-32.png" alt="" width={20} height={20} /> NetLens · the Lens</h1>
        {r && (
          <div class="lens-result" data-testid="lens-result" data-request-id={r.requestId} data-model-id={r.modelId}>
            <img src={r.thumbnail} alt="the image" width={36} height={36} />
            <span><strong>{top?.className.split(',')[0]}</strong> {top ? `${(top.prob * 100).toFixed(1)}%` : ''} · {r.modelName}</span>
          </div>
        )}
      </header>
      {v.kind !== 'result' && (
        <main class="lens-main">
          {v.kind === 'loading' && <section data-testid="lens-status" data-status="loading" aria-live="polite"><p>{v.message}</p><Progress value={v.progress} /></section>}
          {v.kind === 'error' && <section data-testid="lens-status" data-status="error" role="alert"><p class="error" data-code={v.error.code}>{v.error.message}</p></section>}
          {(v.kind === 'empty' || v.kind === 'starting') && (
            <section data-testid="lens-status" data-status={v.kind}>
              <p class="muted">{v.kind === 'starting' ? 'Starting…' : 'NetLens no longer keeps this result (it keeps the last 20 in this browser session). Right-click the image and choose “Look inside with NetLens” again.'}</p>
            </section>
          )}
        </main>
      )}
      {v.kind === 'result' && (
        <>
          <nav class="tabs lens-tracks" aria-label="tracks">
            <div role="tablist" class="lens-tablist">
              {TRACKS.map(([id, label]) => (
                <button key={id} type="button" role="tab" aria-selected={track === id} data-testid={`track-${id}`} class={track === id ? 'tab on' : 'tab'} onClick={() => lens.show(id)}>{label}</button>
              ))}
            </div>
          </nav>
          <main class="lens-main">
            {lens.trackError.value && <p class="error" role="alert" data-testid="lens-error">{lens.trackError.value.message}</p>}
            {track === 'steps' && <StepByStep vm={lens} />}
            {track === 'looks' && <LooksTrack lens={lens} vm={looks} customNames={vm.classes.head.value?.classNames ?? []} />}
            {track === 'result' && <PredictionView vm={vm} />}
            {track === 'explain' && <ExplainView vm={vm.explain} thumbnail={v.state.result.thumbnail} predictions={v.state.result.predictions} />}
            {track === 'layers' && <LayersView vm={vm.layers} />}
            {track === 'classes' && <ClassesView vm={vm.classes} mode={vm.settings.value.mode} onMode={(m) => void vm.chooseMode(m)} />}
          </main>
        </>
      )}
    </div>
  );
}
