// The model host's wiring, shared by Chrome's model worker (src/offscreen/worker.ts) and Firefox's event page
// (src/event-page/index.ts): the TF.js runtime, its files, its caches, and every feature's handlers. The two
// differ only in how progress reports leave (`post`) and how requests arrive.
import { createModelHost, type HostPlatform, type ModelHostRuntime } from '../engine/host-runtime';
import { registerWasmGradientKernels } from '../engine/kernels/wasm-grads';
import type { BackgroundToHost, Handlers, HostToBackground } from '../shared/messages';
import { addSeen, netlensDb } from '../shared/db';
import { registerFeatures } from '../features/host';

export function wireModelHost(post: (msg: HostToBackground) => void): { runtime: ModelHostRuntime; handlers: Handlers<BackgroundToHost> } {
  registerWasmGradientKernels();
  const platform: HostPlatform = {
    async read(path) {
      // The extension's own origin (no runtime API in a worker): the page's or worker's location is in it.
      const res = await fetch(new URL(`/models/${path}`, location.href));
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
