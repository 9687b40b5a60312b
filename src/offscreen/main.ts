// Offscreen document entry: the only place TensorFlow.js runs on Chrome. Wiring only.
import browser from 'webextension-polyfill';
import * as tf from '@tensorflow/tfjs';
import { assertContext } from '../shared/context';
import { BackgroundToHostSchema, fail, parse, type Handlers, type BackgroundToHost, type HostToBackground } from '../shared/messages';
import { Engine } from '../engine/engine';
import { addSeen, netlensDb } from '../shared/db';
import { registerWasmGradientKernels } from '../engine/kernels/wasm-grads';
import { LayersAdapter } from '../engine/adapter';
import { getMethod, METHODS } from '../features/explain/registry';
import { faithfulness } from '../features/explain/metrics';
import { toModelInput } from '../engine/preprocess';
import { computeActivations } from '../features/layers/activations';
import { visualiseChannel } from '../features/layers/feature-vis';

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
  'bg/add-example': (m) => engine.addExample(m),
  'bg/train': (m) => engine.train(m),
  'bg/export': (m) => engine.exportClasses(m.modelId),
  'bg/import': (m) => engine.importClasses(m.modelId, m.data),
  'bg/layers': (m) => engine.layers(m),
  'bg/activations': (m) => engine.activations(m),
  'bg/feature-vis': (m) => engine.featureVis(m),
};

browser.runtime.onMessage.addListener((raw: unknown, sender: browser.Runtime.MessageSender) => {
  if ((raw as { target?: unknown })?.target !== 'offscreen') return undefined; // not for us: let others answer
  if (sender.id !== browser.runtime.id || sender.tab) return Promise.resolve(fail('bad-request', 'sender not allowed'));
  const msg = parse(BackgroundToHostSchema, raw);
  if (!msg) return Promise.resolve(fail('bad-request', 'malformed request'));
  return (handlers[msg.type] as (m: BackgroundToHost) => Promise<unknown>)(msg);
});

// Feature visualisations are kept in IndexedDB (this document's extension origin), so they survive restarts.
engine.visCache = {
  get: async (key) => (await netlensDb()).get('featureVis', key),
  put: async (key, v) => { await (await netlensDb()).put('featureVis', v, key); },
};
engine.seen = { add: addSeen };
engine.emitTrain = (p) => post({ type: 'offscreen/train-progress', ...p } as HostToBackground);
engine.encodePng = async (pixels, width, height) => {
  const c = new OffscreenCanvas(width, height);
  c.getContext('2d')!.putImageData(new ImageData(pixels as Uint8ClampedArray<ArrayBuffer>, width, height), 0, 0);
  const blob = await c.convertToBlob({ type: 'image/png' });
  return await new Promise<string>((resolve, reject) => { const r = new FileReader(); r.onload = () => resolve(String(r.result)); r.onerror = () => reject(r.error); r.readAsDataURL(blob); });
};

// For the benchmark and tests, reached only through the DevTools protocol (no page can see this document).
(globalThis as Record<string, unknown>).__netlens = { engine, tf, explain: { LayersAdapter, getMethod, METHODS, faithfulness, toModelInput }, layers: { computeActivations, visualiseChannel } };
