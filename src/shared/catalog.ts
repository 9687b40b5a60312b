// The model catalog is data (models/catalog.json); this module only types it and looks things up.
import catalogJson from '../../models/catalog.json';

// The catalog's shape is declared once, next to the installer that reads the same file.
import type { Catalog, ModelEntry } from '../../models/install.mjs';

export type { Catalog, ModelEntry };

export const catalog = catalogJson as Catalog;

export function findModel(id: string): ModelEntry | undefined {
  return catalog.models.find((m) => m.id === id);
}

export function getModel(id: string): ModelEntry {
  const m = findModel(id);
  if (!m) throw new Error(`Unknown model "${id}". Known: ${catalog.models.map((x) => x.id).join(', ')}`);
  return m;
}

/** Models that can answer "what is in this picture" (the popup's model picker lists these). */
export function classifierModels(): ModelEntry[] {
  return catalog.models.filter((m) => m.task === 'classifier');
}
