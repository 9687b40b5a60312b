// Teaching in the service worker: "Add to NetLens class ▸ <class> | New class…" menus, and training, whose
// progress is kept in storage.session so a popup can close and come back to it (and a worker restart loses
// nothing: the model host keeps reporting, and its last report carries the result).
import browser from 'webextension-polyfill';
import { createClass, listClasses } from '../../shared/db';
import { fail, type ImageSource } from '../../shared/protocol';
import type { BackgroundToContent, Handlers, HostToBackground, PopupToBackground, Replies } from '../../shared/messages';
import { loadSettings } from '../../shared/settings';
import { modelFields, type ModelHost } from '../../shared/model-host';
import { read, teachStatusItem, trainingItem, write } from '../../shared/storage';
import { resolveSourceFor, withSiteAccessHint, type MenuClick } from '../classify/background';
import { trackJob } from '../explain/background';
import { resultState } from '../../shared/tab-store';
import type { TeachStatus, TrainingState } from './contract';

const MENU_ADD = 'netlens-add';
const MENU_ADD_NEW = 'netlens-add-new';
const MENU_ADD_PREFIX = 'netlens-add:';
/** A run without news for this long is taken as dead: a new one may start. */
const STALE_MS = 60_000;

/** Teaching's menu items: each class is a submenu item (rebuilt whenever the classes change). */
export async function teachMenus(): Promise<void> {
  browser.contextMenus.create({ id: MENU_ADD, title: 'Add to NetLens class', contexts: ['image'] });
  // No database yet (a new profile, or after "delete all NetLens data"): no classes, and nothing is created.
  const exists = (await indexedDB.databases().catch(() => [])).some((d) => d.name === 'netlens');
  for (const c of exists ? await listClasses().catch(() => []) : []) {
    browser.contextMenus.create({ id: `${MENU_ADD_PREFIX}${c.id}`, parentId: MENU_ADD, title: `${c.name} (${c.count})`, contexts: ['image'] });
  }
  browser.contextMenus.create({ id: MENU_ADD_NEW, parentId: MENU_ADD, title: 'New class…', contexts: ['image'] });
}

export const isTeachMenu = (id: string) => id === MENU_ADD_NEW || id.startsWith(MENU_ADD_PREFIX);

const say = (s: Omit<TeachStatus, 'at'>) => write(teachStatusItem, { ...s, at: Date.now() });

