// What a class looks like: the class's score maximised from noise, four seeds side by side, each with the
// score it started and ended at and what the model itself calls the result.
import type { ClassifyResult } from '../../classify/contract';
import { fmt } from '../../lens/popup/draw';
import { CLASS_VIS_STEPS, type LooksVm } from './looks-vm';

export function ClassVisPanel({ vm, result, labels, customNames }: { vm: LooksVm; result: ClassifyResult; labels: readonly string[]; customNames: readonly string[] }) {
  const k = vm.classIndex.value ?? result.predictions[0]?.index ?? 0;
  const head = vm.head.value;
  const names = head === 'custom' ? customNames : labels;
  const options = head === 'custom' ? customNames.map((_, i) => i) : [...new Set([k, ...result.predictions.map((p) => p.index)])];
  const seeds = vm.seeds.value;
  const done = seeds.filter((s) => s.vis);
  const wins = done.filter((s) => s.vis!.won).length;
  return (
    <section class="looks-block">
      <h2>What a class looks like</h2>
      <p class="lens-question">Answers: <em>How can we see what the network learned a “{(names[k] ?? `class ${k}`).split(',')[0]}” is?</em></p>
      <p>Start from noise and change the picture, step by step, in whatever direction raises the class's score (before softmax) — the same gradient the explanations use, now with respect to the image. What appears is what the network looks for when it says this class: typical textures and parts, often repeated, rarely a whole object. Four different starting noises show how varied its idea is.</p>
      <div class="lens-controls">
        {customNames.length > 0 && (
          <label>Classes <select value={head} data-testid="class-vis-head" onChange={(e) => vm.chooseClass(0, (e.target as HTMLSelectElement).value as 'imagenet' | 'custom')}>
            <option value="imagenet">ImageNet’s</option><option value="custom">My classes</option>
          </select></label>
        )}
        <label>Class <select value={k} data-testid="class-vis-class" onChange={(e) => vm.chooseClass(Number((e.target as HTMLSelectElement).value))}>
          {options.map((i) => <option key={i} value={i}>{names[i] ?? `class ${i}`}</option>)}
        </select></label>
        {head === 'imagenet' && <label>or number <input type="number" min={0} max={labels.length - 1} value={k} onChange={(e) => { const i = Number((e.target as HTMLInputElement).value); if (i >= 0 && i < labels.length) vm.chooseClass(i); }} /></label>}
        {vm.running.value
          ? <button type="button" data-testid="class-vis-cancel" onClick={() => void vm.cancel()}>Cancel</button>
          : <button type="button" data-testid="class-vis-start" onClick={() => void vm.visualise()}>Visualise ({CLASS_VIS_STEPS} steps × 4 seeds)</button>}
      </div>
      {seeds.length > 0 && (
        <>
          <ol class="looks-classvis">
            {seeds.map((s) => (
              <li key={s.jobId} data-testid="class-vis" data-class-index={k} data-seed={s.seed} data-ready={String(Boolean(s.vis))}
                data-start-score={s.vis?.startScore ?? ''} data-final-score={s.vis?.finalScore ?? ''} data-won={s.vis ? String(s.vis.won) : ''}>
                {s.vis ? <img src={s.vis.image} alt={`seed ${s.seed}: what the network thinks ${s.vis.className} looks like`} />
                  : <div class="looks-wait" aria-live="polite">{s.status === 'running' ? `${Math.round(s.progress * 100)} %` : s.status === 'error' ? s.error : s.status}</div>}
                <span class="small">seed {s.seed}{s.vis ? `: score ${fmt(s.vis.startScore, 2)} → ${fmt(s.vis.finalScore, 2)}${s.vis.cached ? ' (cached)' : ''}` : ''}</span>
                {s.vis && <span class="small">{s.vis.won ? '✓ the model calls it' : 'the model calls it'} “{s.vis.top.className.split(',')[0]}” ({(s.vis.top.prob * 100).toFixed(0)} %)</span>}
              </li>
            ))}
          </ol>
          {done.length === seeds.length && <p data-testid="class-vis-summary" data-wins={wins}>The class is the model's own top answer for {wins} of {seeds.length} of its pictures.</p>}
        </>
      )}
    </section>
  );
}
