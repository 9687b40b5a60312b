// The Prediction view: what the model answered for the image (or why it could not), with its top classes.
import { useEffect } from 'preact/hooks';
import type { ClassifyResult, Prediction } from '../contract';
import type { ViewModel } from '../../../popup/viewmodel';
import { ModePicker } from '../../teach/popup/ClassesView';

export const pct = (p: number) => (p >= 0.995 ? '100' : (p * 100).toFixed(p < 0.1 ? 1 : 0)) + '%';

export function Progress({ value }: { value: number | null }) {
  return value === null
    ? <div class="progress indeterminate" role="progressbar" aria-label="working"><div /></div>
    : <div class="progress" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(value * 100)}><div style={{ width: `${Math.round(value * 100)}%` }} /></div>;
}

function PredictionList({ predictions, custom, onLooks }: { predictions: Prediction[]; custom?: boolean; onLooks?: (classIndex: number) => void }) {
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
            <span class="name">{p.className}{onLooks && <button type="button" class="link small nl-looks" data-testid="looks-like" aria-label={`What does the network think “${p.className}” looks like?`} onClick={() => onLooks(p.index)}>looks like?</button>}</span>
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
  // "What does it look like?" opens the Lens on the class; inside the Lens, its own track is one click away.
  const looks = location.pathname.includes('/lens/') ? undefined : (i: number) => void vm.openLens(i);
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
      {mode === 'imagenet' && <PredictionList predictions={r.predictions} onLooks={looks} />}
      {mode === 'custom' && mine}
      {mode === 'both' && (
        <>
          <div class="nl-pred-head"><h3>My classes</h3>{custom && <span class="muted small">{pct(custom.valAccuracy)} validation accuracy</span>}</div>
          {mine}
          <div class="nl-pred-head"><h3>ImageNet</h3></div>
          <PredictionList predictions={r.predictions} onLooks={looks} />
        </>
      )}
    </>
  );
}

/**
 * Marks (User Timing) when an answer is on screen, so that "menu click → answer seen" can be measured from outside
 * (the benchmark reads the mark); Preact runs effects after the frame is painted.
 */
function ShownMark({ requestId }: { requestId: string }) {
  useEffect(() => { performance.mark('netlens:answer-shown', { detail: requestId }); }, [requestId]);
  return null;
}

export function PredictionView({ vm }: { vm: ViewModel }) {
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
          <ShownMark requestId={r.requestId} />
          <div class="result-head">
            <img data-testid="thumbnail" class="thumb" src={r.thumbnail} alt={`The classified image (${r.image.originalWidth}×${r.image.originalHeight})`} />
            <div>
              <div class="verdict">{top ? top.className.split(',')[0] : '—'}</div>
              <div class="muted small">{top ? `${pct(top.prob)} sure` : ''}{r.mode === 'both' ? ' (ImageNet)' : r.mode === 'custom' && custom ? ' (my classes)' : ''} · from {r.source.kind.replace('-', ' ')}</div>
            </div>
          </div>
          <Predictions vm={vm} r={r} />
          {!location.pathname.includes('/lens/') && (
            <p><button type="button" class="nl-open-lens" data-testid="open-lens" onClick={() => void vm.openLens()}>Open in a tab</button> <span class="muted small">— the Lens: follow the image through the network, step by step</span></p>
          )}
          <dl class="meta">
            <dt>Model</dt><dd data-testid="model" data-model-id={r.modelId}>{r.modelName}</dd>
            <dt>Backend</dt><dd data-testid="backend" data-backend={r.backend} title={r.backendReason}>{r.backend}{r.threads && r.threads > 1 ? <span data-testid="threads" data-threads={r.threads}> · {r.threads} threads</span> : ''} <span class="muted small">— {r.backendReason}</span></dd>
            <dt>Time</dt><dd><span data-testid="elapsed-ms" data-ms={r.elapsedMs}>{Math.round(r.elapsedMs)} ms</span> <span class="muted small">({r.totalMs} ms with download and decoding)</span></dd>
          </dl>
        </section>
      );
    }
  }
}
