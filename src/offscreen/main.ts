// Offscreen document entry: Chrome's model host. It starts the model worker (where TensorFlow.js runs) and relays:
// requests from the background go to the worker, its replies and reports come back. It also draws SVGs for
// the worker, which has no DOM. Wiring only.
import browser from 'webextension-polyfill';
import { assertContext } from '../shared/context';
import { BackgroundToHostSchema } from '../shared/messages';
import { fail, parse } from '../shared/protocol';
import { rasterizeSvg } from '../engine/svg';
import type { FromWorker, ToWorker } from './worker-protocol';

assertContext('offscreen');

const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'netlens-model' });
const toWorker = (m: ToWorker, transfer: Transferable[] = []) => worker.postMessage(m, transfer);

let ids = 0;
const waiting = new Map<number, (reply: unknown) => void>();
/** Set when the worker failed to start: every request gets this answer instead of waiting forever. */
let dead: string | null = null;
let ready = false;

worker.onmessage = (e: MessageEvent<FromWorker>) => {
  const m = e.data;
  if (m.kind === 'ready') { ready = true; return; }
  if (m.kind === 'reply') { waiting.get(m.id)?.(m.reply); waiting.delete(m.id); return; }
  // Progress is best effort: the background may be restarting, the popup may be closed.
  if (m.kind === 'report') { browser.runtime.sendMessage(m.msg).catch(() => undefined); return; }
  void rasterizeSvg(m.blob).then(
    (bitmap) => toWorker({ kind: 'svg-done', id: m.id, bitmap }, [bitmap]),
    (err: Error) => toWorker({ kind: 'svg-done', id: m.id, bitmap: null, error: err.message }),
  );
};
// A worker whose script fails to load answers nothing: every request says so instead of hanging. (Once it runs,
// an uncaught error is one request's: its handler answers with it.)
worker.onerror = (e) => {
  if (ready) return;
  dead = `The model worker did not start: ${e.message || 'unknown error'}`;
  for (const answer of waiting.values()) answer(fail('internal', dead));
  waiting.clear();
};

browser.runtime.onMessage.addListener((raw: unknown, sender: browser.Runtime.MessageSender) => {
  if ((raw as { target?: unknown })?.target !== 'offscreen') return undefined; // not for us: let others answer
  if (sender.id !== browser.runtime.id || sender.tab) return Promise.resolve(fail('bad-request', 'sender not allowed'));
  const msg = parse(BackgroundToHostSchema, raw);
  if (!msg) return Promise.resolve(fail('bad-request', 'malformed request'));
  if (dead) return Promise.resolve(fail('internal', dead));
  const id = ++ids;
  return new Promise((resolve) => { waiting.set(id, resolve); toWorker({ kind: 'request', id, msg }); });
});
