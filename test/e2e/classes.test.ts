// The popup's "My classes" view, driven like a user: classes created in the popup, examples added through the
// real context-menu listener, rename / delete / remove an example in the view (keyboard included), train from
// the view, close and reopen the popup mid-run (it reattaches), then the mode picker and the Prediction tab.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { startGallery, type Gallery } from '../support/gallery.mjs';
import { crops } from '../support/crops.mjs';
import { clickMenu, openGalleryPage, launch, setSettings, tabIdOf, type Harness } from '../support/browser.mjs';
import { nextTeachStatus } from '../support/setup';

const TRAIN = { zebra: crops('giraffe.jpg', 6, 11), beach: crops('kite.jpg', 6, 12) };
const HELD_OUT = { zebra: crops('giraffe.jpg', 2, 91), kite: crops('kite.jpg', 2, 92) };
const SHOTS = process.env.NETLENS_SHOTS;

/** The classes in IndexedDB with their example counts, read from the service worker (the extension origin). */
async function stored(h: Harness) {
  return h.sw.evaluate(() => new Promise<{ id: string; name: string; count: number }[]>((resolve, reject) => {
    const req = indexedDB.open('netlens');
    req.onsuccess = () => {
      const tx = req.result.transaction(['classes', 'examples']);
      const all = tx.objectStore('classes').getAll();
      const ex = tx.objectStore('examples').getAll();
      tx.oncomplete = () => {
        const list = (all.result as { id: string; name: string; createdAt: number }[]).sort((a, b) => a.createdAt - b.createdAt);
        resolve(list.map((c) => ({ id: c.id, name: c.name, count: (ex.result as { classId: string }[]).filter((e) => e.classId === c.id).length })));
        req.result.close();
      };
      tx.onerror = () => reject(tx.error);
    };
    req.onerror = () => reject(req.error);
  }));
}

/** Whether the "Add to NetLens class ▸ <class>" menu item exists (the background rebuilt its menus). */
async function menuExists(h: Harness, classId: string) {
  return h.sw.evaluate(async (id) => {
    try { await chrome.contextMenus.update(`netlens-add:${id}`, {}); return true; } catch { return false; }
  }, classId);
}

/** Fires the menu item for `srcUrl` through the real listener and waits for the add to finish. */
async function addVia(h: Harness, page: Page, classId: string, srcUrl: string) {
  const tabId = await tabIdOf(h, page);
  const before = await h.sw.evaluate(async () => ((await chrome.storage.session.get('teachStatus')).teachStatus as { at: number } | undefined)?.at ?? 0);
  await h.sw.evaluate(async ({ tabId, menuItemId, srcUrl }) => {
    const tab = await chrome.tabs.get(tabId);
    (chrome.contextMenus.onClicked as unknown as { dispatch(i: unknown, t: unknown): void }).dispatch({ menuItemId, parentMenuItemId: 'netlens-add', srcUrl, frameId: 0, mediaType: 'image' }, tab);
  }, { tabId, menuItemId: `netlens-add:${classId}`, srcUrl });
  return nextTeachStatus(h, before);
}

async function trainingStatus(h: Harness) {
  return h.sw.evaluate(async () => ((await chrome.storage.session.get('training')).training as { status: string; phase: string } | undefined) ?? null);
}

/** The stored state of the first run after `before` (a job id) once it has ended. */
async function newRunEnded(h: Harness, before: string | undefined) {
  type Run = { jobId?: string; status?: string; summary?: { learningRate?: number; history?: unknown[] } };
  const runs: (Run | null)[] = [];
  await expect.poll(async () => {
    const s = await trainingStatus(h) as Run | null;
    runs.push(s);
    return s?.jobId === before ? 'still the previous run' : s?.status;
  }, { timeout: 150_000 }).toBe('done');
  return runs.at(-1)!;
}

