// What the web throws at NetLens: bad images, faults in the extension's own parts, bursts of work, and pages
// that try to drive it. Every case ends in a correct answer or a clear message, and the next image still works.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { startGallery, type Gallery } from '../support/gallery.mjs';
import { DIST, attachOffscreen, clickMenu, openGalleryPage, launch, openPopup, setSettings, tabIdOf, type Harness } from '../support/browser.mjs';
import type { TabState } from '../../src/features/classify/contract';

type Done = Extract<TabState, { status: 'done' }>;
type Failed = Extract<TabState, { status: 'error' }>;
const done = (s: TabState): Done => { if (s.status !== 'done') throw new Error(`expected a result, got ${JSON.stringify(s).slice(0, 400)}`); return s; };
const failed = (s: TabState): Failed => { if (s.status !== 'error') throw new Error(`expected an error, got ${JSON.stringify(s).slice(0, 400)}`); return s; };

let gallery: Gallery;
let h: Harness;
let page: Page;

/** After any failure, a real photo must still classify correctly. */
async function nextStillWorks() {
  const s = done(await clickMenu(h, page, { srcUrl: gallery.origin + '/images/giraffe.jpg' }));
  expect(s.result.predictions[0]!.index).toBe(340);
}

beforeAll(async () => {
  gallery = await startGallery();
  h = await launch();
  page = await openGalleryPage(h, gallery);
});
afterAll(async () => { await h?.close(); await gallery?.close(); });

// In its own browser and with its own gallery server. Under load it once showed "loading" forever: a model-load
// progress tick read the tab state, the error answer was written, then the tick wrote its stale "loading" back.
// Tab state changes now go through one queue per tab (src/background/tab-store.ts); the diagnostics stay.
describe('a damaged build', () => {
  test('a corrupt model file in the build: an error naming the model; another model still works', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netlens-corrupt-'));
    fs.cpSync(DIST, dir, { recursive: true });
    const shard = path.join(dir, 'models/darknet-tiny-imagenet/group3-shard1of1');
    const bytes = fs.readFileSync(shard); bytes[10] = bytes[10]! ^ 0xff; fs.writeFileSync(shard, bytes);
    const gallery = await startGallery(); // its own server: see the note above
    const h2 = await launch({ extDir: dir });
    try {
      const p2 = await openGalleryPage(h2, gallery);
      // An explicit backend: this case is about the damaged model, not the one-time backend measurement.
      await setSettings(h2, { modelId: 'darknet-tiny-imagenet', backend: 'wasm' });
      const s = failed(await clickMenu(h2, p2, { srcUrl: gallery.origin + '/images/dog.jpg' }, 45_000).catch(async (e) => {
        const diag = await h2.sw.evaluate(async () => ({
          session: JSON.stringify(await chrome.storage.session.get(null)).slice(0, 800),
          contexts: (await chrome.runtime.getContexts({})).map((c) => `${c.contextType} ${c.documentUrl ?? ''}`),
        })).catch((x) => String(x));
        console.log('DIAG', JSON.stringify(diag));
        throw e;
      }));
      expect(s.error.code).toBe('model-load-failed');
      expect(s.error.message).toMatch(/Darknet/);
      expect(s.error.message).toMatch(/group3-shard1of1 is corrupt/);
      await setSettings(h2, { modelId: 'mobilenet-v1-0.25-224' });
      const ok = done(await clickMenu(h2, p2, { srcUrl: gallery.origin + '/images/dog.jpg' }));
      expect(ok.result.modelId).toBe('mobilenet-v1-0.25-224');
    } finally {
      await h2.close();
      fs.rmSync(dir, { recursive: true, force: true });
      await gallery.close();
    }
  });
});

