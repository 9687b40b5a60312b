// "Where the model runs", as one small interface. On Chrome the model host is the offscreen document
// (src/background/offscreen-host.ts); a Firefox event page has a DOM, so it can run the host in-page and
// implement the same call directly.
import type { BackgroundToHost, Replies } from './messages';
import { forThisBrowser, settingsItem, type Settings } from './settings';
import { backendChoiceItem, readAll } from './storage';
import type { BackendChoice } from './protocol';

type HostRequest<T extends BackgroundToHost['type']> = Omit<Extract<BackgroundToHost, { type: T }>, 'type' | 'target'>;

export interface ModelHost {
  request<T extends BackgroundToHost['type']>(type: T, req: HostRequest<T>): Promise<Replies[T]>;
  /**
   * The host asked to be released (idle, holding much memory): Chrome closes the offscreen document if no
   * request is in flight. Firefox's event page is unloaded by the browser when idle, so it has none.
   */
  release?(): Promise<boolean>;
}

/** The model and backend a request names: the result's model if given, else the user's current one. */
export async function modelFields(modelId?: string) {
  const [settings, choice] = await readAll(settingsItem, backendChoiceItem);
  return fieldsOf(settings, choice, modelId);
}

/** The same fields from values already read (a caller that needs other items too reads them all at once). */
export function fieldsOf(settings: Settings, choice: BackendChoice | null, modelId?: string) {
  return { modelId: modelId ?? settings.modelId, backend: settings.backend, remembered: forThisBrowser(choice), threads: settings.wasmThreads };
}
