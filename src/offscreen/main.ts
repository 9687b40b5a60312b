// Offscreen document entry: the model host on Chrome, the only place TensorFlow.js runs. Wiring only.
import browser from 'webextension-polyfill';
import { assertContext } from '../shared/context';
import { BackgroundToHostSchema, type HostToBackground } from '../shared/messages';
import { fail, parse } from '../shared/protocol';
import { wireModelHost } from '../host/wire';

assertContext('offscreen');

// Progress is best effort: the background may be restarting, the popup may be closed.
const { runtime: host, handlers } = wireModelHost((msg: HostToBackground) => { browser.runtime.sendMessage(msg).catch(() => undefined); });

browser.runtime.onMessage.addListener((raw: unknown, sender: browser.Runtime.MessageSender) => {
  if ((raw as { target?: unknown })?.target !== 'offscreen') return undefined; // not for us: let others answer
  if (sender.id !== browser.runtime.id || sender.tab) return Promise.resolve(fail('bad-request', 'sender not allowed'));
  const msg = parse(BackgroundToHostSchema, raw);
  if (!msg) return Promise.resolve(fail('bad-request', 'malformed request'));
  return (handlers[msg.type] as (m: typeof msg) => Promise<unknown>)(msg);
});

// Tests and the benchmark reach the runtime through the DevTools protocol; only a test build has this.
if (import.meta.env.MODE === 'test') void import('./test-hooks').then((m) => m.expose(host));