describe('bad input', () => {
  test('404: a clear message, shown in the popup', async () => {
    const s = failed(await clickMenu(h, page, { srcUrl: gallery.origin + '/missing.jpg' }));
    expect(s.error.code).toBe('http-status');
    expect(s.error.message).toMatch(/404/);
    const popup = await openPopup(h, await tabIdOf(h, page));
    await expect.poll(() => popup.getByTestId('error').textContent()).toMatch(/404/);
    await popup.close();
    await nextStillWorks();
  });

  test('a URL that returns HTML', async () => {
    const s = failed(await clickMenu(h, page, { srcUrl: gallery.origin + '/not-an-image.jpg' }));
    expect(s.error.code).toBe('not-an-image');
    expect(s.error.message).toMatch(/web page \(text\/html\)/);
    await nextStillWorks();
  });

  test('an SVG image is drawn and classified', async () => {
    const s = done(await clickMenu(h, page, { srcUrl: gallery.origin + '/test.svg' }));
    expect(s.result.image.originalWidth).toBe(200);
    expect(s.result.predictions).toHaveLength(5);
  });

  test('an animated GIF: the first frame is used', async () => {
    const s = done(await clickMenu(h, page, { srcUrl: gallery.origin + '/anim.gif' }));
    const popup = await openPopup(h, await tabIdOf(h, page));
    const rgb = await popup.evaluate(async (src) => {
      const img = new Image(); img.src = src; await img.decode();
      const c = document.createElement('canvas'); c.width = img.width; c.height = img.height;
      const g = c.getContext('2d')!; g.drawImage(img, 0, 0);
      return Array.from(g.getImageData(img.width >> 1, img.height >> 1, 1, 1).data.slice(0, 3));
    }, s.result.thumbnail);
    await popup.close();
    expect(rgb[0]).toBeGreaterThan(150); // red, the first frame (the second is blue)
    expect(rgb[2]).toBeLessThan(100);
  });

  test('a 1×1 PNG is classified without fuss', async () => {
    const s = done(await clickMenu(h, page, { srcUrl: gallery.origin + '/tiny.png' }));
    expect(s.result.image).toMatchObject({ originalWidth: 1, originalHeight: 1 });
    expect(s.result.predictions.reduce((a, p) => a + p.prob, 0)).toBeLessThanOrEqual(1 + 1e-6);
  });

  test('a 12000×12000 JPEG is decoded straight to 2048 px; tensors and memory come back', async () => {
    const off = await attachOffscreen(h);
    const mem = () => off.evaluate<{ tensors: number; bytes: number }>('(({ tf }) => ({ tensors: tf.memory().numTensors, bytes: tf.memory().numBytes }))(globalThis.__netlens)');
    await off.idle();
    const before = await mem();
    const s = done(await clickMenu(h, page, { srcUrl: gallery.origin + '/huge.jpg' }));
    expect(s.result.image).toEqual({ width: 2048, height: 2048, originalWidth: 12000, originalHeight: 12000 });
    await off.idle();
    const after = await mem();
    expect(after.tensors).toBe(before.tensors + 1); // + the cached model input of this request (kept for Explain)
    expect(after.bytes - before.bytes).toBe(224 * 224 * 3 * 4);
    await off.detach();
    await nextStillWorks();
  });

  test('a truncated JPEG: an answer for what decodes, or a clear message', async () => {
    const s = await clickMenu(h, page, { srcUrl: gallery.origin + '/truncated.jpg' });
    if (s.status === 'error') expect(s.error.message).toMatch(/could not decode|truncated/);
    else expect(done(s).result.predictions).toHaveLength(5);
    await nextStillWorks();
  });

  test('a data: URL that is not an image', async () => {
    const s = failed(await clickMenu(h, page, { srcUrl: 'data:text/plain;base64,' + Buffer.from('hello, not a picture').toString('base64') }));
    expect(s.error.code).toBe('decode-failed');
    expect(s.error.message).toMatch(/could not decode/);
    await nextStillWorks();
  });

  test('a revoked blob: URL still works while the picture is shown (it is read from the element)', async () => {
    await page.evaluate(() => { const img = document.getElementById('blob') as HTMLImageElement; URL.revokeObjectURL(img.src); });
    await page.locator('#blob').click({ button: 'right' });
    const src = await page.locator('#blob').evaluate((e) => (e as HTMLImageElement).currentSrc);
    const s = done(await clickMenu(h, page, { srcUrl: src }));
    expect(s.result.source.kind).toBe('blob');
    expect(s.result.predictions[0]!.className).toMatch(/malamute/);
  });

  test('a revoked blob: URL with no element to read: a clear message', async () => {
    const url = await page.evaluate(() => { const u = URL.createObjectURL(new Blob(['x'], { type: 'image/png' })); URL.revokeObjectURL(u); return u; });
    await page.locator('#not-an-image').click({ button: 'right' });
    const s = failed(await clickMenu(h, page, { srcUrl: url }));
    expect(s.error.message).toMatch(/blob/i);
    await nextStillWorks();
  });

  test('a server that never answers: timed out after 15 s with a message', async () => {
    const t0 = Date.now();
    const s = failed(await clickMenu(h, page, { srcUrl: gallery.origin + '/hang.jpg' }, 60_000));
    expect(s.error.code).toBe('timeout');
    expect(s.error.message).toMatch(/did not answer within 15 s/);
    expect(Date.now() - t0).toBeGreaterThan(14_000);
    await nextStillWorks();
  }, 60_000);
});

