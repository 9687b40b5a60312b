// Types for models/install.mjs and the shape of models/catalog.json.

export interface CatalogFile {
  /** Relative to the mirror root (and to models/installed/), e.g. "mobilenet-v1-0.75-224/model.json". */
  path: string;
  sha256: string;
  bytes: number;
  /** Where this exact file can be downloaded, or null if it was made or edited locally. */
  url: string | null;
}

export interface ModelEntry {
  id: string;
  name: string;
  description: string;
  task: 'classifier' | 'backbone';
  source: { url: string; repo: string; commit: string; path: string; license: string };
  files: CatalogFile[];
  modelFile: string;
  input: { width: number; height: number; channels: 3 };
  /** model input = uint8 pixel * scale + offset */
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

export interface Catalog {
  version: 1;
  defaultModel: string;
  models: ModelEntry[];
}

export interface InstallSummary {
  copied: number;
  downloaded: number;
  skipped: number;
}

export interface InstallOptions {
  /** Only `models[].files` (and `models[].id` for messages) are used. */
  catalog: Catalog | { models: Array<{ id?: string; files: CatalogFile[] }> };
  destDir: string;
  /** Folder holding the model mirror; null/omitted: download every file from its url. */
  sourceDir?: string | null;
  /** Defaults to the global fetch. */
  fetchImpl?: (url: string, init?: RequestInit) => Promise<Response>;
  log?: (line: string) => void;
  /** Per-file download timeout, default 30000 ms. */
  timeoutMs?: number;
}

/** An expected installation failure; `message` names the file and the fix. */
export class ModelInstallError extends Error {
  constructor(message: string, details: { file: string; fix: string });
  readonly file: string;
  readonly fix: string;
}

export function installModels(options: InstallOptions): Promise<InstallSummary>;

/**
 * `$NETLENS_MODELS_DIR` (throws ModelInstallError if set but missing), else `<projectRoot>/../shared/models`
 * if it exists, else null (download).
 */
export function resolveSourceDir(projectRoot: string, env?: Record<string, string | undefined>): string | null;

export function sha256File(path: string): Promise<string>;
