// The Lens end to end in headless Chromium: opened from the popup's button and from the "Look inside" menu
// item, every stage of the track walked by keyboard with its real numbers (the arithmetic re-added here),
// the probabilities equal to the Prediction tab's, a reload (and a service-worker restart) showing the same
// result, widths from 1024 to 2560 px and 200 % zoom, and axe-core finding no violations.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { clickMenu, openPopup } from '../support/browser.mjs';
import { useExtension } from '../support/setup';
import { axe } from '../support/axe';
import { DEFAULT_METHOD } from '../../src/features/explain/catalog';

const SHOTS = process.env.NETLENS_SHOTS;
const stage = (p: Page) => p.getByTestId('lens-stage');
async function ready(p: Page, index: number) {
  await expect.poll(async () => `${await stage(p).getAttribute('data-index')}:${await stage(p).getAttribute('data-state')}`, { timeout: 60_000 }).toBe(`${index}:ready`);
}

describe('the Lens', () => {
  let lens: Page;
  let requestId = '';
  const env = useExtension({ classify: 'eagle.jpg' });

  test('opens from the popup’s “Open in a tab” button, on that result, with Step by step first', async () => {
    const popup = await openPopup(env.h, env.tabId);
    const state = await popup.evaluate(async (key) => (await chrome.storage.session.get(key))[key], `tab:${env.tabId}`) as { requestId: string };
    requestId = state.requestId;
    const [page] = await Promise.all([env.h.context.waitForEvent('page'), popup.getByTestId('open-lens').click()]);
    lens = page;
    await lens.waitForLoadState();
    expect(new URL(lens.url()).searchParams.get('result')).toBe(requestId);
    await lens.setViewportSize({ width: 1280, height: 900 });
    await ready(lens, 0);
    expect(await stage(lens).getAttribute('data-kind')).toBe('pixels');
    expect(await lens.getByTestId('lens-result').getAttribute('data-request-id')).toBe(requestId);
    expect(await lens.getByTestId('track-steps').getAttribute('aria-selected')).toBe('true');
    await popup.close();
  });

  test('every stage by keyboard: kinds in the model’s order, numbers that add up, the Prediction tab’s probabilities', async () => {
    const kinds = await lens.getByTestId('stage-link').evaluateAll((els) => els.length);
    expect(kinds).toBe(32); // MobileNet v1: pixels, conv, 13 × (depthwise, pointwise), field, pool, class score, softmax
    await stage(lens).focus();
    const seen: string[] = [];
    const timings: number[] = [];
    for (let i = 0; i < kinds; i++) {
      if (i > 0) await lens.keyboard.press('ArrowRight');
      await ready(lens, i);
      const kind = (await stage(lens).getAttribute('data-kind'))!;
      seen.push(kind);
      const ms = Number(await stage(lens).getAttribute('data-ms'));
      if (ms) timings.push(ms);
      if (kind === 'conv' || kind === 'depthwise' || kind === 'pointwise') {
        const step = lens.getByTestId('conv-step');
        const a = Object.fromEntries(await step.evaluate((el) => Object.entries((el as HTMLElement).dataset)));
        const terms = await lens.getByTestId('conv-term').evaluateAll((els) => els.map((e) => Number((e as HTMLElement).dataset.input) * Number((e as HTMLElement).dataset.weight)));
        const sum = terms.reduce((s, v) => s + v, 0);
        expect(Math.abs(sum - Number(a.sum))).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(sum)));
        expect(Math.abs(Number(a.computed) - Number(a.value))).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(Number(a.value))));
        expect(await lens.getByTestId('conv-check').textContent()).toContain('✓');
      }
      if (kind === 'receptive-field') {
        const box = () => lens.getByTestId('rf-box').evaluate((el) => ['x0', 'y0', 'x1', 'y1'].map((k) => Number((el as HTMLElement).dataset[k])));
        // The first layer whose field is a quarter of the image: conv_dw_6 (59 px, cells 16 px apart), middle cell (7, 7).
        expect(await lens.getByTestId('rf-layer').inputValue()).toBe('conv_dw_6_relu');
        const [x0, y0, x1, y1] = await box();
        expect([x1! - x0! + 1, y1! - y0! + 1]).toEqual([59, 59]);
        await lens.getByTestId('rf-layer').selectOption('conv_pw_13_relu');
        await expect.poll(box, { timeout: 30_000 }).toEqual([0, 0, 223, 223]); // 315 px: the whole image
      }
      if (kind === 'dense') {
        expect(await lens.getByTestId('dense-step').getAttribute('data-class-index')).toBe('21'); // kite, the top class
      }
    }
    expect(seen.join(' ')).toBe(`pixels conv ${'depthwise pointwise '.repeat(13)}receptive-field global-pool dense softmax`);
    console.log(`lens: ${kinds} stages walked by keyboard; stage data ms: median ${timings.sort((x, y) => x - y)[Math.floor(timings.length / 2)]}, max ${Math.max(...timings)}`);
    const probs = JSON.parse((await lens.getByTestId('softmax-step').getAttribute('data-probs'))!) as number[];
    await lens.getByTestId('track-result').click();
    const shown = await lens.getByTestId('prediction').evaluateAll((els) => els.map((e) => Number((e as HTMLElement).dataset.prob)));
    expect(shown.length).toBe(5);
    shown.forEach((p, i) => expect(Math.abs(p - probs[i]!)).toBeLessThanOrEqual(1e-6));
    await lens.getByTestId('track-steps').click();
    await ready(lens, kinds - 1);
    await lens.keyboard.press('ArrowLeft');
    await ready(lens, kinds - 2);
  }, 240_000);

  test('a conv cell picked by clicking, and the sliding window stepping', async () => {
    await lens.getByTestId('stage-link').nth(1).click();
    await ready(lens, 1);
    await lens.getByTestId('stage-channel').fill('5');
    await lens.getByTestId('stage-channel').dispatchEvent('change');
    await expect.poll(() => lens.getByTestId('conv-step').getAttribute('data-channel'), { timeout: 30_000 }).toBe('5');
    expect(await lens.getByTestId('conv-term').count()).toBe(27); // 3×3 window × 3 colour channels
    await lens.getByTestId('slide-step').click();
    await expect.poll(() => lens.getByTestId('conv-step').getAttribute('data-col'), { timeout: 30_000 }).toBe(String(56 + 1));
    if (SHOTS) { fs.mkdirSync(SHOTS, { recursive: true }); await lens.screenshot({ path: path.join(SHOTS, 'lens-conv.png'), fullPage: true }); }
    await lens.getByTestId('slide-play').click();
    await expect.poll(() => lens.getByTestId('slide-controls').getAttribute('data-fps'), { timeout: 10_000 }).not.toBe('0');
    console.log(`lens: sliding-window animation at ${await lens.getByTestId('slide-controls').getAttribute('data-fps')} fps`);
    await lens.getByTestId('slide-play').click(); // pause
  }, 120_000);

  test('the popup’s own views as tracks, on this result: Prediction, Explain (the default method on it), Layers, My classes', async () => {
    // Another image classified in the same tab meanwhile must not change what the Lens explains.
    const other = await clickMenu(env.h, env.page, { srcUrl: `${env.gallery.origin}/images/giraffe.jpg` });
    expect(other.requestId).not.toBe(requestId);
    await lens.getByTestId('track-explain').click();
    const map = lens.locator(`[data-testid=saliency-canvas][data-method="${DEFAULT_METHOD}"]`);
    await expect.poll(() => map.getAttribute('data-ready'), { timeout: 60_000 }).toBe('true');
    expect(await map.getAttribute('data-class-index')).toBe('21'); // the eagle's top class, not the giraffe's
    await lens.getByTestId('track-layers').click();
    await lens.locator('[data-testid=layer-row]').first().waitFor({ timeout: 60_000 });
    expect(await lens.locator('[data-testid=layer-row]').count()).toBeGreaterThan(80);
    await lens.getByTestId('track-classes').click();
    await lens.getByTestId('classes').waitFor();
    await lens.getByTestId('track-result').click();
    expect(await lens.getByTestId('prediction').first().getAttribute('data-class-name')).toMatch(/^kite/);
    if (SHOTS) await lens.screenshot({ path: path.join(SHOTS, 'lens-prediction.png'), fullPage: true });
    await lens.getByTestId('track-steps').click();
  }, 120_000);

  test('reload, and reload after a service-worker restart: the same result and stage', async () => {
    await lens.getByTestId('stage-link').nth(30).click();
    await ready(lens, 30);
    const url = lens.url();
    await lens.reload();
    await ready(lens, 0);
    expect(await lens.getByTestId('lens-result').getAttribute('data-request-id')).toBe(requestId);
    const cdp = await env.h.context.newCDPSession(lens);
    await cdp.send('ServiceWorker.enable');
    await cdp.send('ServiceWorker.stopAllWorkers');
    await lens.goto(url);
    await ready(lens, 0);
    expect(await lens.getByTestId('lens-result').getAttribute('data-request-id')).toBe(requestId);
    await lens.getByTestId('stage-link').nth(30).click();
    await ready(lens, 30);
    expect(await stage(lens).getAttribute('data-kind')).toBe('dense');
    // The class map's text alternative says where the evidence is, in words.
    await expect.poll(() => lens.getByTestId('dense-cam').getAttribute('aria-label'), { timeout: 30_000 }).toMatch(/^where the evidence for .+ came from, 7×7: (strongest in the (upper|middle|lower|centre)|silent everywhere)/);
  }, 120_000);

  test('1024 to 2560 px wide and at 200 % zoom: no sideways scrolling; axe-core finds no violations', async () => {
    for (const [w, h] of [[1024, 768], [2560, 1440], [640, 480]] as const) { // 640 CSS px = a 1280 px window at 200 %
      await lens.setViewportSize({ width: w, height: h });
      for (const i of [0, 1, 28, 31]) {
        await lens.getByTestId('stage-link').nth(i).click();
        await ready(lens, i);
        const overflow = await lens.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        expect(overflow, `${w} px, stage ${i}`).toBeLessThanOrEqual(0);
      }
    }
    await lens.setViewportSize({ width: 1280, height: 900 });
    for (const i of [0, 1, 28, 29, 30, 31]) {
      await lens.getByTestId('stage-link').nth(i).click();
      await ready(lens, i);
      if (SHOTS) await lens.screenshot({ path: path.join(SHOTS, `lens-stage-${i}.png`), fullPage: true });
      const violations = await axe(lens);
      if (violations.length) console.log(`lens: axe at stage ${i}: ${JSON.stringify(violations)}`);
      expect(violations, `stage ${i}`).toEqual([]);
    }
    await lens.emulateMedia({ colorScheme: 'dark' }); // and the dark theme
    for (const i of [0, 1, 28, 30]) {
      await lens.getByTestId('stage-link').nth(i).click();
      await ready(lens, i);
      const violations = await axe(lens);
      if (violations.length) console.log(`lens: axe (dark) at stage ${i}: ${JSON.stringify(violations)}`);
      expect(violations, `stage ${i}, dark`).toEqual([]);
    }
    await lens.emulateMedia({ colorScheme: 'light' });
  }, 180_000);

  test('the “Look inside with NetLens” menu item classifies and opens the Lens on that result', async () => {
    const [page, state] = await Promise.all([
      env.h.context.waitForEvent('page'),
      clickMenu(env.h, env.page, { menuItemId: 'netlens-look-inside', srcUrl: `${env.gallery.origin}/images/dog.jpg` }),
    ]);
    expect(state.status).toBe('done');
    await page.waitForLoadState();
    expect(new URL(page.url()).searchParams.get('result')).toBe(state.requestId);
    await ready(page, 0);
    await page.getByTestId('stage-link').last().click();
    await ready(page, 31);
    const top = JSON.parse((await page.getByTestId('softmax-step').getAttribute('data-probs'))!) as number[];
    expect(Math.abs(top[0]! - (state.status === 'done' ? state.result.predictions[0]!.prob : 0))).toBeLessThanOrEqual(1e-6);
    await page.close();
  }, 120_000);
});
