// The options page: the defaults, the theme, what NetLens keeps and how big it is, and the ways to clear it,
// export it, or delete everything.
import { useEffect, useState } from 'preact/hooks';
import { classifierModels } from '../../shared/catalog';
import { BACKENDS } from '../../shared/protocol';
import { THEMES, type Settings } from '../../shared/settings';
import { MAX_WASM_THREADS, resolveWasmThreads } from '../../shared/threads';
import { download } from '../../ui/overlay';
import type { OptionsVm } from './options-vm';

const kb = (b: number) => (b >= 1048576 ? `${(b / 1048576).toFixed(1)} MB` : `${Math.max(1, Math.round(b / 1024))} kB`);
const STORE_LABEL: Record<string, string> = { classes: 'your classes', examples: 'examples (thumbnails + embeddings)', heads: 'trained heads (info)', featureVis: 'feature and class pictures (cache)', seen: 'remembered images' };

export function OptionsView({ vm }: { vm: OptionsVm }) {
  useEffect(() => { void vm.load(); }, []);
  const s = vm.settings.value;
  const [confirm, setConfirm] = useState(0);
  const set = (patch: Partial<Settings>) => void vm.save(patch);
  if (!s) return <main class="options"><p>Loading…</p></main>;
  return (
    <main class="options" data-testid="options">
      <h1><img src="/icons/icon-32.png" alt="" width={24} height={24} /> NetLens options</h1>
      {vm.notice.value && <p class="notice" role="status" data-testid="options-notice">{vm.notice.value}</p>}
      <section aria-labelledby="o-defaults">
        <h2 id="o-defaults">Defaults</h2>
        <label>Model <select data-testid="opt-model" value={s.modelId} onChange={(e) => set({ modelId: (e.target as HTMLSelectElement).value })}>{classifierModels().map((m) => <option key={m.id} value={m.id}>{m.name}</option>)}</select></label>
        <label>Backend <select data-testid="opt-backend" value={s.backend} onChange={(e) => set({ backend: (e.target as HTMLSelectElement).value as Settings['backend'] })}><option value="auto">auto (measured once per browser)</option>{BACKENDS.map((b) => <option key={b} value={b}>{b}</option>)}</select></label>
        <label>WebAssembly threads <select data-testid="opt-threads" value={String(s.wasmThreads)} onChange={(e) => set({ wasmThreads: Number((e.target as HTMLSelectElement).value) })}>
          <option value="0">automatic: {resolveWasmThreads(0)} (one less than this computer’s {navigator.hardwareConcurrency || 1} cores, at least 2 where there are 2, at most {MAX_WASM_THREADS})</option>
          {[1, 2, 4, 8, 16].map((n) => <option key={n} value={String(n)}>{n === 1 ? '1 (no threads)' : n}</option>)}
        </select> <span class="muted small">for the wasm backend; the model reloads when this changes</span></label>
        <label>Classes to answer with <select data-testid="opt-mode" value={s.mode} onChange={(e) => set({ mode: (e.target as HTMLSelectElement).value as Settings['mode'] })}><option value="imagenet">ImageNet’s</option><option value="custom">My classes</option><option value="both">both</option></select></label>
        <label>Theme <select data-testid="opt-theme" value={s.theme} onChange={(e) => set({ theme: (e.target as HTMLSelectElement).value as Settings['theme'] })}>{THEMES.map((t) => <option key={t} value={t}>{t === 'system' ? 'follow the system' : t}</option>)}</select></label>
        <p><button type="button" data-testid="opt-reset-toggles" onClick={() => void vm.resetToggles()}>Reset the layer toggles</button> <span class="muted small">back to each model’s defaults</span></p>
      </section>
      <section aria-labelledby="o-kept">
        <h2 id="o-kept">What NetLens keeps on this computer</h2>
        <label>Remember up to <input type="number" min={0} max={5000} value={s.seenCap} data-testid="opt-seen-cap" onChange={(e) => set({ seenCap: Math.max(0, Math.min(5000, Math.round(Number((e.target as HTMLInputElement).value) || 0))) })} /> classified images (for “images that excite a channel”; 0 keeps none)</label>
        <table class="usage" data-testid="opt-usage" data-total={vm.estimate.value?.usage ?? ''}>
          <thead><tr><th>what</th><th>records</th><th>size</th><th><span class="sr">actions</span></th></tr></thead>
          <tbody>
            {vm.usage.value.map((u) => (
              <tr key={u.store} data-store={u.store} data-records={u.records}>
                <td>{STORE_LABEL[u.store] ?? u.store}</td><td>{u.records}</td><td>{kb(u.bytes)}</td>
                <td>{u.store === 'seen' && <button type="button" data-testid="opt-clear-seen" onClick={() => void vm.clearSeen()}>Clear</button>}
                  {u.store === 'featureVis' && <button type="button" data-testid="opt-clear-vis" onClick={() => void vm.clearVis()}>Clear</button>}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {vm.estimate.value && <p class="small muted">In all, the browser counts {kb(vm.estimate.value.usage)} used by NetLens (model weights are part of the extension itself, not of this).</p>}
        <p><button type="button" data-testid="opt-export" onClick={async () => { const r = await vm.exportClasses(); if (r) download(r.blob, r.filename); }}>Export your classes and head (.zip)</button></p>
      </section>
      <section aria-labelledby="o-delete" class="danger">
        <h2 id="o-delete">Delete all NetLens data</h2>
        <p>Your classes, examples, trained heads, remembered images, cached pictures and settings. This cannot be undone: export your classes first if you want to keep them.</p>
        {confirm === 0 && <button type="button" data-testid="opt-delete" onClick={() => setConfirm(1)}>Delete all NetLens data…</button>}
        {confirm === 1 && <p role="alert">Really delete everything? <button type="button" data-testid="opt-delete-confirm" onClick={() => setConfirm(2)}>Yes, delete</button> <button type="button" onClick={() => setConfirm(0)}>Keep it</button></p>}
        {confirm === 2 && <p role="alert">Last chance: everything NetLens keeps will be gone. <button type="button" data-testid="opt-delete-final" onClick={async () => { await vm.deleteAll(); setConfirm(0); }}>Delete it all now</button> <button type="button" onClick={() => setConfirm(0)}>Cancel</button></p>}
      </section>
    </main>
  );
}