const row = (popup: Page, name: string): Locator => popup.locator(`[data-testid=my-class][data-name="${name}"]`);
const rows = (popup: Page) => popup.getByTestId('my-class').evaluateAll((els) => els.map((e) => [e.getAttribute('data-name'), Number(e.getAttribute('data-count'))]));

describe('the popup’s My classes view', () => {
  let gallery: Gallery;
  let h: Harness;
  let page: Page;
  let tabId: number;
  let popup: Page;
  const openClasses = async () => {
    const p = await h.context.newPage();
    await p.setViewportSize({ width: 400, height: 900 });
    await p.goto(`chrome-extension://${h.extId}/src/popup/index.html?tab=${tabId}&view=classes`);
    await p.getByTestId('classes').waitFor();
    return p;
  };

  beforeAll(async () => {
    gallery = await startGallery();
    h = await launch();
    page = await openGalleryPage(h, gallery);
    tabId = await tabIdOf(h, page);
  });
  afterAll(async () => { await h?.close().catch(() => undefined); await gallery?.close(); });

  test('reachable with no result: the tab bar shows "My classes", ?view=classes opens it', async () => {
    const plain = await h.context.newPage();
    await plain.goto(`chrome-extension://${h.extId}/src/popup/index.html?tab=${tabId}`);
    await plain.waitForSelector('[data-testid=status][data-status=empty]');
    await plain.getByTestId('tab-classes').click();
    await plain.getByTestId('no-classes').waitFor();
    expect(await plain.getByTestId('tab-explain').count()).toBe(0); // those need a result
    await plain.close();

    popup = await openClasses();
    await popup.getByTestId('no-classes').waitFor();
    expect(await popup.getByTestId('tab-classes').getAttribute('aria-selected')).toBe('true');
    await expect.poll(() => popup.getByTestId('train-blocked').textContent()).toMatch(/at least 2 classes/);
    expect(await popup.getByTestId('train-button').isDisabled()).toBe(true);
    expect(await popup.locator('.nl-how').textContent()).toContain('Add to NetLens class ▸');
  });

  test('classes created in the popup; the menus get them; too little data names the short classes', async () => {
    // The background answers "classes changed" late here, as a busy one may: each new row shows before its create
    // call returns, so the next name is typed meanwhile and must not be wiped when that call returns.
    await popup.evaluate(() => {
      // webextension-polyfill defers to the browser's own `browser` where there is one: patch what it calls
      const api = ((globalThis as unknown as { browser?: typeof chrome }).browser ?? chrome).runtime as unknown as { sendMessage: (...a: unknown[]) => unknown };
      const send = api.sendMessage;
      (globalThis as unknown as { __unpatch: () => void }).__unpatch = () => { api.sendMessage = send; };
      api.sendMessage = (msg: unknown, ...rest: unknown[]) => ((msg as { type?: string })?.type === 'popup/classes-changed'
        ? new Promise((r) => setTimeout(r, 800)).then(() => send.call(api, msg, ...rest))
        : send.call(api, msg, ...rest));
    });
    try {
      for (const name of ['zebra', 'beach', 'temp']) {
        await popup.getByTestId('new-class-input').fill(name);
        await new Promise((r) => setTimeout(r, 900)); // typed while the last create was still returning
        expect(await popup.getByTestId('new-class-input').inputValue()).toBe(name);
        await popup.getByTestId('new-class-input').press('Enter');
        await row(popup, name).waitFor({ timeout: 5000 });
      }
    } finally {
      await popup.evaluate(() => (globalThis as unknown as { __unpatch: () => void }).__unpatch());
    }
    await new Promise((r) => setTimeout(r, 900)); // the last create returns: the field it cleared was its own
    expect(await popup.getByTestId('new-class-input').inputValue()).toBe('');
    expect(await rows(popup)).toEqual([['zebra', 0], ['beach', 0], ['temp', 0]]);
    const ids = Object.fromEntries((await stored(h)).map((c) => [c.name, c.id]));
    for (const id of Object.values(ids)) await expect.poll(() => menuExists(h, id)).toBe(true);
    const why = await popup.getByTestId('train-blocked').textContent();
    expect(why).toContain('“zebra” has 0');
    expect(why).toContain('“beach” has 0');
    // a duplicate name is refused in the view
    await popup.getByTestId('new-class-input').fill('Zebra');
    await popup.getByTestId('new-class-button').click();
    await expect.poll(() => popup.getByTestId('classes-error').textContent()).toContain('already a class named “zebra”');
    await popup.getByTestId('new-class-input').fill('');
  });

  test('examples added through the context menu show up live, with their thumbnails and the latest status', async () => {
    const ids = Object.fromEntries((await stored(h)).map((c) => [c.name, c.id]));
    for (const [name, urls] of Object.entries(TRAIN)) {
      for (const u of urls.slice(0, name === 'zebra' ? 4 : 2)) expect((await addVia(h, page, ids[name]!, u)).kind).toBe('added');
    }
    await expect.poll(() => rows(popup)).toEqual([['zebra', 4], ['beach', 2], ['temp', 0]]);
    await expect.poll(() => popup.getByTestId('teach-status').textContent()).toContain('Added to “beach” (2 examples)');
    expect(await row(popup, 'zebra').locator('img').count()).toBe(4);
    expect(await row(popup, 'zebra').locator('img').first().getAttribute('src')).toMatch(/^data:image\/jpeg;base64,/);
    // beach is short of examples: named, and training stays disabled
    expect(await popup.getByTestId('train-blocked').textContent()).toMatch(/“beach” has 2/);
    expect(await popup.getByTestId('train-button').isDisabled()).toBe(true);
    for (const u of TRAIN.beach.slice(2, 4)) await addVia(h, page, ids.beach!, u);
    await expect.poll(() => rows(popup)).toEqual([['zebra', 4], ['beach', 4], ['temp', 0]]);
    await expect.poll(() => popup.getByTestId('train-button').isDisabled()).toBe(false);
    expect(await popup.getByTestId('train-ready').textContent()).toContain('Left out (no examples): “temp”');
  });

  test('rename by keyboard (Escape cancels, Enter saves); delete with a confirmation; remove one example', async () => {
    const ids = Object.fromEntries((await stored(h)).map((c) => [c.name, c.id]));
    // Escape: nothing changes
    await row(popup, 'beach').getByTestId('rename-class').focus();
    await popup.keyboard.press('Enter');
    await popup.getByTestId('rename-input').waitFor();
    await expect.poll(() => popup.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('rename-input');
    await popup.keyboard.type('nope');
    await popup.keyboard.press('Escape');
    await popup.getByTestId('rename-input').waitFor({ state: 'detached' });
    expect(await rows(popup)).toEqual([['zebra', 4], ['beach', 4], ['temp', 0]]);
    // focus went back to the rename button: Enter edits again, the name is selected, typing replaces it
    await expect.poll(() => popup.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('rename-class');
    await popup.keyboard.press('Enter');
    await popup.getByTestId('rename-input').waitFor();
    await popup.keyboard.type('kite');
    await popup.keyboard.press('Enter');
    await row(popup, 'kite').waitFor();
    expect((await stored(h)).map((c) => c.name)).toEqual(['zebra', 'kite', 'temp']);

    // delete: the first click only asks; Cancel keeps it; Delete removes it and its menu item
    await row(popup, 'temp').getByTestId('delete-class').click();
    await row(popup, 'temp').getByRole('button', { name: 'Cancel' }).click();
    expect(await row(popup, 'temp').count()).toBe(1);
    await row(popup, 'temp').getByTestId('delete-class').click();
    await row(popup, 'temp').getByTestId('confirm-delete').click();
    await row(popup, 'temp').waitFor({ state: 'detached' });
    expect((await stored(h)).map((c) => c.name)).toEqual(['zebra', 'kite']);
    await expect.poll(() => menuExists(h, ids.temp!)).toBe(false);

    // remove one example: the count drops in the view and in IndexedDB
    await row(popup, 'zebra').getByTestId('remove-example').nth(1).click();
    await expect.poll(() => row(popup, 'zebra').getAttribute('data-count')).toBe('3');
    expect(await row(popup, 'zebra').locator('img').count()).toBe(3);
    expect((await stored(h)).map((c) => [c.name, c.count])).toEqual([['zebra', 3], ['kite', 4]]);
    // every control has a name for assistive technology
    const unnamed = await popup.locator('[data-testid=classes] button').evaluateAll((bs) => bs.filter((b) => !(b.getAttribute('aria-label') || b.textContent?.trim())).length);
    expect(unnamed).toBe(0);
  });

  test('train from the view: progress, then the result with its confusion matrix', async () => {
    await popup.getByTestId('train-button').click();
    await popup.getByTestId('train-progress').waitFor({ timeout: 30_000 }).catch(() => undefined); // may be over already
    const result = popup.locator('[data-testid=train-result][data-val-acc]');
    await result.waitFor({ timeout: 150_000 });
    const acc = Number(await result.getAttribute('data-val-acc'));
    expect(acc).toBeGreaterThanOrEqual(0.5);
    expect(await result.textContent()).toContain(`${Math.round(acc * 100)}%`);
    const head = await popup.locator('[data-testid=confusion] thead tr:last-child th').allTextContents();
    expect(head.slice(1)).toEqual(['zebra', 'kite']);
    const body = await popup.locator('[data-testid=confusion] tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent)));
    expect(body.map((r) => r[0])).toEqual(['zebra', 'kite']);
    expect(body.flatMap((r) => r.slice(1).map(Number)).reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(2); // every validation example counted
    expect(await popup.getByTestId('train-button').isDisabled()).toBe(false);
    if (SHOTS) {
      fs.mkdirSync(SHOTS, { recursive: true });
      await popup.screenshot({ path: path.join(SHOTS, 'classes-400.png'), fullPage: true });
      await popup.setViewportSize({ width: 520, height: 900 });
      await popup.evaluate(() => document.body.classList.add('wide'));
      await popup.screenshot({ path: path.join(SHOTS, 'classes-520.png'), fullPage: true });
      await popup.evaluate(() => document.body.classList.remove('wide'));
    }
  }, 180_000);

  test('training you can see: the curve, the LR finder’s suggestion used for the next run, a pixels-only model beside the head', async () => {
    const curve = popup.getByTestId('train-curve').first();
    await curve.waitFor({ timeout: 30_000 });
    expect(Number(await curve.getAttribute('data-epochs'))).toBeGreaterThanOrEqual(1);
    await popup.getByTestId('lr-find').click();
    const finder = popup.getByTestId('lr-finder');
    await expect.poll(() => finder.getAttribute('data-suggested'), { timeout: 120_000 }).not.toBe('');
    const suggested = Number(await finder.getAttribute('data-suggested'));
    expect(suggested).toBeGreaterThanOrEqual(1e-5);
    expect(suggested).toBeLessThanOrEqual(1);
    await popup.getByTestId('lr-use').click();
    // The previous test's run is stored as done until the background records the new one: wait for a new run's end.
    const before = (await trainingStatus(h) as { jobId?: string } | null)?.jobId;
    await popup.getByTestId('train-button').click();
    const state = await newRunEnded(h, before);
    expect(state.summary?.learningRate).toBe(suggested);
    expect(state.summary?.history?.length).toBeGreaterThanOrEqual(1);
    await popup.getByTestId('pixel-train').click();
    const px = popup.getByTestId('pixel-linear');
    await expect.poll(() => px.getAttribute('data-val-acc'), { timeout: 120_000 }).not.toBe('');
    const pixelAcc = Number(await px.getAttribute('data-val-acc')), headAcc = Number(await px.getAttribute('data-head-val-acc'));
    console.log(`classes: lr finder suggested ${suggested}; validation accuracy: pixels-only ${pixelAcc}, head on CNN features ${headAcc}`);
    expect(pixelAcc).toBeGreaterThanOrEqual(0);
    expect(headAcc).toBeGreaterThanOrEqual(0.5);
    expect(await popup.locator('.nl-templates li').count()).toBe(2);
    await popup.getByTestId('pixel-apply').click();
    await expect.poll(async () => (await popup.getByTestId('pixel-applied').count()) + (await popup.getByTestId('pixel-apply-error').count()), { timeout: 60_000 }).toBe(1);
  }, 300_000);

  test('closing the popup during training and opening it again: it reattaches to the run', async () => {
    await popup.getByTestId('hidden-layer').check();
    await popup.getByTestId('train-button').click();
    await popup.getByTestId('train-progress').waitFor({ timeout: 30_000 });
    await popup.close();
    popup = await openClasses();
    const state = await trainingStatus(h);
    const seenRunning = await popup.getByTestId('train-progress').waitFor({ timeout: 5_000 }).then(() => true, () => false);
    console.log(`classes: reopened popup found training ${state?.status} (${state?.phase}); progress shown: ${seenRunning}`);
    if (state?.status === 'running') expect(seenRunning).toBe(true);
    if (seenRunning) {
      expect(await popup.getByTestId('train-button').isDisabled()).toBe(true);
      expect(await popup.getByTestId('train-progress').getAttribute('data-epoch')).toMatch(/^\d+$/);
      expect(await popup.getByTestId('tab-classes').textContent()).toContain('●');
    }
    await popup.locator('[data-testid=train-result][data-val-acc]').waitFor({ timeout: 150_000 });
    expect((await trainingStatus(h))?.status).toBe('done');
  }, 180_000);

  test('Cancel stops a run (one still waiting behind a long job): it says cancelled, not failed, and the last head stays', async () => {
    // A long feature visualisation holds the model host's queue, so the run is certainly not over when Cancel arrives.
    const blocker = popup.evaluate(() => chrome.runtime.sendMessage({ type: 'popup/feature-vis', tabId: 0, jobId: 'blocker', layer: 'conv_pw_13_relu', channel: 5, steps: 2000 }));
    await popup.getByTestId('train-button').click();
    await popup.getByTestId('train-cancel').click();
    await popup.getByTestId('train-cancelled').waitFor({ timeout: 30_000 });
    expect(await popup.getByTestId('train-cancelled').textContent()).toContain('previous training is still in use');
    expect(await popup.getByTestId('train-error').count()).toBe(0);
    expect(await popup.getByTestId('train-cancel').count()).toBe(0);
    const state = await trainingStatus(h);
    expect(state?.status).toBe('cancelled');
    await popup.evaluate(() => chrome.runtime.sendMessage({ type: 'popup/cancel', jobId: 'blocker' }));
    expect(await blocker).toMatchObject({ ok: false, error: { code: 'cancelled' } });
    expect(await popup.getByTestId('train-button').isDisabled()).toBe(false);
  }, 120_000);

  test('mode "Both": the Prediction tab shows ImageNet’s and my classes’ predictions', async () => {
    await popup.getByTestId('mode-picker').selectOption('both');
    await expect.poll(() => h.sw.evaluate(async () => ((await chrome.storage.local.get('settings')).settings as { mode?: string } | undefined)?.mode)).toBe('both');
    for (const [name, urls] of Object.entries(HELD_OUT)) {
      const s = await clickMenu(h, page, { srcUrl: urls[0]! });
      if (s.status !== 'done') throw new Error(JSON.stringify(s).slice(0, 300));
      await popup.getByTestId('tab-result').click();
      await popup.locator(`[data-testid=status][data-status=done]`).waitFor();
      await expect.poll(() => popup.getByTestId('thumbnail').getAttribute('src')).toBe(s.result.thumbnail);
      expect(await popup.getByTestId('mode-shown').getAttribute('data-mode')).toBe('both');
      const custom = await popup.getByTestId('custom-prediction').evaluateAll((els) => els.map((e) => [e.getAttribute('data-class-name'), Number(e.getAttribute('data-prob'))] as const));
      expect(custom.map(([n]) => n).sort()).toEqual(['kite', 'zebra']);
      expect(custom[0]![0]).toBe(name);
      expect(custom.reduce((a, [, p]) => a + p, 0)).toBeCloseTo(1, 3);
      expect(await popup.getByTestId('prediction').count()).toBeGreaterThan(0); // ImageNet's too
      expect(await popup.locator('.nl-pred-head h3').allTextContents()).toEqual(['My classes', 'ImageNet']);
      await popup.getByTestId('tab-classes').click();
    }
    // "My classes" alone, chosen in the Prediction tab: the image is classified again, ImageNet's list goes
    await popup.getByTestId('tab-result').click();
    const before = await popup.getByTestId('mode-shown').getAttribute('data-mode');
    expect(before).toBe('both');
    await popup.getByTestId('mode-picker').selectOption('custom');
    await expect.poll(() => popup.getByTestId('mode-shown').getAttribute('data-mode'), { timeout: 60_000 }).toBe('custom');
    expect(await popup.getByTestId('custom-prediction').count()).toBe(2);
    expect(await popup.getByTestId('prediction').count()).toBe(0);
    if (SHOTS) await popup.screenshot({ path: path.join(SHOTS, 'prediction-custom.png'), fullPage: true });
    await popup.getByTestId('mode-picker').selectOption('both');
    await expect.poll(() => popup.getByTestId('mode-shown').getAttribute('data-mode'), { timeout: 60_000 }).toBe('both');
    if (SHOTS) await popup.screenshot({ path: path.join(SHOTS, 'prediction-both.png'), fullPage: true });
  }, 180_000);

  test('Export downloads one zip; importing that file restores the classes (reported in the view)', async () => {
    await setSettings(h, { modelId: 'mobilenet-v1-0.75-224' });
    const p = await openClasses();
    const [download] = await Promise.all([p.waitForEvent('download'), p.getByTestId('export-classes').click()]);
    expect(download.suggestedFilename()).toMatch(/^netlens-classes-mobilenet-v1-0\.75-224-.*\.zip$/);
    const file = await download.path();
    const rowsBefore = await p.getByTestId('my-class').evaluateAll((els) => els.map((e) => `${e.getAttribute('data-name')}:${e.getAttribute('data-count')}`).sort());
    await p.getByTestId('import-classes').setInputFiles(file!);
    await expect.poll(() => p.getByTestId('archive-status').textContent(), { timeout: 60_000 }).toMatch(/Imported \d+ classes and \d+ examples|could not|damaged/);
    expect(await p.getByTestId('archive-status').getAttribute('data-kind')).toBe('ok');
    const rowsAfter = await p.getByTestId('my-class').evaluateAll((els) => els.map((e) => `${e.getAttribute('data-name')}:${e.getAttribute('data-count')}`).sort());
    expect(rowsAfter).toEqual(rowsBefore);
    await p.close();
  }, 120_000);

  test('no trained head for the model: the hint points to My classes', async () => {
    // Another backbone has no head: its answer for the user's classes is null.
    await setSettings(h, { modelId: 'mobilenet-v1-0.25-224' });
    const s = await clickMenu(h, page, { srcUrl: HELD_OUT.zebra[1]! });
    if (s.status !== 'done') throw new Error(JSON.stringify(s).slice(0, 300));
    expect(s.result.custom).toBeNull();
    await popup.reload();
    await popup.getByTestId('tab-result').click();
    await popup.getByTestId('no-custom').waitFor();
    expect(await popup.getByTestId('no-custom').textContent()).toContain('No classes trained yet');
    await popup.getByTestId('no-custom').getByRole('button').click();
    await popup.getByTestId('classes').waitFor();
  }, 120_000);
});
