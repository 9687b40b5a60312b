// Offscreen document entry: the only place TensorFlow.js runs on Chrome. Wiring only.
import browser from 'webextension-polyfill';
import * as tf from '@tensorflow/tfjs';
import { assertContext } from '../shared/context';
import { BackgroundToHostSchema, fail, parse, type Handlers, type BackgroundToHost, type HostToBackground } from '../shared/messages';
import { Engine } from '../engine/engine';
import { registerWasmGradientKernels } from '../explain/wasm-grads';
import { LayersAdapter } from '../explain/adapter';
import { getMethod, METHODS } from '../explain/registry';
import { faithfulness } from '../explain/metrics';
import { toModelInput } from '../engine/preprocess';

assertContext('offscreen');
registerWasmGradientKernels();

async function readBuiltFile(path: string): Promise<ArrayBuffer> {
  const res = await fetch(browser.runtime.getURL(`models/${path}`));
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  return res.arrayBuffer();
}

// Progress is best effort: the background may be restarting, the popup may be closed.
const post = (msg: HostToBackground) => { browser.runtime.sendMessage(msg).catch(() => undefined); };
const engine = new Engine(readBuiltFile, (p) => post({ type: 'offscreen/progress', ...p }), (p) => post({ type: 'offscreen/job-progress', ...p }));

const handlers: Handlers<BackgroundToHost, void> = {
  'bg/classify': (m) => engine.classify(m),
  'bg/preload': (m) => engine.preload(m),
  'bg/explain': (m) => engine.explain(m),
  'bg/cancel': async (m) => { engine.cancel(m.jobId); return { ok: true }; },
};

browser.runtime.onMessage.addListener((raw: unknown, sender: browser.Runtime.MessageSender) => {
  if ((raw as { target?: unknown })?.target !== 'offscreen') return undefined; // not for us: let others answer
  if (sender.id !== browser.runtime.id || sender.tab) return Promise.resolve(fail('bad-request', 'sender not allowed'));
  const msg = parse(BackgroundToHostSchema, raw);
  if (!msg) return Promise.resolve(fail('bad-request', 'malformed request'));
  return (handlers[msg.type] as (m: BackgroundToHost) => Promise<unknown>)(msg);
});

// For the benchmark and tests, reached only through the DevTools protocol (no page can see this document).
(globalThis as Record<string, unknown>).__netlens = { engine, tf, explain: { LayersAdapter, getMethod, METHODS, faithfulness, toModelInput } };
