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

/** Field by field, so one stale value (say, a backend name from an old version) does not reset the others. */
export function sanitizeSettings(raw: unknown): Settings {
  const r = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  const model = typeof r.modelId === 'string' ? findModel(r.modelId) : undefined;
  return {
    modelId: model && model.task === 'classifier' ? model.id : DEFAULT_SETTINGS.modelId,
    backend: parse(BackendPrefSchema, r.backend) ?? DEFAULT_SETTINGS.backend,
  };
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
