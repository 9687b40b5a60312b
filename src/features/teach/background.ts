// Teaching from the context menu: "Add to NetLens class ▸ <class> | New class…", and training, whose progress
// is kept in storage.session so a popup can close and come back to it (and a worker restart loses nothing:
// the model host keeps reporting, and its last report carries the result).
import browser from 'webextension-polyfill';
import { createClass, listClasses } from '../../shared/db';
import { fail, type BackgroundToContent, type HostToBackground, type ImageSource, type Replies } from '../../shared/messages';
import { loadBackendChoice, loadSettings } from '../../shared/settings';
import type { ModelHost } from '../../shared/model-host';
import { MENU_CLASSIFY, MENU_CLASSIFY_PAGE, resolveSourceFor, type MenuClick } from '../classify/background';

export const MENU_ADD = 'netlens-add';
export const MENU_ADD_NEW = 'netlens-add-new';
export const MENU_ADD_PREFIX = 'netlens-add:';

let rebuilding: Promise<void> = Promise.resolve();

/** All menu items, rebuilt whenever the user's classes change (each class is a submenu item). */
export function rebuildMenus(): Promise<void> {
  rebuilding = rebuilding.then(async () => {
    await browser.contextMenus.removeAll();
    browser.contextMenus.create({ id: MENU_CLASSIFY, title: 'Classify with NetLens', contexts: ['image'] });
    // Canvases and CSS backgrounds are not "images" to the browser's menu: this page-level item lets the
    // content script find the picture under the pointer, and says so plainly when there is none.
    browser.contextMenus.create({ id: MENU_CLASSIFY_PAGE, title: 'Classify the picture here with NetLens', contexts: ['page', 'frame', 'link'] });
    browser.contextMenus.create({ id: MENU_ADD, title: 'Add to NetLens class', contexts: ['image'] });
    for (const c of await listClasses().catch(() => [])) {
      browser.contextMenus.create({ id: `${MENU_ADD_PREFIX}${c.id}`, parentId: MENU_ADD, title: `${c.name} (${c.count})`, contexts: ['image'] });
    }
    browser.contextMenus.create({ id: MENU_ADD_NEW, parentId: MENU_ADD, title: 'New class…', contexts: ['image'] });
  }).catch(() => undefined);
  return rebuilding;
}

export interface TeachStatus { kind: 'added' | 'error'; message: string; className?: string; count?: number; at: number }
const say = (s: Omit<TeachStatus, 'at'>) => browser.storage.session.set({ teachStatus: { ...s, at: Date.now() } });

/** Right-click → add this image to a class (asking the page for a new class's name first, if needed). */
export async function addFromMenu(host: ModelHost, tabId: number, click: MenuClick): Promise<void> {
  let classId = String(click.menuItemId).startsWith(MENU_ADD_PREFIX) ? String(click.menuItemId).slice(MENU_ADD_PREFIX.length) : null;
  let className = '';
  if (!classId) {
    const ask: BackgroundToContent = { type: 'bg/ask-class-name', target: 'content', anyFrame: false };
    const named = (await browser.tabs.sendMessage(tabId, ask, { frameId: 0 }).catch(() => null)) as Replies['bg/ask-class-name'] | null;
    if (!named) return void say({ kind: 'error', message: 'NetLens cannot ask for a class name on this page; create the class in the popup.' });
    if (!named.ok) return;
    const c = await createClass(named.name);
    classId = c.id;
    className = c.name;
  } else {
    className = (await listClasses()).find((c) => c.id === classId)?.name ?? '';
  }
  const found = await resolveSourceFor(tabId, click);
  if (!found.ok) return void say({ kind: 'error', message: found.error.message });
  const r = await addSource(host, classId, found.source);
  if (r.ok) await say({ kind: 'added', message: `Added to “${className}” (${r.count} example${r.count === 1 ? '' : 's'}).`, className, count: r.count });
  else await say({ kind: 'error', message: r.error.message });
  await rebuildMenus();
  try {
    await browser.action.setBadgeText({ tabId, text: r.ok ? `+${r.count}` : '!' });
  } catch { /* tab gone */ }
}

async function addSource(host: ModelHost, classId: string, source: ImageSource) {
  const [settings, remembered] = await Promise.all([loadSettings(), loadBackendChoice()]);
  return host.addExample({ source, classId, modelId: settings.modelId, backend: settings.backend, remembered });
}

export interface TrainingState {
  status: 'running' | 'done' | 'error';
  jobId: string;
  phase: string;
  progress: number;
  epoch?: number;
  loss?: number;
  valAccuracy?: number;
  summary?: NonNullable<Extract<HostToBackground, { type: 'offscreen/train-progress' }>['summary']>;
  error?: string;
  at: number;
}

export async function startTraining(host: ModelHost, hidden: number): Promise<Replies['popup/train']> {
  const { training } = await browser.storage.session.get('training');
  if ((training as TrainingState | undefined)?.status === 'running' && Date.now() - (training as TrainingState).at < 60_000) return fail('bad-request', 'Training is already running.');
  const [settings, remembered] = await Promise.all([loadSettings(), loadBackendChoice()]);
  const jobId = crypto.randomUUID();
  await browser.storage.session.set({ training: { status: 'running', jobId, phase: 'embedding', progress: 0, at: Date.now() } satisfies TrainingState });
  // Not awaited by the popup: the host's progress reports keep the stored state up to date.
  void host.train({ jobId, hidden, modelId: settings.modelId, backend: settings.backend, remembered }).then(async (r) => {
    if (!r.ok) await browser.storage.session.set({ training: { status: 'error', jobId, phase: 'error', progress: 1, error: r.error.message, at: Date.now() } satisfies TrainingState });
  });
  return { ok: true };
}

export async function onTrainProgress(p: Extract<HostToBackground, { type: 'offscreen/train-progress' }>): Promise<void> {
  const status: TrainingState['status'] = p.phase === 'done' ? 'done' : p.phase === 'error' ? 'error' : 'running';
  const { phase, progress, jobId, epoch, loss, valAccuracy, summary, error } = p;
  await browser.storage.session.set({ training: { status, jobId, phase, progress, epoch, loss, valAccuracy, summary, error, at: Date.now() } });
}
