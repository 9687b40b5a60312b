// "Where the model runs", as one small interface. On Chrome the model host is the offscreen document
// (src/background/offscreen-host.ts); a Firefox event page has a DOM, so it can run the host in-page and
// implement the same call directly.
import type { BackgroundToHost, Replies } from './messages';
import { loadBackendChoice, loadSettings } from './settings';

type HostRequest<T extends BackgroundToHost['type']> = Omit<Extract<BackgroundToHost, { type: T }>, 'type' | 'target'>;

export interface ModelHost {
  request<T extends BackgroundToHost['type']>(type: T, req: HostRequest<T>): Promise<Replies[T]>;
}

/** The model and backend a request names: the result's model if given, else the user's current one. */
export async function modelFields(modelId?: string) {
  const [settings, remembered] = await Promise.all([loadSettings(), loadBackendChoice()]);
  return { modelId: modelId ?? settings.modelId, backend: settings.backend, remembered, threads: settings.wasmThreads };
}
