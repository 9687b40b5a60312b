// The Explain view end to end: saliency maps computed on the wasm backend in the offscreen document,
// drawn in the popup; the faithfulness check and the sanity check shown with their numbers.
import { describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { openPopup } from '../support/browser.mjs';
import { useExtension } from '../support/setup';
import { ROOT } from '../support/browser.mjs';
import { DEFAULT_METHOD } from '../../src/features/explain/catalog';

describe('Explain view', () => {
  let popup: Page;
  const env = useExtension({
    classify: 'eagle.jpg',
    then: async ({ h, tabId }) => {
      popup = await openPopup(h, tabId);
      await popup.setViewportSize({ width: 560, height: 1100 });
      await popup.getByTestId('tab-explain').click();
    },
  });

  test('the default method (chosen by measurement) opens on the top class; Grad-CAM from the picker is drawn', async () => {
    const first = popup.locator(`[data-testid=saliency-canvas][data-method="${DEFAULT_METHOD}"]`);
    await expect.poll(() => first.getAttribute('data-ready'), { timeout: 60_000 }).toBe('true');
    expect(await first.getAttribute('data-class-index')).toBe('21');
    await popup.getByTestId('method-picker').selectOption('grad-cam');
    const canvas = popup.locator('[data-testid=saliency-canvas][data-method=grad-cam]');
    await expect.poll(() => canvas.getAttribute('data-ready'), { timeout: 60_000 }).toBe('true');
    expect(await canvas.getAttribute('data-class-index')).toBe('21'); // kite, the top-1 on eagle.jpg
    const lit = await canvas.evaluate((c) => {
      const d = (c as HTMLCanvasElement).getContext('2d')!.getImageData(0, 0, 224, 224).data;
      let n = 0; for (let i = 0; i < d.length; i += 4) if (d[i]! > 200 && d[i + 2]! < 120) n++;
      return n;
    });
    expect(lit).toBeGreaterThan(100); // bright inferno-yellow pixels: the map is really drawn over the image
  });

  test('another class from the picker, then SmoothGrad, each drawn', async () => {
    await popup.getByTestId('class-picker').selectOption('22'); // bald eagle, #3 in the top-5
    await expect.poll(() => popup.locator('[data-testid=saliency-canvas][data-method=grad-cam][data-class-index="22"]').getAttribute('data-ready'), { timeout: 60_000 }).toBe('true');
    await popup.getByTestId('method-picker').selectOption('smoothgrad:gradient');
    const sg = popup.locator('[data-testid=saliency-canvas][data-method="smoothgrad:gradient"]');
    await expect.poll(() => sg.getAttribute('data-ready'), { timeout: 120_000 }).toBe('true');
    expect(await sg.getAttribute('data-class-index')).toBe('22');
  });

  test('Check shows deletion and insertion AUC for the map and for random maps', async () => {
    await popup.getByTestId('method-picker').selectOption('grad-cam');
    await expect.poll(() => popup.locator('[data-testid=saliency-canvas][data-method=grad-cam]').getAttribute('data-ready'), { timeout: 60_000 }).toBe('true');
    // Deletion towards black this time (grey is the default, which Compare all's test runs): the choice reaches the
    // model host and is named next to the numbers.
    await popup.getByTestId('substrate').selectOption('black');
    await popup.getByTestId('check-button').click();
    const f = popup.locator('[data-testid=faithfulness][data-substrate=black]');
    await f.waitFor({ timeout: 120_000 });
    const v = await f.evaluate((e) => Object.fromEntries(['deletion', 'insertion', 'randomDeletion', 'randomInsertion'].map((k) => [k, Number((e as HTMLElement).dataset[k])])));
    for (const x of Object.values(v)) { expect(x!).toBeGreaterThanOrEqual(0); expect(x!).toBeLessThanOrEqual(1); }
    expect(v.insertion!).toBeGreaterThan(v.randomInsertion!);
    expect(await f.getAttribute('data-random-seeds')).toBe('10');
    expect(await f.textContent()).toContain('became black');
    const road = Number(await f.getAttribute('data-road')), randomRoad = Number(await f.getAttribute('data-random-road'));
    expect(road).toBeGreaterThanOrEqual(0);
    expect(road).toBeLessThan(randomRoad);
    const stored = await env.h.sw.evaluate(async () => (await chrome.storage.local.get('explain')).explain as { substrate: string });
    expect(stored.substrate).toBe('black');
    expect(await f.locator('svg').count()).toBeGreaterThanOrEqual(2);
  });

  test('the sanity check randomises the top layers and reports the rank correlation', async () => {
    await popup.getByTestId('sanity-toggle').check();
    const s = popup.getByTestId('sanity');
    await s.waitFor({ timeout: 120_000 });
    const rho = Number(await s.getAttribute('data-spearman'));
    expect(rho).toBeGreaterThanOrEqual(-1);
    expect(rho).toBeLessThan(0.5);
    expect(await s.getAttribute('data-passes')).toBe('true');
    await popup.screenshot({ path: `${ROOT}/.cache/explain.png`, fullPage: true });
  });

  test('Guided Backprop carries the "fails the sanity check" badge, and the toggle shows it failing on this image', async () => {
    await popup.getByTestId('method-picker').selectOption('guided-backprop');
    const badge = popup.locator('[data-testid=fails-sanity-badge][data-method=guided-backprop]');
    await badge.waitFor({ timeout: 30_000 });
    expect(await badge.locator('a').getAttribute('href')).toBe('https://arxiv.org/abs/1810.03292');
    expect(await popup.getByTestId('method-cost').textContent()).toBe('Cost: 1 forward + 1 backward passes');
    const s = popup.locator('[data-testid=sanity][data-passes=false]');
    await s.waitFor({ timeout: 120_000 });
    expect(Number(await s.getAttribute('data-spearman'))).toBeGreaterThan(0.5);
    expect(await s.textContent()).toContain('fails');
    await popup.getByTestId('sanity-toggle').uncheck();
    await popup.getByTestId('method-picker').selectOption('grad-cam');
    expect(await popup.getByTestId('fails-sanity-badge').count()).toBe(0);
    await popup.locator('[data-testid=saliency-canvas][data-method=grad-cam][data-ready=true]').waitFor({ timeout: 60_000 });
  });

  test('two methods side by side, and the choice persists', async () => {
    await popup.getByTestId('compare-toggle').check();
    await popup.getByTestId('compare-method-picker').selectOption('gradient-x-input');
    await expect.poll(() => popup.locator('[data-testid=saliency-canvas][data-method=gradient-x-input]').getAttribute('data-ready'), { timeout: 60_000 }).toBe('true');
    expect(await popup.locator('[data-testid=saliency-canvas][data-ready=true]').count()).toBeGreaterThanOrEqual(2);
    const stored = await env.h.sw.evaluate(async () => (await chrome.storage.local.get('explain')).explain as { method: string; compareMethod: string });
    expect(stored).toMatchObject({ method: 'grad-cam', compareMethod: 'gradient-x-input' });
  });

  test('a slow method can be cancelled, and the next request still works', async () => {
    await popup.getByTestId('compare-toggle').uncheck();
    await popup.getByTestId('method-picker').selectOption('integrated-gradients');
    await popup.getByTestId('explain-progress').waitFor({ timeout: 30_000 });
    // The progress line re-renders several times a second, which Playwright's stability check does not like;
    // the button itself stays in place, so dispatch the click to it directly.
    await popup.getByTestId('explain-progress').getByRole('button', { name: 'Cancel' }).dispatchEvent('click');
    await expect.poll(() => popup.getByTestId('explain-progress').count()).toBe(0);
    await popup.getByTestId('method-picker').selectOption('gradient');
    await expect.poll(() => popup.locator('[data-testid=saliency-canvas][data-method=gradient]').getAttribute('data-ready'), { timeout: 60_000 }).toBe('true');
  });
});
