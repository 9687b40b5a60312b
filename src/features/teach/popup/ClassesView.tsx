import { LrFinderPanel, PixelLinearPanel, TrainCurve } from './TrainExtras';
import { download } from '../../../ui/overlay';
// The "My classes" tab: the user's classes with their examples (rename, delete, remove an example, create),
// training with live progress, the last result with its confusion matrix, and the classification mode.
import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { Mode } from '../../classify/contract';
import type { TrainSummary } from '../contract';
import { MIN_EXAMPLES } from '../contract';
import { HIDDEN_UNITS, type ClassRow, type ClassesVm } from './classes-vm';
import './classes.css';

const pct = (p: number) => `${Math.round(p * 100)}%`;
const seconds = (ms: number) => (ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`);
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
/** How many thumbnails a class shows before "Show all". */
const STRIP = 12;

const MODES: { id: Mode; label: string }[] = [
  { id: 'imagenet', label: 'ImageNet classes' },
  { id: 'custom', label: 'My classes' },
  { id: 'both', label: 'Both' },
];

export function ModePicker({ mode, onChange }: { mode: Mode; onChange: (m: Mode) => void }) {
  return (
    <label class="nl-mode">
      <span>Classify with</span>
      <select data-testid="mode-picker" value={mode} onChange={(e) => onChange((e.target as HTMLSelectElement).value as Mode)}>
        {MODES.map((m) => <option value={m.id} key={m.id}>{m.label}</option>)}
      </select>
    </label>
  );
}

/**
 * Moves the keyboard focus to an element of this view once it exists: Preact renders in a microtask, so a task
 * later the element is there (not requestAnimationFrame, which a hidden page never runs).
 */
function focusLater(selector: string) {
  setTimeout(() => (document.querySelector(selector) as HTMLElement | null)?.focus(), 0);
}

function NameEditor({ vm, row }: { vm: ClassesVm; row: ClassRow }) {
  const [draft, setDraft] = useState(row.name);
  const input = useRef<HTMLInputElement>(null);
  // Layout effect: focus and select before the next paint, so keys typed right away are never overwritten.
  useLayoutEffect(() => { input.current?.focus(); input.current?.select(); }, []);
  // Read the field itself: a fast typist's Enter can arrive before the last keystroke's re-render.
  const save = async () => { if (await vm.rename(row.id, input.current?.value ?? draft)) focusLater(`[data-rename="${row.id}"]`); };
  const cancel = () => { vm.cancelEditing(); focusLater(`[data-rename="${row.id}"]`); };
  return (
    <span class="nl-edit">
      <input
        ref={input} data-testid="rename-input" class="nl-input" value={draft} maxLength={60} aria-label={`New name for “${row.name}”`}
        onInput={(e) => setDraft((e.target as HTMLInputElement).value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter') { e.preventDefault(); void save(); }
          if (e.key === 'Escape') { e.preventDefault(); e.stopPropagation(); cancel(); }
        }}
      />
      <button type="button" class="nl-icon" aria-label="Save the name" title="Save (Enter)" onClick={() => void save()}>✓</button>
      <button type="button" class="nl-icon" aria-label="Cancel renaming" title="Cancel (Escape)" onClick={cancel}>✕</button>
    </span>
  );
}

function ClassItem({ vm, row }: { vm: ClassesVm; row: ClassRow }) {
  const [all, setAll] = useState(false);
  const editing = vm.editing.value === row.id;
  const confirming = vm.confirming.value === row.id;
  const shown = all ? row.examples : row.examples.slice(0, STRIP);
  const short = row.count < MIN_EXAMPLES;
  const remove = async (i: number) => {
    // Keep the keyboard where it was: on the next example's ×, else the previous one, else the class's buttons.
    const next = row.examples[i + 1] ?? row.examples[i - 1];
    await vm.deleteExample(row.examples[i]!.id);
    focusLater(next ? `[data-remove="${next.id}"]` : `[data-rename="${row.id}"]`);
  };
  return (
    <li class="nl-class" data-testid="my-class" data-name={row.name} data-count={row.count} data-id={row.id}>
      <div class="nl-class-head">
        {editing ? <NameEditor vm={vm} row={row} /> : (
          <>
            <span class="nl-class-name" title={row.name}>{row.name}</span>
            <span class={short ? 'nl-count short' : 'nl-count'} data-testid="class-count">
              {plural(row.count, 'example')}{short ? ` · needs ${MIN_EXAMPLES - row.count} more` : ''}
            </span>
            <span class="nl-actions">
              <button type="button" class="nl-link" data-rename={row.id} data-testid="rename-class" aria-label={`Rename “${row.name}”`} onClick={() => vm.startEditing(row.id)}>Rename</button>
              <button type="button" class="nl-link danger" data-delete={row.id} data-testid="delete-class" aria-label={`Delete “${row.name}”`} onClick={() => { vm.askDelete(row.id); focusLater(`[data-confirm-cancel="${row.id}"]`); }}>Delete</button>
            </span>
          </>
        )}
      </div>
      {confirming && (
        <div class="nl-confirm" role="alertdialog" aria-label={`Delete “${row.name}”?`}
          onKeyDown={(e) => { if (e.key === 'Escape') { e.stopPropagation(); vm.cancelDelete(); focusLater(`[data-delete="${row.id}"]`); } }}>
          <span>Delete “{row.name}” and its {plural(row.count, 'example')}? This cannot be undone.</span>
          <button type="button" class="nl-btn danger" data-testid="confirm-delete" onClick={() => void vm.deleteClass(row.id)}>Delete</button>
          <button type="button" class="nl-btn" data-confirm-cancel={row.id} onClick={() => { vm.cancelDelete(); focusLater(`[data-delete="${row.id}"]`); }}>Cancel</button>
        </div>
      )}
      {row.examples.length > 0 ? (
        <ul class="nl-strip" aria-label={`Examples of “${row.name}”`}>
          {shown.map((e, i) => (
            <li class="nl-ex" key={e.id} data-testid="example">
              <img src={e.thumbnail} alt={`Example ${i + 1} of “${row.name}”`} width={44} height={44} title={/^https?:/.test(e.url) ? e.url : undefined} />
              <button type="button" class="nl-ex-x" data-remove={e.id} data-testid="remove-example" aria-label={`Remove example ${i + 1} from “${row.name}”`} title="Remove this example" onClick={() => void remove(i)}>×</button>
            </li>
          ))}
          {row.examples.length > STRIP && (
            <li class="nl-more">
              <button type="button" class="nl-btn" aria-expanded={all} onClick={() => setAll(!all)}>{all ? 'Show fewer' : `Show all ${row.examples.length}`}</button>
            </li>
          )}
        </ul>
      ) : <p class="muted small nl-noex">No examples yet.</p>}
    </li>
  );
}

/** Export everything taught as one file; import one (another backbone's or a damaged file is refused, unchanged). */
function ArchiveTools({ vm }: { vm: ClassesVm }) {
  const [msg, setMsg] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const fileRef = useRef<HTMLInputElement>(null);
  const doExport = async () => {
    setBusy(true);
    const r = await vm.exportClasses();
    setBusy(false);
    if (!r.ok) return setMsg({ kind: 'error', text: r.error.message });
    const bytes = Uint8Array.from(atob(r.data), (ch) => ch.charCodeAt(0));
    download(new Blob([bytes], { type: 'application/zip' }), r.filename);
    setMsg({ kind: 'ok', text: `Saved ${r.filename}` });
  };
  const doImport = async (file: File | undefined) => {
    if (!file) return;
    setBusy(true);
    const buf = new Uint8Array(await file.arrayBuffer());
    let b64 = '';
    for (let i = 0; i < buf.length; i += 0x8000) b64 += String.fromCharCode(...buf.subarray(i, i + 0x8000));
    const r = await vm.importClasses(btoa(b64));
    setBusy(false);
    if (fileRef.current) fileRef.current.value = '';
    setMsg(r.ok ? { kind: 'ok', text: `Imported ${r.classes} classes and ${r.examples} examples.` } : { kind: 'error', text: r.error.message });
  };
  return (
    <div class="nl-tools">
      <button type="button" class="nl-btn" data-testid="export-classes" disabled={busy} onClick={() => void doExport()}>Export</button>
      <label class="nl-btn" data-testid="import-classes-label">Import<input ref={fileRef} type="file" accept=".zip,application/zip" data-testid="import-classes" class="sr" disabled={busy} onChange={(e) => void doImport((e.target as HTMLInputElement).files?.[0])} /></label>
      {msg && <p class={msg.kind === 'error' ? 'error small' : 'muted small'} role="status" data-testid="archive-status" data-kind={msg.kind}>{msg.text}</p>}
    </div>
  );
}

function NewClass({ vm }: { vm: ClassesVm }) {
  const [name, setName] = useState('');
  const field = useRef<HTMLInputElement>(null);
  // The name is read from the field itself, and cleared only if it still holds that name: the new class's row
  // can appear before the create call returns, and a next name typed meanwhile must not be wiped.
  const submit = async () => {
    const submitted = field.current?.value ?? name;
    if (await vm.createClass(submitted)) setName((now) => (now === submitted ? '' : now));
  };
  return (
    <form class="nl-new" onSubmit={(e) => { e.preventDefault(); void submit(); }}>
      <input
        ref={field}
        class="nl-input" data-testid="new-class-input" value={name} maxLength={60} placeholder="New class name" aria-label="New class name"
        onInput={(e) => setName((e.target as HTMLInputElement).value)}
      />
      <button type="submit" class="nl-btn" data-testid="new-class-button">Add class</button>
    </form>
  );
}

function Confusion({ s }: { s: TrainSummary }) {
  return (
    <div class="nl-matrix-wrap">
      <table class="nl-matrix" data-testid="confusion">
        <caption class="sr">Confusion matrix on the validation examples: rows are the true class, columns the predicted class.</caption>
        <thead>
          <tr aria-hidden="true"><td class="nl-blank" /><th colSpan={s.classNames.length} class="nl-axis">predicted →</th></tr>
          <tr>
            <th scope="col" class="nl-axis">true ↓</th>
            {s.classNames.map((n, j) => <th scope="col" key={j} title={n}>{n}</th>)}
          </tr>
        </thead>
        <tbody>
          {s.confusion.map((row, i) => {
            const total = row.reduce((a, b) => a + b, 0) || 1;
            return (
              <tr key={i}>
                <th scope="row" title={s.classNames[i]}>{s.classNames[i]}</th>
                {row.map((v, j) => (
                  <td key={j} class={i === j ? 'diag' : v ? 'miss' : ''} style={v ? { background: i === j ? `rgba(67, 56, 202, ${(0.12 + 0.5 * (v / total)).toFixed(2)})` : `rgba(185, 28, 28, ${(0.1 + 0.45 * (v / total)).toFixed(2)})` } : undefined}
                    aria-label={`${v} “${s.classNames[i]}” predicted as “${s.classNames[j]}”`}>{v}</td>
                ))}
              </tr>
            );
          })}
        </tbody>
      </table>
      <p class="muted small nl-matrix-note">Confusion matrix on the held-out validation examples ({s.confusion.flat().reduce((a, b) => a + b, 0)}): the diagonal counts the right answers.</p>
    </div>
  );
}

function Training({ vm, mode, onMode }: { vm: ClassesVm; mode: Mode; onMode: (m: Mode) => void }) {
  const t = vm.training.value;
  const ready = vm.readiness.value;
  const running = vm.running.value;
  const head = vm.head.value;
  return (
    <section class="nl-train" aria-labelledby="nl-train-h">
      <h2 id="nl-train-h">Train</h2>
      <div class="nl-train-row">
        <button type="button" class="nl-primary" data-testid="train-button" disabled={!vm.canTrain.value} aria-describedby="nl-train-why" onClick={() => void vm.train(vm.extras.learningRate.value ?? undefined)}>
          {running || vm.starting.value ? 'Training…' : head ? 'Train again' : 'Train'}
        </button>
        <label class="nl-check" title="A hidden layer can learn subtler differences but needs more examples.">
          <input type="checkbox" data-testid="hidden-layer" checked={vm.hidden.value} disabled={running} onChange={(e) => vm.setHidden((e.target as HTMLInputElement).checked)} />
          Hidden layer ({HIDDEN_UNITS} units)
        </label>
        {running && <button type="button" data-testid="train-cancel" onClick={() => void vm.cancelTraining()}>Cancel</button>}
      </div>
      <p id="nl-train-why" class={ready.ok ? 'muted small' : 'nl-why small'} data-testid={ready.ok ? 'train-ready' : 'train-blocked'}>
        {ready.ok
          ? `Ready: ${plural(ready.classes, 'class', 'classes')}, ${plural(ready.examples, 'example')}.${ready.skipped.length ? ` Left out (no examples): ${ready.skipped.map((n) => `“${n}”`).join(', ')}.` : ''}`
          : ready.message}
      </p>
      {vm.trainError.value && <p class="error" role="alert" data-testid="train-error">{vm.trainError.value}</p>}
      {t?.status === 'running' && (
        <div class="nl-progress" data-testid="train-progress" data-phase={t.phase} data-epoch={t.epoch ?? 0} data-val-acc={t.valAccuracy ?? ''} aria-live="polite">
          <p class="small">
            {t.phase === 'embedding'
              ? <>Step 1 of 2: <strong>embedding your images</strong> ({pct(t.progress)})</>
              : <>Step 2 of 2: <strong>training, epoch {t.epoch ?? 0}</strong>
                {t.loss !== undefined && <> · loss {t.loss.toFixed(3)}</>}
                {t.valAccuracy !== undefined && <> · validation accuracy {pct(t.valAccuracy)}</>}</>}
          </p>
          <div class="progress" role="progressbar" aria-label={t.phase === 'embedding' ? 'Embedding images' : 'Training'} aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(t.progress * 100)}>
            <div style={{ width: `${Math.round(t.progress * 100)}%` }} />
          </div>
          {t.phase === 'training' && <p class="muted small">Up to 80 epochs; it stops early once validation stops improving. You can close the popup: training goes on.</p>}
          {vm.stale.value && <p class="nl-why small">No news from training for a minute: it may have stopped. You can start it again.</p>}
        </div>
      )}
      {t?.status === 'error' && <p class="error" role="alert" data-testid="train-error">Training failed: {t.error ?? 'unknown error'}</p>}
      {t?.status === 'cancelled' && <p class="muted" role="status" data-testid="train-cancelled">Training cancelled.{head ? ' The previous training is still in use.' : ''}</p>}
      {t?.status === 'done' && t.summary && (
        <div class="nl-result" data-testid="train-result" data-val-acc={t.summary.valAccuracy}>
          <p class="nl-score"><span class="nl-big">{pct(t.summary.valAccuracy)}</span> validation accuracy</p>
          <p class="muted small">{plural(t.summary.examples, 'example')} · {plural(t.summary.epochs, 'epoch')} · {seconds(t.summary.ms)} (embedding {seconds(t.summary.embedMs)})</p>
          <Confusion s={t.summary} />
        </div>
      )}
      {(t?.status === 'running' || t?.status === 'done') && (t.history?.length ?? 0) > 0 && <TrainCurve history={t.history!} />}
      {head && !(t?.status === 'done' && t.summary) && t?.status !== 'running' && (
        <p class="muted small" data-testid="head-info">
          Last trained {new Date(head.trainedAt).toLocaleString()} on {plural(head.examples, 'example')} ({head.classNames.map((n) => `“${n}”`).join(', ')}): {pct(head.valAccuracy)} validation accuracy.
        </p>
      )}
      {vm.headStale.value && !running && <p class="nl-why small" data-testid="head-stale">Your classes changed since the last training: train again to use them.</p>}
      <div class="nl-mode-row">
        <ModePicker mode={mode} onChange={onMode} />
        <span class="muted small">{mode === 'imagenet' ? 'Your classes are not used.' : mode === 'custom' ? 'Only your classes.' : 'ImageNet and your classes.'}</span>
      </div>
      <div class="nl-extras">
        <LrFinderPanel vm={vm.extras} disabled={!vm.readiness.value.ok || vm.running.value} />
        <PixelLinearPanel vm={vm.extras} disabled={!vm.readiness.value.ok} />
      </div>
    </section>
  );
}

export function ClassesView({ vm, mode, onMode }: { vm: ClassesVm; mode: Mode; onMode: (m: Mode) => void }) {
  const list = vm.classes.value;
  const status = vm.teachStatus.value;
  return (
    <section class="nl-classes" data-testid="classes">
      {status && (
        <p class={status.kind === 'error' ? 'nl-status error' : 'nl-status'} role="status" data-testid="teach-status" data-kind={status.kind}>
          {status.kind === 'added' ? '✓ ' : ''}{status.message}
        </p>
      )}
      <p class="nl-how">To add examples: <strong>right-click any image → Add to NetLens class ▸</strong> and pick a class (or “New class…”).</p>
      <div class="nl-list-head">
        <h2>My classes{list ? <span class="muted"> ({list.length})</span> : null}</h2>
        <ArchiveTools vm={vm} />
      </div>
      {vm.listError.value && (
        <div role="alert"><p class="error">{vm.listError.value}</p><button type="button" class="link" onClick={() => void vm.refresh()}>Try again</button></div>
      )}
      {vm.error.value && <p class="error" role="alert" data-testid="classes-error">{vm.error.value}</p>}
      {list === null && !vm.listError.value && <p class="muted small">Reading your classes…</p>}
      {list?.length === 0 && <p class="muted small" data-testid="no-classes">No classes yet. Create one below, or right-click an image and choose “New class…”.</p>}
      {list && list.length > 0 && <ul class="nl-class-list">{list.map((row) => <ClassItem key={row.id} vm={vm} row={row} />)}</ul>}
      <NewClass vm={vm} />
      <Training vm={vm} mode={mode} onMode={onMode} />
    </section>
  );
}
