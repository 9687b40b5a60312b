// The pipe's promises beyond the happy path: a service-worker restart loses nothing, model loading shows
// progress, and huge images are scaled down before they become tensors.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import zlib from 'node:zlib';
import type { Page } from 'playwright-core';
import { startGallery, type Gallery } from '../support/gallery.mjs';
import { attachOffscreen, clickMenu, openGalleryPage, launch, openPopup, setSettings, tabIdOf, type Harness } from '../support/browser.mjs';

/** A w×h RGB PNG with horizontal stripes, built row by row (identical rows compress to almost nothing). */
function stripedPng(w: number, h: number): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => { let c = n; for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1; return c >>> 0; });
  const crc = (b: Buffer) => { let c = 0xffffffff; for (const x of b) c = crcTable[(c ^ x) & 0xff]! ^ (c >>> 8); return (c ^ 0xffffffff) >>> 0; };
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type), data]);
    const c = Buffer.alloc(4); c.writeUInt32BE(crc(td));
    return Buffer.concat([len, td, c]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0); ihdr.writeUInt32BE(h, 4); ihdr[8] = 8; ihdr[9] = 2; // 8-bit RGB
  const rowA = Buffer.alloc(1 + w * 3, 0); for (let i = 1; i < rowA.length; i += 3) { rowA[i] = 200; rowA[i + 1] = 60; rowA[i + 2] = 40; }
  const rowB = Buffer.alloc(1 + w * 3, 0); for (let i = 1; i < rowB.length; i += 3) { rowB[i] = 30; rowB[i + 1] = 90; rowB[i + 2] = 210; }
  const rows: Buffer[] = [];
  for (let y = 0; y < h; y++) rows.push(Math.floor(y / 500) % 2 ? rowB : rowA);
  const idat = zlib.deflateSync(Buffer.concat(rows), { level: 9 });
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', idat), chunk('IEND', Buffer.alloc(0))]);
}

