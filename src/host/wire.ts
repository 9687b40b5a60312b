// The model host's wiring, shared by Chrome's offscreen document (src/offscreen/main.ts) and Firefox's event page
// (src/event-page/index.ts): the TF.js runtime, its files, its caches, and every feature's handlers. The two
// differ only in how progress reports leave (`post`) and how requests arrive.
import browser from 'webextension-polyfill';
import { createModelHost, type HostPlatform, type ModelHostRuntime } from '../engine/host-runtime';
import { registerWasmGradientKernels } from '../engine/kernels/wasm-grads';
import type { BackgroundToHost, Handlers, HostToBackground } from '../shared/messages';
import { addSeen, netlensDb } from '../shared/db';
import { registerFeatures } from '../features/host';

export function wireModelHost(post: (msg: HostToBackground) => void): { runtime: ModelHostRuntime; handlers: Handlers<BackgroundToHost> } {
  registerWasmGradientKernels();
  const platform: HostPlatform = {
    async read(path) {
      const res = await fetch(browser.runtime.getURL(`models/${path}`));
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      return res.arrayBuffer();
    },
    post,
  };
  const runtime = createModelHost(platform);
  const features = registerFeatures(runtime, {
    // Feature visualisations are kept in IndexedDB (the extension's origin), so they survive restarts.
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
  // Every request counts as work for the idle release (a job's request lasts as long as the job).
  const handlers = Object.fromEntries(Object.entries(features).map(([type, handle]) => [type, (msg: never) => runtime.release.around(() => (handle as (m: never) => Promise<unknown>)(msg))])) as unknown as Handlers<BackgroundToHost>;
  return { runtime, handlers };
}
