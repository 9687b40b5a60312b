// Privacy: during a full session, the only network requests are the local gallery and the images the user
// asked about (read from Chromium's own net log, so nothing the extension does can hide from it).
// Load: 100 classifications and 20 explanations in a row leave no tensors behind and bounded heap growth.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GALLERY_ITEMS, startGallery, type Gallery } from '../support/gallery.mjs';
import { attachOffscreen, clickMenu, explainInHost, launch, openGalleryPage, openPopup, tabIdOf, type Harness } from '../support/browser.mjs';
import { useExtension } from '../support/setup';

describe('privacy: every request the browser makes', () => {
  let gallery: Gallery;
  let h: Harness;
  const netlog = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'netlens-netlog-')), 'net.json');

  beforeAll(async () => {
    gallery = await startGallery();
    h = await launch({ extraArgs: [`--log-net-log=${netlog}`, '--net-log-capture-mode=Default'] });
  });
  afterAll(async () => { await gallery?.close(); fs.rmSync(path.dirname(netlog), { recursive: true, force: true }); });

  test('only the gallery and the clicked images appear in the net log', async () => {
    const page = await openGalleryPage(h, gallery);
    const asked: string[] = [];
    for (const item of GALLERY_ITEMS.filter((i) => i.kind === 'same-origin' || i.kind === 'cross-origin' || i.kind === 'srcset')) {
      const src = await page.locator(`#${item.id}`).evaluate((e) => (e as HTMLImageElement).currentSrc);
      asked.push(src);
      expect((await clickMenu(h, page, { srcUrl: src })).status).toBe('done');
    }
    const popup = await openPopup(h, await tabIdOf(h, page));
    await popup.getByTestId('tab-explain').click();
    await expect.poll(() => popup.locator('[data-testid=saliency-canvas]').getAttribute('data-ready'), { timeout: 60_000 }).toBe('true');
    await popup.close();
    await h.close(); // flushes the net log

    // Every URL request the network stack started, with who started it.
    const log = JSON.parse(fs.readFileSync(netlog, 'utf8')) as { constants: { logEventTypes: Record<string, number> }; events: { type: number; params?: { url?: string; initiator?: string } }[] };
    const START = log.constants.logEventTypes.URL_REQUEST_START_JOB;
    const requests = log.events.filter((e) => e.type === START && e.params?.url && /^(https?|wss?):/i.test(e.params.url)).map((e) => ({ url: e.params!.url!, initiator: e.params!.initiator ?? '' }));
    expect(requests.length).toBeGreaterThan(0); // the log really captured requests
    const ext = `chrome-extension://${h.extId}`;
    const local = new Set([new URL(gallery.origin).host, new URL(gallery.crossOrigin).host]);
    // 1. What NetLens itself fetched: exactly the images the user asked about, nothing else.
    const byExtension = [...new Set(requests.filter((r) => r.initiator === ext).map((r) => r.url))].sort();
    expect(byExtension).toEqual([...new Set(asked)].sort());
    // 2. What web pages fetched: only the local gallery.
    expect(requests.filter((r) => /^https?:/.test(r.initiator)).filter((r) => !local.has(new URL(r.url).host))).toEqual([]);
    // 3. Everything else is Chromium's own background traffic (component updates, account checks), which has
    //    no initiator and happens on a bare about:blank launch with no extension activity too.
    const other = requests.filter((r) => r.initiator !== ext && !/^https?:/.test(r.initiator) && !local.has(new URL(r.url).host));
    for (const r of other) {
      expect(r.initiator).toBe('not an origin');
      expect(new URL(r.url).host).toMatch(/(^|\.)(google\.com|googleapis\.com|gvt1\.com)$/);
    }
  }, 180_000);
});

describe('load: 100 classifications and 20 explanations', () => {
  const env = useExtension({ extraArgs: ['--js-flags=--expose-gc'] });

  test('tensor count returns to its baseline; JS heap grows < 20 MB', async () => {
    const photos = ['dog.jpg', 'eagle.jpg', 'giraffe.jpg', 'horses.jpg', 'kite.jpg', 'person.jpg', 'scream.jpg'];
    const tabId = await tabIdOf(env.h, env.page);
    // Warm-up: fill the bounded caches (recent inputs and maps) so the baseline includes them.
    for (let i = 0; i < 8; i++) expect((await clickMenu(env.h, env.page, { srcUrl: `${env.gallery.origin}/images/${photos[i % 7]}` })).status).toBe('done');
    const off = await attachOffscreen(env.h);
    const measure = () => off.idle().then(async () => ({
      tensors: await off.evaluate<number>(`(async () => {
        for (let i = 0; i < 3; i++) { gc(); await new Promise((r) => setTimeout(r, 50)); }
        return globalThis.__netlens.tf.memory().numTensors;
      })()`),
      heap: (await off.heapMB()) * 2 ** 20,
    }));
    const explainOnce = (jobId: string, method: string) => explainInHost(env.h, tabId, method, jobId);
    expect((await explainOnce('warm', 'grad-cam')).ok).toBe(true);
    const base = await measure();
    for (let i = 0; i < 100; i++) {
      const s = await clickMenu(env.h, env.page, { srcUrl: `${env.gallery.origin}/images/${photos[i % 7]}?n=${i}` });
      expect(s.status).toBe('done');
      if (i % 5 === 4) expect((await explainOnce(`j${i}`, i % 10 === 4 ? 'grad-cam' : 'gradient')).ok).toBe(true);
    }
    const end = await measure();
    await off.detach();
    console.log(`load: tensors ${base.tensors} → ${end.tensors}, heap ${(base.heap / 2 ** 20).toFixed(1)} → ${(end.heap / 2 ** 20).toFixed(1)} MB`);
    expect(end.tensors).toBe(base.tensors);
    expect(end.heap - base.heap).toBeLessThan(20 * 2 ** 20);
  }, 300_000);
});
