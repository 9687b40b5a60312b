// User settings live in storage.local (they survive restarts); stale or hand-edited values fall back to defaults.
import * as v from 'valibot';
import browser from 'webextension-polyfill';
import { catalog, findModel } from './catalog';
import { BackendChoiceSchema, BackendPrefSchema, ExplainParamsSchema, ModeSchema, parse, type BackendChoice } from './messages';

export const SettingsSchema = v.object({
  modelId: v.string(),
  backend: BackendPrefSchema,
  mode: ModeSchema,
});
export type Settings = v.InferOutput<typeof SettingsSchema>;
export const DEFAULT_SETTINGS: Settings = { modelId: catalog.defaultModel, backend: 'auto', mode: 'imagenet' };

/** Field by field, so one stale value (say, a backend name from an old version) does not reset the others. */
export function sanitizeSettings(raw: unknown): Settings {
  const r = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  const model = typeof r.modelId === 'string' ? findModel(r.modelId) : undefined;
  return {
    modelId: model && model.task === 'classifier' ? model.id : DEFAULT_SETTINGS.modelId,
    backend: parse(BackendPrefSchema, r.backend) ?? DEFAULT_SETTINGS.backend,
    mode: parse(ModeSchema, r.mode) ?? DEFAULT_SETTINGS.mode,
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

/** The Explain view's remembered choices: method, each method's parameters, overlay opacity, comparison. */
export interface ExplainSettings {
  method: string;
  compareMethod: string | null;
  params: Record<string, Record<string, number | string | boolean>>;
  opacity: number;
}
export const DEFAULT_EXPLAIN: ExplainSettings = { method: 'grad-cam', compareMethod: null, params: {}, opacity: 0.6 };

export function sanitizeExplainSettings(raw: unknown, known: (id: string) => boolean): ExplainSettings {
  const r = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  const params: ExplainSettings['params'] = {};
  if (r.params && typeof r.params === 'object') {
    for (const [id, p] of Object.entries(r.params as Record<string, unknown>)) {
      const ok = parse(ExplainParamsSchema, p);
      if (known(id) && ok) params[id] = ok;
    }
  }
  return {
    method: typeof r.method === 'string' && known(r.method) ? r.method : DEFAULT_EXPLAIN.method,
    compareMethod: typeof r.compareMethod === 'string' && known(r.compareMethod) ? r.compareMethod : null,
    params,
    opacity: typeof r.opacity === 'number' && r.opacity >= 0 && r.opacity <= 1 ? r.opacity : DEFAULT_EXPLAIN.opacity,
  };
}
