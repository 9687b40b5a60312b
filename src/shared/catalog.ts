// The model catalog is data (models/catalog.json); this module only types it and looks things up.
import catalogJson from '../../models/catalog.json';

export interface ModelFile { path: string; sha256: string; bytes: number; url: string | null }
export interface ModelEntry {
  id: string;
  name: string;
  description: string;
  task: 'classifier' | 'backbone';
  source: { url: string; repo: string; commit: string; path: string; license: string };
  files: ModelFile[];
  modelFile: string;
  input: { width: number; height: number; channels: 3 };
  preprocess: { scale: number; offset: number };
  output: 'softmax' | 'logits' | 'features';
  labels: { file: string; order: 'imagenet-keras' | 'darknet' | 'own'; count: number } | null;
  layers: {
    gradCam: string | null;
    preSoftmax: { layer: string; how: 'output' | 'dense-linear' } | null;
    show: string[];
  };
  params: number;
  top1ImageNet: number | null;
}
export interface Catalog { version: 1; defaultModel: string; models: ModelEntry[] }

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
