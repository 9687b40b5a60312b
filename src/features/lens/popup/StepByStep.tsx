// The Step by step track: every stage of the model's computation in order, reachable by keyboard
// (← / → between stages, Tab within one), each opening with its numbers.
import { useEffect, useRef } from 'preact/hooks';
import type { Stage } from '../contract';
import { DenseStage, GlobalPoolStage, SoftmaxStage } from './EndStages';
import { FieldStage } from './FieldStage';
import { PixelsStage } from './PixelsStage';
import { WindowStage } from './WindowStage';
import type { LensVm } from './lens-vm';

const KIND_LABEL: Record<Stage['kind'], string> = {
  pixels: 'Pixels', conv: 'Convolution', depthwise: 'Depthwise', pointwise: 'Pointwise', pool: 'Pooling',
  'receptive-field': 'Receptive field', 'global-pool': 'Global pool', dense: 'Class score', softmax: 'Softmax',
};

function Body({ vm, stage }: { vm: LensVm; stage: Stage }) {
  const track = vm.track.value!;
  switch (stage.kind) {
    case 'pixels': return <PixelsStage vm={vm} track={track} />;
    case 'conv': case 'depthwise': case 'pointwise': case 'pool': return <WindowStage key={stage.layer} vm={vm} stage={stage} />;
    case 'receptive-field': return <FieldStage vm={vm} track={track} />;
    case 'global-pool': return <GlobalPoolStage vm={vm} />;
    case 'dense': return <DenseStage vm={vm} track={track} />;
    case 'softmax': return <SoftmaxStage vm={vm} />;
  }
}

export function StepByStep({ vm }: { vm: LensVm }) {
  const track = vm.track.value;
  const i = vm.index.value;
  const stage = vm.stage.value;
  const st = vm.current.value;
  const panel = useRef<HTMLElement>(null);
  const nav = useRef<HTMLOListElement>(null);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement;
      if (/^(INPUT|SELECT|TEXTAREA)$/.test(t.tagName) || e.altKey || e.ctrlKey || e.metaKey) return;
      if (e.key === 'ArrowRight') { e.preventDefault(); vm.next(); }
      if (e.key === 'ArrowLeft') { e.preventDefault(); vm.prev(); }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [vm]);
  useEffect(() => {
    nav.current?.querySelector('[aria-current=step]')?.scrollIntoView({ block: 'nearest', inline: 'nearest' });
  }, [i]);
  useEffect(() => { if (st?.data && !st.loading && stage?.kind !== 'pixels') vm.drawn(); }, [st?.data]);
  if (!track || !stage) return <p class="muted" data-testid="lens-status" data-status="loading">Reading the model's layers…</p>;
  return (
    <div class="lens-steps">
      <nav aria-label="stages of the computation" class="lens-nav">
        <ol ref={nav}>
          {track.stages.map((s, k) => (
            <li key={k}>
              <button type="button" data-testid="stage-link" data-index={k} aria-current={k === i ? 'step' : undefined} onClick={() => { vm.go(k); panel.current?.focus(); }}>
                <span class="n">{k + 1}</span> {KIND_LABEL[s.kind]} <span class="small muted">{s.kind === 'pixels' || s.kind === 'softmax' ? '' : s.layer}</span>
              </button>
            </li>
          ))}
        </ol>
      </nav>
      <section ref={panel} tabIndex={-1} class="lens-stage" data-testid="lens-stage" data-kind={stage.kind} data-layer={stage.layer} data-index={i}
        data-state={st?.loading ? 'loading' : st?.error ? 'error' : st?.data || stage.kind === 'pixels' ? 'ready' : 'loading'} data-ms={st?.ms ?? ''} aria-labelledby="lens-stage-title">
        <header class="lens-stage-head">
          <h2 id="lens-stage-title">{i + 1}. {stage.title}</h2>
          <span class="muted small">{stage.inShape.join('×')} → {stage.outShape.join('×')}{st?.ms != null ? ` · numbers in ${st.ms} ms` : ''}</span>
        </header>
        {st?.error && <p class="error" role="alert" data-testid="stage-error" data-code={st.error.code}>{st.error.message}</p>}
        <Body vm={vm} stage={stage} />
        <footer class="lens-stage-foot">
          <button type="button" data-testid="stage-prev" disabled={i === 0} onClick={() => vm.prev()}>← Previous</button>
          <span class="muted small">Stage {i + 1} of {track.stages.length} · ← and → move between stages</span>
          <button type="button" data-testid="stage-next" disabled={i === track.stages.length - 1} onClick={() => vm.next()}>Next →</button>
        </footer>
      </section>
    </div>
  );
}
