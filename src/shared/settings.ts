// User settings live in storage.local (they survive restarts and upgrades). They are repaired field by field,
// so one stale value (say, a backend name from an old version) does not reset the others.
import * as v from 'valibot';
import { catalog, findModel } from './catalog';
import { BackendPrefSchema, parse, WasmThreadsSchema, type BackendChoice } from './protocol';
import { backendChoiceItem, item, read, write } from './storage';
import { ExplainParamsSchema, SUBSTRATE_NAMES } from '../features/explain/contract';
import { DEFAULT_METHOD, METHOD_INFO } from '../features/explain/catalog';
import { ModeSchema } from '../features/classify/contract';

export const THEMES = ['system', 'light', 'dark'] as const;
const ThemeSchema = v.picklist(THEMES);
/** How many classified images are remembered with their channel means (for "images that excite a channel"). */
const SeenCapSchema = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(5000));

const SettingsSchema = v.object({
  modelId: v.string(),
  backend: BackendPrefSchema,
  mode: ModeSchema,
  theme: ThemeSchema,
  seenCap: SeenCapSchema,
  wasmThreads: WasmThreadsSchema,
});
export type Settings = v.InferOutput<typeof SettingsSchema>;
export const DEFAULT_SETTINGS: Settings = { modelId: catalog.defaultModel, backend: 'auto', mode: 'imagenet', theme: 'system', seenCap: 300, wasmThreads: 0 };

const record = (raw: unknown) => (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;

export function sanitizeSettings(raw: unknown): Settings {
  const r = record(raw);
  const model = typeof r.modelId === 'string' ? findModel(r.modelId) : undefined;
  return {
    modelId: model && model.task === 'classifier' ? model.id : DEFAULT_SETTINGS.modelId,
    backend: parse(BackendPrefSchema, r.backend) ?? DEFAULT_SETTINGS.backend,
    mode: parse(ModeSchema, r.mode) ?? DEFAULT_SETTINGS.mode,
    // added after 0.1.0: a 0.1.0 profile has neither, and gets the defaults
    theme: parse(ThemeSchema, r.theme) ?? DEFAULT_SETTINGS.theme,
    seenCap: parse(SeenCapSchema, r.seenCap) ?? DEFAULT_SETTINGS.seenCap,
    wasmThreads: parse(WasmThreadsSchema, r.wasmThreads) ?? DEFAULT_SETTINGS.wasmThreads,
  };
}

/** A value that is not an object at all is damaged: the item warns and gives the defaults. */
const repairObject = <T>(fix: (raw: unknown) => T) => (raw: unknown) => (raw && typeof raw === 'object' ? fix(raw) : raw);
export const settingsItem = item<Settings>('local', 'settings', SettingsSchema, () => ({ ...DEFAULT_SETTINGS }), repairObject(sanitizeSettings));

export const loadSettings = (): Promise<Settings> => read(settingsItem);

export async function saveSettings(patch: Partial<Settings>): Promise<Settings> {
  const next = sanitizeSettings({ ...(await loadSettings()), ...patch });
  await write(settingsItem, next);
  return next;
}

/** The remembered backend choice, if it was measured on this browser build. */
export const loadBackendChoice = async (): Promise<BackendChoice | null> => forThisBrowser(await read(backendChoiceItem));

/** A remembered choice holds only for the browser build that measured it. */
export const forThisBrowser = (c: BackendChoice | null): BackendChoice | null => (c && c.userAgent === navigator.userAgent ? c : null);

export const saveBackendChoice = (choice: BackendChoice): Promise<void> => write(backendChoiceItem, choice);

/** The Explain view's remembered choices: method, each method's parameters, overlay opacity, comparison. */
export interface ExplainSettings {
  method: string;
  compareMethod: string | null;
  params: Record<string, Record<string, number | string | boolean>>;
  opacity: number;
  /** what deleted pixels become in the faithfulness check */
  substrate: (typeof SUBSTRATE_NAMES)[number];
}
export const DEFAULT_EXPLAIN: ExplainSettings = { method: DEFAULT_METHOD, compareMethod: null, params: {}, opacity: 0.6, substrate: 'grey' };

function sanitizeExplainSettings(raw: unknown, known: (id: string) => boolean = (id) => METHOD_INFO.has(id)): ExplainSettings {
  const r = record(raw);
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
    substrate: SUBSTRATE_NAMES.find((x) => x === r.substrate) ?? DEFAULT_EXPLAIN.substrate,
  };
}

const ExplainSettingsSchema = v.object({
  method: v.string(), compareMethod: v.nullable(v.string()), params: v.record(v.string(), ExplainParamsSchema), opacity: v.number(),
  substrate: v.picklist(SUBSTRATE_NAMES),
});
export const explainSettingsItem = item<ExplainSettings>('local', 'explain', ExplainSettingsSchema, () => ({ ...DEFAULT_EXPLAIN }), repairObject((raw) => sanitizeExplainSettings(raw)));