/** Right-click → add this image to a class (asking the page for a new class's name first, if needed). */
export async function addFromMenu(host: ModelHost, tabId: number, click: MenuClick, rebuildMenus: () => Promise<void>): Promise<void> {
  let classId = String(click.menuItemId).startsWith(MENU_ADD_PREFIX) ? String(click.menuItemId).slice(MENU_ADD_PREFIX.length) : null;
  let className = '';
  if (!classId) {
    const ask: BackgroundToContent = { type: 'bg/ask-class-name', target: 'content', anyFrame: false };
    // The top frame draws the prompt best; it listens once it has been right-clicked. After a right-click in a
    // frame only that frame listens (see content/index.ts), so it asks there instead.
    const askIn = (frameId: number) => browser.tabs.sendMessage(tabId, ask, { frameId }).catch(() => null) as Promise<Replies['bg/ask-class-name'] | null>;
    const named = (await askIn(0)) ?? (click.frameId ? await askIn(click.frameId) : null);
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
  else await say({ kind: 'error', message: (await withSiteAccessHint(r.error)).message });
  await rebuildMenus();
  try {
    await browser.action.setBadgeText({ tabId, text: r.ok ? `+${r.count}` : '!' });
  } catch { /* tab gone */ }
}

async function addSource(host: ModelHost, classId: string, source: ImageSource) {
  return host.request('bg/add-example', { source, classId, ...(await modelFields()) });
}

async function startTraining(host: ModelHost, hidden: number, learningRate?: number): Promise<Replies['popup/train']> {
  const training = await read(trainingItem);
  if (training?.status === 'running' && Date.now() - training.at < STALE_MS) return fail('bad-request', 'Training is already running.');
  const fields = await modelFields();
  const jobId = crypto.randomUUID();
  await write(trainingItem, { status: 'running', jobId, phase: 'embedding', progress: 0, at: Date.now() });
  // Not awaited by the popup: the host's progress reports keep the stored state up to date.
  void host.request('bg/train', { jobId, hidden, ...(learningRate ? { learningRate } : {}), ...fields }).then(async (r) => {
    if (!r.ok) {
      const cancelled = r.error.code === 'cancelled';
      await write(trainingItem, { status: cancelled ? 'cancelled' : 'error', jobId, phase: cancelled ? 'cancelled' : 'error', progress: 1, error: r.error.message, at: Date.now() });
    }
  });
  return { ok: true };
}

/**
 * Where the model host starts with the background (Firefox's event page), a training stored as running when the
 * page starts was cut off by the browser stopping the page: say so (the examples are all kept) instead of
 * showing a run that will never report again. Chrome's offscreen document outlives a service-worker restart,
 * so Chrome does not call this.
 */
export async function markTrainingInterrupted(): Promise<void> {
  const t = await read(trainingItem);
  if (t?.status !== 'running') return;
  await write(trainingItem, { ...t, status: 'error', phase: 'error', progress: 1, error: 'The browser stopped NetLens while it was training. Your classes and examples are kept: train again.', at: Date.now() });
}

export async function onTrainProgress(p: Extract<HostToBackground, { type: 'offscreen/train-progress' }>): Promise<void> {
  const status: TrainingState['status'] = p.phase === 'done' ? 'done' : p.phase === 'error' ? 'error' : p.phase === 'cancelled' ? 'cancelled' : 'running';
  const { type: _type, ...rest } = p;
  // The curve: every epoch's report is appended, so a popup opened later still draws the whole run.
  const before = await read(trainingItem);
  const kept = before?.jobId === p.jobId ? before.history ?? [] : [];
  const point = p.epoch !== undefined && p.loss !== undefined && p.valLoss !== undefined && p.valAccuracy !== undefined ? [{ epoch: p.epoch, loss: p.loss, valLoss: p.valLoss, valAccuracy: p.valAccuracy }] : [];
  await write(trainingItem, { ...rest, status, history: p.summary?.history ?? [...kept, ...point], at: Date.now() });
}

type TeachPopupMessages = Extract<PopupToBackground, { type: 'popup/train' | 'popup/cancel-training' | 'popup/classes-changed' | 'popup/export' | 'popup/import' | 'popup/lr-find' | 'popup/pixel-linear' }>;

export function teachPopupHandlers(host: ModelHost, rebuildMenus: () => Promise<void>): Handlers<TeachPopupMessages> {
  return {
    'popup/train': (m) => startTraining(host, m.hidden, m.learningRate),
    'popup/lr-find': async (m) => trackJob(m.jobId, async () => host.request('bg/lr-find', { jobId: m.jobId, hidden: m.hidden, ...(await modelFields()) })),
    'popup/pixel-linear': async (m) => {
      const { state, source } = m.tabId === undefined ? { state: null, source: null } : await resultState({ tabId: m.tabId });
      if (m.task === 'apply' && !state) return fail('no-result', 'Classify an image first: the pixels-only model is tried on the current result.');
      return trackJob(m.jobId, async () => host.request('bg/pixel-linear', { jobId: m.jobId, task: m.task, image: state ? { requestId: state.requestId, source } : null, ...(await modelFields(state?.result.modelId)) }));
    },
    'popup/cancel-training': async () => {
      const training = await read(trainingItem);
      if (training?.status !== 'running') return fail('bad-request', 'No training is running.');
      return host.request('bg/cancel', { jobId: training.jobId });
    },
    'popup/classes-changed': async () => { await rebuildMenus(); return { ok: true }; },
    'popup/export': async () => {
      const { modelId } = await loadSettings();
      const r = await host.request('bg/export', { modelId });
      return r.ok ? { ok: true, filename: `netlens-classes-${modelId}-${new Date().toISOString().slice(0, 10)}.zip`, data: r.data } : r;
    },
    'popup/import': async (m) => {
      const { modelId } = await loadSettings();
      const r = await host.request('bg/import', { modelId, data: m.data });
      if (r.ok) await rebuildMenus();
      return r;
    },
  };
}
