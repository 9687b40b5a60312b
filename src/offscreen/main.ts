// Offscreen document entry: the model host on Chrome, the only place TensorFlow.js runs. Wiring only.
import browser from 'webextension-polyfill';
import { assertContext } from '../shared/context';
import { createModelHost, type HostPlatform } from '../engine/host-runtime';
import { registerWasmGradientKernels } from '../engine/kernels/wasm-grads';
import { BackgroundToHostSchema, type HostToBackground } from '../shared/messages';
import { fail, parse } from '../shared/protocol';
import { addSeen, netlensDb } from '../shared/db';
import { registerFeatures } from '../features/host';

assertContext('offscreen');
registerWasmGradientKernels();

const platform: HostPlatform = {
  async read(path) {
    const res = await fetch(browser.runtime.getURL(`models/${path}`));
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    return res.arrayBuffer();
  },
  // Progress is best effort: the background may be restarting, the popup may be closed.
  post(msg: HostToBackground) { browser.runtime.sendMessage(msg).catch(() => undefined); },
};
const host = createModelHost(platform);
const handlers = registerFeatures(host, {
  // Feature visualisations are kept in IndexedDB (this document's extension origin), so they survive restarts.
  visCache: {
    get: async (key) => (await netlensDb()).get('featureVis', key),
    put: async (key, v) => { await (await netlensDb()).put('featureVis', v, key); },
  },
  seen: { add: (entry, cap) => addSeen(entry, cap) },
  encodePng: async (pixels, width, height) => {
    const c = new OffscreenCanvas(width, height);
    c.getContext('2d')!.putImageData(new ImageData(pixels as Uint8ClampedArray<ArrayBuffer>, width, height), 0, 0);
    const blob = await c.convertToBlob({ type: 'image/png' });
    return await new Promise<string>((resolve, reject) => { const r = new FileReader(); r.onload = () => resolve(String(r.result)); r.onerror = () => reject(r.error); r.readAsDataURL(blob); });
  },
});

browser.runtime.onMessage.addListener((raw: unknown, sender: browser.Runtime.MessageSender) => {
  if ((raw as { target?: unknown })?.target !== 'offscreen') return undefined; // not for us: let others answer
  if (sender.id !== browser.runtime.id || sender.tab) return Promise.resolve(fail('bad-request', 'sender not allowed'));
  const msg = parse(BackgroundToHostSchema, raw);
  if (!msg) return Promise.resolve(fail('bad-request', 'malformed request'));
  return (handlers[msg.type] as (m: typeof msg) => Promise<unknown>)(msg);
});

// Tests and the benchmark reach the runtime through the DevTools protocol; only a test build has this.
if (import.meta.env.MODE === 'test') void import('./test-hooks').then((m) => m.expose(host));
