// The options page's state: settings (saved at once), storage used per store, and the clearing actions.
import { signal, type ReadonlySignal } from '@preact/signals';
import browser from 'webextension-polyfill';
import { clearSeen, clearVisCache, deleteAllDatabases, storeUsage } from '../../shared/db';
import { checkReply } from '../../shared/messages';
import { loadSettings, saveSettings, type Settings } from '../../shared/settings';
import { layerTogglesItem, write } from '../../shared/storage';
import { base64ToBytes } from '../../shared/codecs';
import { applyTheme } from '../../ui/theme';

export function createOptionsVm() {
  const settings = signal<Settings | null>(null);
  const usage = signal<{ store: string; records: number; bytes: number }[]>([]);
  const estimate = signal<{ usage: number; quota: number } | null>(null);
  const notice = signal<string | null>(null);
  const refresh = async () => {
    usage.value = await storeUsage().catch(() => []);
    const e = await navigator.storage?.estimate?.().catch(() => null);
    estimate.value = e ? { usage: e.usage ?? 0, quota: e.quota ?? 0 } : null;
  };
  return {
    settings: settings as ReadonlySignal<Settings | null>,
    usage: usage as ReadonlySignal<typeof usage.value>,
    estimate: estimate as ReadonlySignal<typeof estimate.value>,
    notice: notice as ReadonlySignal<string | null>,
    async load() { settings.value = await loadSettings(); applyTheme(settings.value.theme); await refresh(); },
    async save(patch: Partial<Settings>) {
      settings.value = await saveSettings(patch);
      applyTheme(settings.value.theme);
      notice.value = 'Saved.';
    },
    async resetToggles() { await write(layerTogglesItem, {}); notice.value = 'The layer toggles are back to each model’s defaults.'; },
    async clearSeen() { await clearSeen(); await refresh(); notice.value = 'The remembered images are gone.'; },
    async clearVis() { await clearVisCache(); await refresh(); notice.value = 'The cached pictures are gone; they are computed again when asked for.'; },
    async exportClasses(): Promise<{ blob: Blob; filename: string } | null> {
      const r = checkReply('popup/export', await browser.runtime.sendMessage({ type: 'popup/export' }));
      if (!r || !r.ok) { notice.value = r ? r.error.message : 'The extension gave no answer.'; return null; }
      return { blob: new Blob([base64ToBytes(r.data)], { type: 'application/zip' }), filename: r.filename };
    },
    async deleteAll() {
      await deleteAllDatabases();
      await browser.storage.local.clear();
      await browser.storage.session.clear();
      await browser.runtime.sendMessage({ type: 'popup/classes-changed' }).catch(() => undefined); // the menus forget the classes
      settings.value = await loadSettings();
      applyTheme(settings.value.theme);
      usage.value = []; // reading the stores again would create the database anew
      notice.value = 'All NetLens data is deleted.';
    },
  };
}

export type OptionsVm = ReturnType<typeof createOptionsVm>;
