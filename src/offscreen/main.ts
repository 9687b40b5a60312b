// Offscreen document entry: Chrome's model host. It starts the model worker (where TensorFlow.js runs) and relays
// (src/offscreen/relay.ts): requests from the background go to the worker, its replies and reports come back.
// It also draws SVGs for the worker, which has no DOM. Wiring only.
import browser from 'webextension-polyfill';
import { assertContext } from '../shared/context';
import { BackgroundToHostSchema } from '../shared/messages';
import { fail, parse } from '../shared/protocol';
import { rasterizeSvg } from '../engine/svg';
import { WorkerRelay } from './relay';

assertContext('offscreen');

const relay = new WorkerRelay(new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'netlens-model' }), {
  // Progress is best effort: the background may be restarting, the popup may be closed.
  report: (msg) => { browser.runtime.sendMessage(msg).catch(() => undefined); },
  drawSvg: rasterizeSvg,
});

browser.runtime.onMessage.addListener((raw: unknown, sender: browser.Runtime.MessageSender) => {
  if ((raw as { target?: unknown })?.target !== 'offscreen') return undefined; // not for us: let others answer
  if (sender.id !== browser.runtime.id || sender.tab) return Promise.resolve(fail('bad-request', 'sender not allowed'));
  const msg = parse(BackgroundToHostSchema, raw);
  if (!msg) return Promise.resolve(fail('bad-request', 'malformed request'));
  return relay.request(msg);
});
