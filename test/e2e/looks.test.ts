// "What it looks for", end to end on a real photo (MobileNet v1 0.25, to keep the class pictures quick): the
// prediction's "looks like?" opens the Lens on that class; the kernel playground ranks the learned filters
// against Sobel; a channel's top patches; four class pictures computed, each raising its score.
import { describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { clickMenu, openPopup, setSettings } from '../support/browser.mjs';
import { useExtension } from '../support/setup';

describe('what the network looks for', () => {
  let lens: Page;
  let top = -1;
  const env = useExtension({
    then: async ({ h, page, gallery }) => {
      await setSettings(h, { modelId: 'mobilenet-v1-0.25-224' });
      const s = await clickMenu(h, page, { srcUrl: `${gallery.origin}/images/eagle.jpg` });
      if (s.status !== 'done') throw new Error(JSON.stringify(s).slice(0, 200));
      top = s.result.predictions[0]!.index;
    },
  });

  test('a prediction’s “looks like?” opens the Lens on “What it looks for”, for that class', async () => {
    const tabId = await env.h.sw.evaluate(async (u) => (await chrome.tabs.query({})).find((t) => t.url === u)!.id!, env.page.url());
    const popup = await openPopup(env.h, tabId);
    await popup.getByTestId('looks-like').first().waitFor();
    const [page] = await Promise.all([env.h.context.waitForEvent('page'), popup.getByTestId('looks-like').first().click()]);
    lens = page;
    await lens.waitForLoadState();
    await lens.setViewportSize({ width: 1280, height: 900 });
    expect(new URL(lens.url()).searchParams.get('view')).toBe('looks');
    expect(new URL(lens.url()).searchParams.get('class')).toBe(String(top));
    await lens.getByTestId('looks').waitFor({ timeout: 60_000 });
    expect(await lens.getByTestId('track-looks').getAttribute('aria-selected')).toBe('true');
    expect(await lens.getByTestId('class-vis-class').inputValue()).toBe(String(top));
    await popup.close();
  });

  test('kernel playground: the learned filters ranked against Sobel x, then y, then a typed kernel', async () => {
    const pg = lens.getByTestId('kernel-playground');
    await expect.poll(() => pg.getAttribute('data-closest-filter'), { timeout: 60_000 }).not.toBe('');
    const sx = { filter: await pg.getAttribute('data-closest-filter'), sim: Number(await pg.getAttribute('data-similarity')) };
    expect(sx.sim).toBeGreaterThan(0);
    expect(sx.sim).toBeLessThanOrEqual(1);
    // The 50 ms budget is a bench row (median of 7 kernels); this first run includes the JIT's warm-up on a machine
    // busy with the rest of the suite, so here it only has to stay clear of a round trip to the model host.
    const ms = Number(await pg.getAttribute('data-ms'));
    expect(ms).toBeGreaterThan(0);
    expect(ms).toBeLessThanOrEqual(250);
    expect(await lens.locator('.looks-filters li').count()).toBe(8);
    await lens.getByTestId('kernel-picker').selectOption('sobel-y');
    await expect.poll(() => pg.getAttribute('data-kernel')).toBe('sobel-y');
    await lens.getByTestId('kernel-picker').selectOption('custom');
    await lens.getByTestId('kernel-custom').fill('-1 0 1 -2 0 2 -1 0 1'); // Sobel x, typed
    await expect.poll(() => pg.getAttribute('data-closest-filter')).toBe(sx.filter);
    expect(Math.abs(Number(await pg.getAttribute('data-similarity')) - sx.sim)).toBeLessThanOrEqual(1e-9);
    console.log(`looks: filter ${sx.filter} is ${sx.sim.toFixed(2)} like Sobel x`);
  }, 60_000);

  test('a channel up close: its 8 strongest patches of this image, strongest first', async () => {
    const tp = lens.getByTestId('top-patches');
    await expect.poll(() => tp.getAttribute('data-count'), { timeout: 60_000 }).toBe('8');
    const values = JSON.parse((await tp.getAttribute('data-values'))!) as number[];
    expect([...values].sort((a, b) => b - a)).toEqual(values);
    await lens.getByTestId('patches-channel').fill('3');
    await lens.getByTestId('patches-channel').dispatchEvent('change');
    await expect.poll(() => tp.getAttribute('data-channel'), { timeout: 30_000 }).toBe('3');
    expect(await lens.getByTestId('top-patch').count()).toBe(8);
  }, 60_000);

  test('what the class looks like: four seeds, each raising the class score; the win rate is reported', async () => {
    await lens.getByTestId('class-vis-start').click();
    const tiles = lens.getByTestId('class-vis');
    await expect.poll(() => tiles.evaluateAll((els) => els.filter((e) => (e as HTMLElement).dataset.ready === 'true').length), { timeout: 170_000, interval: 1000 }).toBe(4);
    const scores = await tiles.evaluateAll((els) => els.map((e) => [Number((e as HTMLElement).dataset.startScore), Number((e as HTMLElement).dataset.finalScore), (e as HTMLElement).dataset.won]));
    for (const [start, final] of scores) expect(final!).toBeGreaterThan(Math.max(start as number, 0) + 1);
    const wins = Number(await lens.getByTestId('class-vis-summary').getAttribute('data-wins'));
    console.log(`looks: class #${top} pictures: scores ${scores.map(([a, b]) => `${(a as number).toFixed(2)}→${(b as number).toFixed(2)}`).join(', ')}; the class is top-1 of ${wins}/4`);
    // computed again: all four come from the cache
    await lens.getByTestId('class-vis-start').click();
    await expect.poll(() => lens.locator('[data-testid=class-vis][data-ready=true]').count(), { timeout: 30_000 }).toBe(4);
    expect(await lens.locator('.looks-classvis').textContent()).toContain('(cached)');
    if (process.env.NETLENS_SHOTS) await lens.screenshot({ path: `${process.env.NETLENS_SHOTS}/looks.png`, fullPage: true });
  }, 240_000);
});
