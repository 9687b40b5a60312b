// Teaching NetLens new classes from images on a page: add examples through the real context-menu listener,
// train, classify held-out images, survive a browser restart and a service-worker stop during training.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { startGallery, type Gallery } from '../support/gallery.mjs';
import { crops } from '../support/crops.mjs';
import { clickMenu, openGalleryPage, launch, setSettings, type Harness } from '../support/browser.mjs';
import { nextTeachStatus } from '../support/setup';
import { DEFAULT_METHOD } from '../../src/features/explain/catalog';

const TRAIN = { zebra: crops('giraffe.jpg', 8, 11), beach: crops('kite.jpg', 8, 12) };
const HELD_OUT = { zebra: crops('giraffe.jpg', 5, 91), beach: crops('kite.jpg', 5, 92) };

async function classes(h: Harness) {
  return h.sw.evaluate(() => new Promise<{ id: string; name: string }[]>((resolve, reject) => {
    const req = indexedDB.open('netlens');
    req.onsuccess = () => {
      const tx = req.result.transaction('classes');
      const all = tx.objectStore('classes').getAll();
      all.onsuccess = () => { resolve(all.result); req.result.close(); };
      all.onerror = () => reject(all.error);
    };
    req.onerror = () => reject(req.error);
  }));
}
async function exampleCount(h: Harness) {
  return h.sw.evaluate(() => new Promise<number>((resolve) => {
    const req = indexedDB.open('netlens');
    req.onsuccess = () => { const c = req.result.transaction('examples').objectStore('examples').count(); c.onsuccess = () => { resolve(c.result); req.result.close(); }; };
  }));
}

/** Fires the menu item for `srcUrl` and waits for the add to finish (its status in storage.session). */
async function addVia(h: Harness, page: Page, menuItemId: string, srcUrl: string, answerPrompt?: string) {
  const tabs = await h.sw.evaluate(async (u) => (await chrome.tabs.query({})).find((t) => t.url === u)?.id, page.url());
  const before = await h.sw.evaluate(async () => ((await chrome.storage.session.get('teachStatus')).teachStatus as { at: number } | undefined)?.at ?? 0);
  // The menu comes after a right-click, which is when a frame starts listening to the extension.
  await page.mouse.click(4, 4, { button: 'right' });
  await h.sw.evaluate(async ({ tabId, menuItemId, srcUrl }) => {
    const tab = await chrome.tabs.get(tabId);
    (chrome.contextMenus.onClicked as unknown as { dispatch(i: unknown, t: unknown): void }).dispatch({ menuItemId, parentMenuItemId: 'netlens-add', srcUrl, frameId: 0, mediaType: 'image' }, tab);
  }, { tabId: tabs!, menuItemId, srcUrl });
  if (answerPrompt !== undefined) {
    // The prompt lives in a closed shadow root: answer it the way a user does, by typing.
    await page.bringToFront();
    await page.waitForFunction(() => Boolean(document.querySelector('netlens-prompt')));
    await page.keyboard.type(answerPrompt);
    await page.keyboard.press('Enter');
  }
  return nextTeachStatus(h, before);
}

async function train(h: Harness, page: Page) {
  const popup = await h.context.newPage();
  await popup.goto(`chrome-extension://${h.extId}/src/popup/index.html`);
  const r = await popup.evaluate(() => chrome.runtime.sendMessage({ type: 'popup/train', hidden: 0 }));
  await popup.close();
  void page;
  return r as { ok: boolean };
}

