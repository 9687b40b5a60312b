// User settings live in storage.local (they survive restarts); stale or hand-edited values fall back to defaults.
import * as v from 'valibot';
import browser from 'webextension-polyfill';
import { catalog, findModel } from './catalog';
import { BackendChoiceSchema, BackendPrefSchema, parse, type BackendChoice } from './messages';

export const SettingsSchema = v.object({
  modelId: v.string(),
  backend: BackendPrefSchema,
});
export type Settings = v.InferOutput<typeof SettingsSchema>;
export const DEFAULT_SETTINGS: Settings = { modelId: catalog.defaultModel, backend: 'auto' };

export function sanitizeSettings(raw: unknown): Settings {
  const s = parse(SettingsSchema, raw);
  if (!s) return { ...DEFAULT_SETTINGS };
  const model = findModel(s.modelId);
  return { modelId: model && model.task === 'classifier' ? s.modelId : DEFAULT_SETTINGS.modelId, backend: s.backend };
}

export async function loadSettings(): Promise<Settings> {
  const { settings } = await browser.storage.local.get('settings');
  return sanitizeSettings(settings);
}

export async function saveSettings(patch: Partial<Settings>): Promise<Settings> {
  const next = sanitizeSettings({ ...(await loadSettings()), ...patch });
  await browser.storage.local.set({ settings: next });
  return next;
}

/** The auto backend choice is measured once per browser build and remembered here. */
export async function loadBackendChoice(): Promise<BackendChoice | null> {
  const { backendChoice } = await browser.storage.local.get('backendChoice');
  const c = parse(BackendChoiceSchema, backendChoice);
  return c && c.userAgent === navigator.userAgent ? c : null;
}

export async function saveBackendChoice(choice: BackendChoice): Promise<void> {
  await browser.storage.local.set({ backendChoice: choice });
}