describe('faults', () => {
  test('the offscreen document closed mid-request: retried on a new one, later requests work', async () => {
    const tabId = await tabIdOf(h, page);
    const s = await h.sw.evaluate(async ({ tabId, src }) => {
      const tab = await chrome.tabs.get(tabId);
      (chrome.contextMenus.onClicked as unknown as { dispatch(i: unknown, t: unknown): void }).dispatch({ menuItemId: 'netlens-classify', srcUrl: src, frameId: 0 }, tab);
      // Wait for the request to reach the model host, then pull the document out from under it.
      for (let i = 0; i < 200; i++) {
        const st = (await chrome.storage.session.get(`tab:${tabId}`))[`tab:${tabId}`] as { status: string; phase?: string } | undefined;
        if (st?.status === 'loading' && st.phase !== 'capture') break;
        await new Promise((r) => setTimeout(r, 5));
      }
      await chrome.offscreen.closeDocument();
      for (let i = 0; i < 600; i++) {
        const st = (await chrome.storage.session.get(`tab:${tabId}`))[`tab:${tabId}`] as { status: string } | undefined;
        if (st && st.status !== 'loading') return st;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error('no final state');
    }, { tabId, src: gallery.origin + '/images/kite.jpg' }) as TabState;
    if (s.status === 'error') expect(s.error.message).toMatch(/try again/i);
    else expect(done(s).result.predictions[0]!.index).toBe(701);
    await nextStillWorks();
  });

  test('the service worker stopped mid-request: the popup says "interrupted, try again"', async () => {
    const tabId = await tabIdOf(h, page);
    await h.sw.evaluate(async ({ tabId, src }) => {
      const tab = await chrome.tabs.get(tabId);
      (chrome.contextMenus.onClicked as unknown as { dispatch(i: unknown, t: unknown): void }).dispatch({ menuItemId: 'netlens-classify', srcUrl: src, frameId: 0 }, tab);
      await new Promise((r) => setTimeout(r, 300));
    }, { tabId, src: gallery.origin + '/hang.jpg' });
    const cdp = await h.context.newCDPSession(page);
    await cdp.send('ServiceWorker.enable');
    await cdp.send('ServiceWorker.stopAllWorkers');
    const popup = await openPopup(h, tabId); // its messages wake a fresh worker, which finds the orphaned request
    await expect.poll(() => popup.getByTestId('error').textContent(), { timeout: 20_000 }).toMatch(/restarted .* try again/i);
    expect(await popup.getByTestId('error').getAttribute('data-code')).toBe('interrupted');
    await popup.close();
    await nextStillWorks();
  });

});

describe('load', () => {
  test('20 right-clicks on 20 different images within a second: all answered, correct, in order', async () => {
    const tops: Record<string, number> = { 'dog.jpg': 249, 'eagle.jpg': 21, 'giraffe.jpg': 340, 'horses.jpg': 348, 'kite.jpg': 701, 'person.jpg': 355, 'scream.jpg': 840 };
    const names = Object.keys(tops);
    const urls = Array.from({ length: 20 }, (_, i) => `${gallery.crossOrigin}/images/${names[i % 7]}?copy=${i}`);
    const tabId = await tabIdOf(h, page);
    const r = await h.sw.evaluate(async ({ tabId, urls }) => {
      await chrome.storage.session.remove(`history:${tabId}`);
      const tab = await chrome.tabs.get(tabId);
      const t0 = performance.now();
      for (const src of urls) (chrome.contextMenus.onClicked as unknown as { dispatch(i: unknown, t: unknown): void }).dispatch({ menuItemId: 'netlens-classify', srcUrl: src, frameId: 0 }, tab);
      const dispatchMs = performance.now() - t0;
      let maxDepth = 0;
      for (let i = 0; i < 2400; i++) {
        const all = await chrome.storage.session.get([`history:${tabId}`, `tab:${tabId}`]);
        const st = all[`tab:${tabId}`] as { status: string; queueDepth?: number };
        if (st?.status === 'loading') maxDepth = Math.max(maxDepth, st.queueDepth ?? 0);
        const hist = (all[`history:${tabId}`] ?? []) as { status: string; source: string; top: { index: number } | null }[];
        if (hist.length >= urls.length) return { dispatchMs, maxDepth, hist };
        await new Promise((res) => setTimeout(res, 25));
      }
      throw new Error('not all answered');
    }, { tabId, urls });
    expect(r.dispatchMs).toBeLessThan(1000);
    expect(r.hist).toHaveLength(20);
    expect(r.hist.map((e) => e.source)).toEqual(urls); // served in the order clicked
    r.hist.forEach((e, i) => { expect(e.status).toBe('done'); expect(e.top!.index).toBe(tops[names[i % 7]!]); });
    expect(r.maxDepth).toBeGreaterThan(1); // the queue depth was reported while it drained
  }, 120_000);
});

describe('security', () => {
  test('the manifest: no externally_connectable, strict CSP, minimal permissions', () => {
    const m = JSON.parse(fs.readFileSync(path.join(DIST, 'manifest.json'), 'utf8'));
    expect(m.externally_connectable).toBeUndefined();
    expect(m.content_security_policy.extension_pages).toBe("script-src 'self' 'wasm-unsafe-eval'; object-src 'self'");
    expect([...m.permissions].sort()).toEqual(['contextMenus', 'offscreen', 'storage']);
  });

  test('a web page cannot reach the extension: no runtime API, postMessage ignored', async () => {
    const before = await h.sw.evaluate(async () => JSON.stringify(await chrome.storage.session.get(null)));
    const reach = await page.evaluate(async () => {
      const w = window as unknown as { chrome?: { runtime?: { sendMessage?: unknown } } };
      window.postMessage({ type: 'bg/classify', target: 'offscreen', requestId: 'x', source: { url: 'http://evil.test/a.jpg', kind: 'img' } }, '*');
      window.postMessage({ type: 'popup/reclassify', tabId: 1 }, '*');
      await new Promise((r) => setTimeout(r, 500));
      return typeof w.chrome?.runtime?.sendMessage;
    });
    expect(reach).toBe('undefined');
    expect(await h.sw.evaluate(async () => JSON.stringify(await chrome.storage.session.get(null)))).toBe(before);
  });

  test('forged messages from an extension page are refused with no side effect', async () => {
    const tabId = await tabIdOf(h, page);
    const popup = await openPopup(h, tabId);
    await popup.waitForSelector('[data-testid=status]');
    const before = await h.sw.evaluate(async () => JSON.stringify(await chrome.storage.session.get(null)));
    const replies = await popup.evaluate(async (tabId) => {
      const send = (m: unknown) => chrome.runtime.sendMessage(m).catch((e: Error) => ({ thrown: e.message }));
      return {
        malformed: await send({ type: 'popup/reclassify', tabId: 'all' }),
        extraKey: await send({ type: 'popup/reclassify', tabId, evil: true }),
        // Only the background may talk to the model host: a page (it has a tab) is refused.
        toHost: await send({ type: 'bg/classify', target: 'offscreen', requestId: 'forged', source: { url: 'http://127.0.0.1:1/x.jpg', kind: 'img' }, modelId: 'mobilenet-v1-0.75-224', backend: 'auto', remembered: null }),
        fakeProgress: await send({ type: 'offscreen/progress', requestId: 'forged', phase: 'model', progress: 0.5, message: 'hacked', queueDepth: 0 }),
        hugeClass: await send({ type: 'popup/explain', tabId, jobId: 'j', task: 'map', method: 'grad-cam', params: {}, classTarget: { kind: 'class', index: 1e9 } }),
      };
    }, tabId);
    await popup.close();
    expect(replies.malformed).toMatchObject({ ok: false, error: { code: 'bad-request' } });
    expect(replies.extraKey).toMatchObject({ ok: false, error: { code: 'bad-request' } });
    expect(replies.toHost).toMatchObject({ ok: false, error: { code: 'bad-request' } });
    expect(replies.fakeProgress).toBeUndefined();
    expect(replies.hugeClass).toMatchObject({ ok: false, error: { code: 'bad-request' } });
    expect(await h.sw.evaluate(async () => JSON.stringify(await chrome.storage.session.get(null)))).toBe(before);
  });
});