async function waitTrained(h: Harness) {
  for (let i = 0; i < 1200; i++) {
    const t = await h.sw.evaluate(async () => (await chrome.storage.session.get('training')).training as { status: string; summary?: { valAccuracy: number; confusion: number[][]; classNames: string[] }; error?: string } | undefined).catch(() => undefined);
    if (t && t.status !== 'running') return t;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error('training did not finish');
}

describe('teach NetLens two classes', () => {
  let gallery: Gallery;
  let h: Harness;
  let page: Page;
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'netlens-teach-'));
  const predictions: { className: string; prob: number }[][] = [];

  beforeAll(async () => {
    gallery = await startGallery();
    h = await launch({ userDataDir: profile });
    page = await openGalleryPage(h, gallery);
  });
  afterAll(async () => { await h?.close().catch(() => undefined); await gallery?.close(); fs.rmSync(profile, { recursive: true, force: true }); });

  test('examples added from the context menu, the first of each class through "New class…"', async () => {
    for (const [name, urls] of Object.entries(TRAIN)) {
      const first = await addVia(h, page, 'netlens-add-new', urls[0]!, name);
      expect(first.kind).toBe('added');
      expect(first.message).toContain(`“${name}”`);
      const id = (await classes(h)).find((c) => c.name === name)!.id;
      for (const u of urls.slice(1)) expect((await addVia(h, page, `netlens-add:${id}`, u)).kind).toBe('added');
    }
    expect((await classes(h)).map((c) => c.name).sort()).toEqual(['beach', 'zebra']);
    expect(await exampleCount(h)).toBe(16);
  });

  test('training finishes with a validation accuracy and a confusion matrix', async () => {
    expect((await train(h, page)).ok).toBe(true);
    const t = await waitTrained(h);
    expect(t.status).toBe('done');
    expect(t.summary!.classNames.sort()).toEqual(['beach', 'zebra']);
    expect(t.summary!.valAccuracy).toBeGreaterThanOrEqual(0.75);
    expect(t.summary!.confusion).toHaveLength(2);
  }, 180_000);

  test('held-out images are classified correctly (≥ 90 %) in "My classes" mode', async () => {
    await setSettings(h, { mode: 'custom' } as never);
    let right = 0, total = 0;
    for (const [name, urls] of Object.entries(HELD_OUT)) {
      for (const u of urls) {
        const s = await clickMenu(h, page, { srcUrl: u });
        if (s.status !== 'done') throw new Error(JSON.stringify(s).slice(0, 300));
        const top = s.result.custom!.predictions;
        predictions.push(top.map((p) => ({ className: p.className, prob: p.prob })));
        total++;
        if (top[0]!.className === name) right++;
      }
    }
    console.log(`teach: held-out accuracy ${right}/${total}`);
    expect(right / total).toBeGreaterThanOrEqual(0.9);
  }, 120_000);

  test('the default method explains one of my classes (gradients through the trained head)', async () => {
    const s = await clickMenu(h, page, { srcUrl: HELD_OUT.zebra[0]! });
    if (s.status !== 'done') throw new Error(JSON.stringify(s).slice(0, 300));
    const tabId = await h.sw.evaluate(async (u) => (await chrome.tabs.query({})).find((t) => t.url === u)!.id!, page.url());
    const popup = await h.context.newPage();
    await popup.goto(`chrome-extension://${h.extId}/src/popup/index.html?tab=${tabId}&view=explain`);
    const canvas = popup.locator(`[data-testid=saliency-canvas][data-method="${DEFAULT_METHOD}"]`);
    await expect.poll(() => canvas.getAttribute('data-ready'), { timeout: 60_000 }).toBe('true');
    expect(await canvas.getAttribute('data-head')).toBe('custom');
    expect(Number(await canvas.getAttribute('data-class-index'))).toBe(s.result.custom!.predictions[0]!.index);
    const label = await popup.getByTestId('class-picker').evaluate((el) => (el as HTMLSelectElement).selectedOptions[0]!.textContent);
    expect(label).toBe('zebra');
    await popup.close();
  });

  test('after a browser restart on the same profile: the classes, the head and identical predictions', async () => {
    await h.close({ keepProfile: true });
    h = await launch({ userDataDir: profile });
    page = await openGalleryPage(h, gallery);
    expect((await classes(h)).map((c) => c.name).sort()).toEqual(['beach', 'zebra']);
    expect(await exampleCount(h)).toBe(16);
    let i = 0;
    for (const urls of Object.values(HELD_OUT)) {
      for (const u of urls) {
        const s = await clickMenu(h, page, { srcUrl: u });
        if (s.status !== 'done') throw new Error(JSON.stringify(s).slice(0, 300));
        const now = s.result.custom!.predictions.map((p) => ({ className: p.className, prob: p.prob }));
        expect(now.map((p) => p.className)).toEqual(predictions[i]!.map((p) => p.className));
        now.forEach((p, k) => expect(p.prob).toBeCloseTo(predictions[i]![k]!.prob, 6));
        i++;
      }
    }
  }, 120_000);

  test('stopping the service worker during training loses no example, and training still completes', async () => {
    expect((await train(h, page)).ok).toBe(true);
    const cdp = await h.context.newCDPSession(page);
    await cdp.send('ServiceWorker.enable');
    await new Promise((r) => setTimeout(r, 300));
    await cdp.send('ServiceWorker.stopAllWorkers');
    // Wake a fresh worker (any extension event does) and read what it kept.
    const popup = await h.context.newPage();
    await popup.goto(`chrome-extension://${h.extId}/src/popup/index.html`);
    const t = await waitTrained(h);
    await popup.close();
    expect(t.status).toBe('done');
    expect(await exampleCount(h)).toBe(16);
  }, 180_000);

  test('export, then import into a fresh profile: identical predictions; a corrupt or foreign file changes nothing', async () => {
    // The head was retrained by the previous test: take this session's predictions as the reference.
    const reference: { className: string; prob: number }[][] = [];
    for (const urls of Object.values(HELD_OUT)) {
      for (const u of urls) {
        const s = await clickMenu(h, page, { srcUrl: u });
        if (s.status !== 'done') throw new Error(JSON.stringify(s).slice(0, 300));
        reference.push(s.result.custom!.predictions.map((p) => ({ className: p.className, prob: p.prob })));
      }
    }
    const popup = await h.context.newPage();
    await popup.goto(`chrome-extension://${h.extId}/src/popup/index.html`);
    const exported = await popup.evaluate(() => chrome.runtime.sendMessage({ type: 'popup/export' })) as { ok: boolean; filename: string; data: string };
    await popup.close();
    expect(exported.ok).toBe(true);
    expect(exported.filename).toMatch(/^netlens-classes-mobilenet-v1-0\.75-224-.*\.zip$/);
    const fresh = await launch();
    try {
      const p2 = await openGalleryPage(fresh, gallery);
      const pop = await fresh.context.newPage();
      await pop.goto(`chrome-extension://${fresh.extId}/src/popup/index.html`);
      const send = (m: unknown) => pop.evaluate((msg) => chrome.runtime.sendMessage(msg), m) as Promise<{ ok: boolean; error?: { message: string }; classes?: number; examples?: number }>;
      // Corrupt: one byte flipped in the middle of the zip.
      const bytes = Buffer.from(exported.data, 'base64');
      bytes[bytes.length >> 1] = bytes[bytes.length >> 1]! ^ 0xff;
      const bad = await send({ type: 'popup/import', data: bytes.toString('base64') });
      expect(bad.ok).toBe(false);
      expect(bad.error!.message).toMatch(/damaged|not a readable zip|checksum/);
      expect(await classes(fresh)).toEqual([]);
      // Foreign: the same file while another backbone is selected.
      await setSettings(fresh, { modelId: 'darknet-tiny-imagenet' });
      const foreign = await send({ type: 'popup/import', data: exported.data });
      expect(foreign.error!.message).toMatch(/taught on mobilenet-v1-0\.75-224, but the current model is Darknet/);
      expect(await classes(fresh)).toEqual([]);
      await setSettings(fresh, { modelId: 'mobilenet-v1-0.75-224', mode: 'custom' } as never);
      const ok = await send({ type: 'popup/import', data: exported.data });
      expect(ok).toMatchObject({ ok: true, classes: 2, examples: 16 });
      await pop.close();
      let i = 0;
      for (const urls of Object.values(HELD_OUT)) {
        for (const u of urls) {
          const s = await clickMenu(fresh, p2, { srcUrl: u });
          if (s.status !== 'done') throw new Error(JSON.stringify(s).slice(0, 300));
          const now = s.result.custom!.predictions;
          expect(now.map((p) => p.className)).toEqual(reference[i]!.map((p) => p.className));
          now.forEach((p, k) => expect(p.prob).toBeCloseTo(reference[i]![k]!.prob, 6));
          i++;
        }
      }
    } finally {
      await fresh.close();
    }
  }, 180_000);
});
