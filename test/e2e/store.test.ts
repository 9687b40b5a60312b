// Store readiness, end to end: the first-run welcome page (on install only) with photos to right-click, the
// options page (theme, remembered-image cap, storage used, clearing, delete-everything that leaves nothing),
// dark mode following the system, and axe-core on every page in both themes.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { clickMenu, launch, openPopup, tabIdOf, type Harness } from '../support/browser.mjs';
import { axe } from '../support/axe';

describe('store readiness', () => {
  let h: Harness;
  let welcome: Page;
  beforeAll(async () => {
    h = await launch({ keepWelcome: true });
    const url = `chrome-extension://${h.extId}/src/welcome/index.html`;
    welcome = h.context.pages().find((p) => p.url() === url) ?? await h.context.waitForEvent('page', { predicate: (p) => p.url() === url, timeout: 15_000 });
  });
  afterAll(async () => { await h?.close(); });

  test('a first install opens the welcome page, whose photos can be right-clicked and classified', async () => {
    await welcome.getByTestId('welcome').waitFor();
    const loaded = await welcome.getByTestId('welcome-photo').evaluateAll((els) => els.map((e) => (e as HTMLImageElement).naturalWidth));
    expect(loaded).toHaveLength(3);
    for (const w of loaded) expect(w).toBeGreaterThan(0);
    const src = await welcome.getByTestId('welcome-photo').first().getAttribute('src');
    const state = await clickMenu(h, welcome, { srcUrl: new URL(src!, welcome.url()).href });
    expect(state.status).toBe('done');
    if (state.status === 'done') expect(state.result.predictions[0]!.className).toMatch(/malamute|husky|dog|Eskimo/i);
  });

  test('an update does not open it again', async () => {
    const before = h.context.pages().length;
    await h.sw.evaluate(() => (chrome.runtime.onInstalled as unknown as { dispatch(d: unknown): void }).dispatch({ reason: 'update', previousVersion: '0.1.0' }));
    await new Promise((r) => setTimeout(r, 500));
    expect(h.context.pages().length).toBe(before);
  });

  test('options: theme, cap and storage used; delete everything asks twice and leaves nothing', async () => {
    const o = await h.context.newPage();
    await o.goto(`chrome-extension://${h.extId}/src/options/index.html`);
    // the welcome photo's classification is remembered after its answer, at the back of the model host's queue
    await expect.poll(() => o.evaluate(() => new Promise<number>((res) => {
      const r = indexedDB.open('netlens');
      r.onsuccess = () => { const d = r.result; if (!d.objectStoreNames.contains('seen')) { d.close(); res(0); return; } const c = d.transaction('seen').objectStore('seen').count(); c.onsuccess = () => { d.close(); res(c.result); }; };
    })), { timeout: 30_000 }).toBe(1);
    await o.reload();
    await o.getByTestId('options').waitFor();
    await o.getByTestId('opt-theme').selectOption('dark');
    await expect.poll(() => o.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    expect(await o.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe('rgb(17, 24, 39)');
    await o.getByTestId('opt-seen-cap').fill('40');
    await o.getByTestId('opt-seen-cap').dispatchEvent('change');
    await expect.poll(() => h.sw.evaluate(async () => ((await chrome.storage.local.get('settings')).settings as { seenCap?: number } | undefined)?.seenCap)).toBe(40);
    await expect.poll(() => o.locator('[data-testid=opt-usage] tr[data-store=seen]').getAttribute('data-records')).toBe('1'); // the welcome photo
    await o.getByTestId('opt-clear-seen').click();
    await expect.poll(() => o.locator('[data-testid=opt-usage] tr[data-store=seen]').getAttribute('data-records')).toBe('0');
    await o.getByTestId('opt-delete').click();
    expect(await o.evaluate(() => indexedDB.databases().then((d) => d.length))).toBeGreaterThan(0); // not yet
    await o.getByTestId('opt-delete-confirm').click();
    await o.getByTestId('opt-delete-final').click();
    await expect.poll(() => o.getByTestId('options-notice').textContent()).toContain('deleted');
    expect(await o.evaluate(() => indexedDB.databases().then((d) => d.map((x) => x.name)))).toEqual([]);
    expect(await h.sw.evaluate(async () => Object.keys(await chrome.storage.local.get(null)))).toEqual([]);
    expect(await o.evaluate(() => document.documentElement.dataset.theme)).toBeUndefined(); // back to the system theme
    await o.close();
  });

  test('axe-core: no violations on the popup’s views, the options, the welcome page, in light and dark', async () => {
    const page = await h.context.newPage();
    const gallery = `chrome-extension://${h.extId}/src/welcome/index.html`;
    await page.goto(gallery);
    const state = await clickMenu(h, page, { srcUrl: `chrome-extension://${h.extId}/welcome-photos/eagle.jpg` });
    expect(state.status).toBe('done');
    const counts: Record<string, number> = {};
    for (const scheme of ['light', 'dark'] as const) {
      const popup = await openPopup(h, await tabIdOf(h, page));
      await popup.emulateMedia({ colorScheme: scheme });
      await popup.getByTestId('status').waitFor();
      const views: [string, () => Promise<void>][] = [
        ['prediction', async () => { await popup.getByTestId('tab-result').click(); }],
        ['explain', async () => {
          await popup.getByTestId('tab-explain').click();
          const map = popup.locator('[data-testid=saliency-canvas][data-ready=true]').first();
          await map.waitFor({ timeout: 60_000 });
          // the canvas says what it shows
          expect(await map.getAttribute('aria-label')).toMatch(/^Blur IG for .+: strongest in the (centre|(upper|middle|lower) (left|centre|right)), \d+ % of the image above half of the peak$/);
        }],
        ['layers', async () => { await popup.getByTestId('tab-layers').click(); await popup.locator('[data-testid=layer-row]').first().waitFor({ timeout: 60_000 }); }],
        ['classes', async () => { await popup.getByTestId('tab-classes').click(); await popup.getByTestId('classes').waitFor(); }],
      ];
      for (const [name, open] of views) {
        await open();
        const v = await axe(popup);
        counts[`popup ${name} (${scheme})`] = v.reduce((s, x) => s + x.nodes, 0);
        if (v.length) console.log(`store: axe on popup ${name} (${scheme}): ${JSON.stringify(v)}`);
      }
      await popup.close();
      for (const [name, url] of [['options', 'src/options/index.html'], ['welcome', 'src/welcome/index.html']] as const) {
        const p = await h.context.newPage();
        await p.emulateMedia({ colorScheme: scheme });
        await p.goto(`chrome-extension://${h.extId}/${url}`);
        await p.locator('main').waitFor();
        const v = await axe(p);
        counts[`${name} (${scheme})`] = v.reduce((s, x) => s + x.nodes, 0);
        if (v.length) console.log(`store: axe on ${name} (${scheme}): ${JSON.stringify(v)}`);
        await p.close();
      }
    }
    console.log(`store: axe violating nodes per page: ${JSON.stringify(counts)}`);
    expect(Object.values(counts).every((n) => n === 0), JSON.stringify(counts)).toBe(true);
  }, 240_000);
});