describe('lifecycle', () => {
  let gallery: Gallery;
  let h: Harness;
  let page: Page;

  beforeAll(async () => {
    gallery = await startGallery();
    h = await launch();
    page = await openGalleryPage(h, gallery);
  });
  afterAll(async () => { await h?.close(); await gallery?.close(); });

  test('the first request reports backend choice and model-loading progress, in order', async () => {
    await h.sw.evaluate(() => {
      const g = globalThis as unknown as { __seen: { phase: string; progress: number | null }[] };
      g.__seen = [];
      chrome.storage.onChanged.addListener((ch, area) => {
        for (const [k, v] of Object.entries(ch)) {
          const s = v.newValue as { status?: string; phase: string; progress: number | null } | undefined;
          if (area === 'session' && k.startsWith('tab:') && s?.status === 'loading') g.__seen.push({ phase: s.phase, progress: s.progress });
        }
      });
    });
    const s = await clickMenu(h, page, { srcUrl: gallery.origin + '/images/dog.jpg' });
    expect(s.status).toBe('done');
    const seen = await h.sw.evaluate(() => (globalThis as unknown as { __seen: { phase: string; progress: number | null }[] }).__seen);
    const phases = seen.map((x) => x.phase).filter((p, i, a) => p !== a[i - 1]);
    expect(phases).toEqual(['capture', 'backend', 'model', 'classify']);
    const loading = seen.filter((x) => x.phase === 'model').map((x) => x.progress ?? -1);
    expect(loading.length).toBeGreaterThanOrEqual(3);
    expect(loading.some((p) => p > 0 && p < 1)).toBe(true);
    expect([...loading].sort((a, b) => a - b)).toEqual(loading); // the bar only moves forward
  });

  test('a service-worker restart loses nothing: the popup still shows the result, and the next request works', async () => {
    const first = await clickMenu(h, page, { srcUrl: gallery.origin + '/images/eagle.jpg' });
    expect(first.status).toBe('done');
    const tabId = await tabIdOf(h, page);
    await h.sw.evaluate(() => { (globalThis as Record<string, unknown>).__beforeRestart = true; });
    const cdp = await h.context.newCDPSession(page);
    await cdp.send('ServiceWorker.enable');
    await cdp.send('ServiceWorker.stopAllWorkers');
    const popup = await openPopup(h, tabId); // wakes nothing by itself: it reads storage.session
    try {
      await expect.poll(() => popup.getByTestId('status').getAttribute('data-status')).toBe('done');
      expect(Number(await popup.locator('[data-testid=prediction]').first().getAttribute('data-class-index'))).toBe(21);
      // Any extension event wakes the worker again; the menu listener is registered at top level.
      const again = await clickMenu(h, page, { srcUrl: gallery.origin + '/images/giraffe.jpg' });
      expect(again.status).toBe('done');
      expect(await h.sw.evaluate(() => (globalThis as Record<string, unknown>).__beforeRestart ?? 'fresh global')).toBe('fresh global');
      await expect.poll(() => popup.locator('[data-testid=prediction]').first().getAttribute('data-class-index')).toBe('340');
    } finally {
      await popup.close();
    }
  });

  test('a 12000×12000 image is scaled to 2048 px before it becomes a tensor, and memory comes back', async () => {
    const png = stripedPng(12000, 12000);
    const url = `data:image/png;base64,${png.toString('base64')}`;
    const off = await attachOffscreen(h);
    await off.idle();
    const before = await off.evaluate<{ numTensors: number; numBytes: number }>('(({tf}) => ({ numTensors: tf.memory().numTensors, numBytes: tf.memory().numBytes }))(globalThis.__netlens)');
    const s = await clickMenu(h, page, { srcUrl: url });
    if (s.status !== 'done') throw new Error(JSON.stringify(s));
    expect(s.result.image).toEqual({ width: 2048, height: 2048, originalWidth: 12000, originalHeight: 12000 });
    await off.idle();
    const after = await off.evaluate<{ numTensors: number; numBytes: number }>('(({tf}) => ({ numTensors: tf.memory().numTensors, numBytes: tf.memory().numBytes }))(globalThis.__netlens)');
    // Only the preprocessed model input of this request stays, kept (in a bounded cache) for Explain.
    expect(after.numTensors).toBe(before.numTensors + 1);
    expect(after.numBytes - before.numBytes).toBe(224 * 224 * 3 * 4);
    await off.detach();
  });

  test('an idle host holding much wasm memory is closed, and the next right-click starts and warms a new one', async () => {
    const documents = () => h.sw.evaluate(async () => (await chrome.runtime.getContexts({ contextTypes: [chrome.runtime.ContextType.OFFSCREEN_DOCUMENT] })).length);
    const dog = await clickMenu(h, page, { srcUrl: gallery.origin + '/images/dog.jpg' });
    expect(dog.status).toBe('done');
    let off = await attachOffscreen(h);
    // A classification leaves ~120 MB: under the bound, nothing is armed.
    expect(await off.evaluate('globalThis.__netlens.release.armed')).toBe(false);
    expect(await off.evaluate('globalThis.__netlens.release.policy.aboveBytes')).toBe(400 * 2 ** 20);
    // The bound lowered to 0 (as if a gradient job had left 1 GB) and the delay to 12 s (the background refuses a
    // release within 10 s of a request): the next request arms it.
    await off.evaluate('Object.assign(globalThis.__netlens.release.policy, { aboveBytes: 0, idleMs: 12_000 })');
    await off.detach();
    await h.sw.evaluate(() => chrome.storage.session.set({ warmedAt: Date.now() }));
    expect((await clickMenu(h, page, { srcUrl: gallery.origin + '/images/dog.jpg' })).status).toBe('done');
    expect(await documents()).toBe(1);
    await expect.poll(documents, { timeout: 30_000 }).toBe(0);
    expect(await h.sw.evaluate(async () => (await chrome.storage.session.get('warmedAt')).warmedAt)).toBeNull();
    const eagle = await clickMenu(h, page, { srcUrl: gallery.origin + '/images/eagle.jpg' });
    if (eagle.status !== 'done') throw new Error(JSON.stringify(eagle));
    expect(eagle.result.predictions[0]!.index).toBe(21);
    off = await attachOffscreen(h);
    expect(await off.evaluate('globalThis.__netlens.release.policy.idleMs')).toBe(3 * 60_000);
    await off.detach();
  });

  test('the default model is restored for the next suite', async () => {
    await setSettings(h, { modelId: 'mobilenet-v1-0.75-224', backend: 'auto' });
    const s = await clickMenu(h, page, { srcUrl: gallery.origin + '/images/dog.jpg' });
    expect(s.status === 'done' && s.result.modelId).toBe('mobilenet-v1-0.75-224');
  });
});
