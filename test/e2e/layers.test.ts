// The Layers tab end to end: the layer list of the real model, toggles that persist per model, a layer's
// channel heatmaps computed in the offscreen document, and a feature visualisation computed on demand.
import { describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { openPopup, ROOT } from '../support/browser.mjs';
import { useExtension } from '../support/setup';

const LAYER = 'conv_pw_3_relu'; // not among mobilenet-v1-0.75's default layers

describe('Layers view', () => {
  const env = useExtension({ classify: 'eagle.jpg', then: () => open() });
  let popup: Page;

  const open = async () => {
    popup = await openPopup(env.h, env.tabId);
    await popup.setViewportSize({ width: 560, height: 1100 });
    const errors: string[] = [];
    popup.on('pageerror', (e) => errors.push(e.message));
    await popup.getByTestId('tab-layers').click();
    // Either the rows come, or the layer list failed: then say what the background answered.
    await popup.locator('[data-testid=layer-row], [data-testid=layers-error]').first().waitFor({ timeout: 60_000 });
    const err = popup.getByTestId('layers-error');
    if (await err.count()) throw new Error(`popup/layers failed: [${await err.getAttribute('data-code')}] ${await err.textContent()}`);
    expect(errors).toEqual([]);
  };
  const row = (name: string) => popup.locator(`[data-testid=layer-row][data-layer="${name}"]`);
  const toggle = (name: string) => popup.locator(`[data-testid=layer-toggle][data-layer="${name}"]`);
  const view = (name: string) => popup.locator(`[data-testid=layer-view][data-layer="${name}"]`);
  /** Waits until a layer view is drawn or failed; a failure is reported with the background's error. */
  const ready = async (name: string) => {
    await expect.poll(() => view(name).getAttribute('data-state'), { timeout: 60_000 }).not.toBe('loading');
    if ((await view(name).getAttribute('data-state')) === 'error') {
      const e = view(name).getByTestId('layer-error');
      throw new Error(`popup/activations failed for ${name}: [${await e.getAttribute('data-code')}] ${await e.textContent()}`);
    }
  };


  test('every layer is listed with its shape and receptive field; the defaults are on and drawn', async () => {
    const n = await popup.getByTestId('layer-row').count();
    expect(n).toBeGreaterThan(50); // MobileNet v1 has ~90 layers
    expect(await row('conv1_relu').getAttribute('data-shape')).toBe('112×112×24');
    expect(Number(await row('conv1_relu').getAttribute('data-rf'))).toBeGreaterThanOrEqual(3);
    expect(await row('input_1').getAttribute('data-shape')).toBe('224×224×3');
    // receptive fields grow with depth
    const rf = async (l: string) => Number(await row(l).getAttribute('data-rf'));
    expect(await rf('conv_pw_5_relu')).toBeGreaterThan(await rf('conv1_relu'));
    expect(await toggle(LAYER).isChecked()).toBe(false);
    expect(await toggle('conv1_relu').isChecked()).toBe(true);
    await ready('conv1_relu');
    expect(await view('conv1_relu').getByTestId('channel-map').count()).toBeGreaterThan(0);
    expect(await view('conv1_relu').getByTestId('channel-map').first().getAttribute('aria-label')).toMatch(/^channel \d+, mean \S+, (strongest in the \w+( \w+)?|silent everywhere)$/);
    await ready('input_1');
    // the exact numbers come on the first click on the input (they would double the first reply)
    expect(await view('input_1').getByTestId('pixel-values').count()).toBe(0);
    await view('input_1').getByTestId('input-preview').click({ position: { x: 30, y: 40 } });
    await view('input_1').getByTestId('pixel-values').waitFor({ timeout: 10_000 });
    expect(await view('input_1').getByTestId('pixel-values').textContent()).toMatch(/pixel \(\d+, \d+\): R [−\d]/);
  });

  test('a layer comes with its first page of maps; the next page is fetched when turned to', async () => {
    await toggle('conv_pw_5_relu').waitFor();
    await ready('conv_pw_5_relu');
    const deep = view('conv_pw_5_relu');
    await deep.scrollIntoViewIfNeeded();
    const loaded = () => deep.getByTestId('channel-map').evaluateAll((cs) => cs.map((c) => c.getAttribute('data-loaded')));
    expect(await loaded()).toEqual(Array(24).fill('true'));
    const firstPage = await deep.getByTestId('channel-map').evaluateAll((cs) => cs.map((c) => c.getAttribute('data-channel')));
    await deep.getByTestId('channels-next').click();
    expect(await deep.getByTestId('channels-page').getAttribute('data-page')).toBe('1');
    await expect.poll(loaded, { timeout: 10_000 }).toEqual(Array(24).fill('true'));
    const second = await deep.getByTestId('channel-map').evaluateAll((cs) => cs.map((c) => c.getAttribute('data-channel')));
    expect(second.filter((ch) => firstPage.includes(ch))).toEqual([]); // 24 other channels
  });

  test('toggling a layer on shows its channel maps; off removes it', async () => {
    await toggle(LAYER).check();
    await view(LAYER).waitFor({ timeout: 10_000 });
    await ready(LAYER);
    const tiles = view(LAYER).getByTestId('channel-map');
    expect(await tiles.count()).toBeGreaterThanOrEqual(12);
    // tiles are drawn on demand, once scrolled into view: then at least one has a bright pixel
    await view(LAYER).scrollIntoViewIfNeeded();
    await expect.poll(() => tiles.evaluateAll((cs) => cs.some((c) => {
      const cv = c as HTMLCanvasElement;
      const d = cv.getContext('2d')!.getImageData(0, 0, cv.width, cv.height).data;
      for (let i = 0; i < d.length; i += 4) if (d[i + 3]! > 0 && d[i]! + d[i + 1]! + d[i + 2]! > 300) return true;
      return false;
    })), { timeout: 10_000 }).toBe(true);
    await toggle(LAYER).uncheck();
    await expect.poll(() => view(LAYER).count()).toBe(0);
  });

  test('the toggle persists across closing and reopening the popup', async () => {
    await toggle(LAYER).check();
    await view(LAYER).waitFor({ timeout: 10_000 });
    const stored = await env.h.sw.evaluate(async () => (await chrome.storage.local.get('layerToggles')).layerToggles as Record<string, string[]>);
    expect(stored['mobilenet-v1-0.75-224']).toContain(LAYER);
    await popup.close();
    await open();
    expect(await toggle(LAYER).isChecked()).toBe(true);
    await view(LAYER).waitFor({ timeout: 10_000 });
    await ready(LAYER);
  });

  test('a channel opens its detail and a feature visualisation that beats the random start', async () => {
    const tile = view(LAYER).getByTestId('channel-map').first();
    const channel = await tile.getAttribute('data-channel');
    await tile.click();
    const detail = popup.getByTestId('channel-detail');
    await detail.waitFor({ timeout: 10_000 });
    expect(await detail.getAttribute('data-channel')).toBe(channel);
    const vis = popup.locator('[data-testid=feature-vis]');
    await expect.poll(async () => {
      const err = popup.getByTestId('feature-vis-error');
      if (await err.count()) throw new Error(`popup/feature-vis failed: ${await err.textContent()}`);
      return vis.getAttribute('data-ready');
    }, { timeout: 120_000, interval: 500 }).toBe('true');
    expect(await vis.getAttribute('data-layer')).toBe(LAYER);
    expect(await vis.getAttribute('data-channel')).toBe(channel);
    const start = Number(await vis.getAttribute('data-start-activation'));
    const final = Number(await vis.getAttribute('data-final-activation'));
    expect(Number.isFinite(start) && Number.isFinite(final)).toBe(true);
    expect(final).toBeGreaterThan(start);
    expect(await popup.getByTestId('feature-vis-note').textContent()).toMatch(/activation|cache/);
    await popup.screenshot({ path: `${ROOT}/.cache/layers.png`, fullPage: true });
  });

  test('a channel of a default layer lists the classified images that excite it most; they can be forgotten', async () => {
    // eagle.jpg was classified with the default toggles on, so its channel means for conv_pw_13_relu are remembered.
    await popup.getByTestId('channel-detail-close').click();
    const deep = view('conv_pw_13_relu');
    await deep.scrollIntoViewIfNeeded();
    await deep.getByTestId('channel-map').first().click();
    const top = popup.getByTestId('top-images');
    await expect.poll(() => top.getAttribute('data-count'), { timeout: 20_000 }).not.toBeNull();
    expect(Number(await top.getAttribute('data-count'))).toBeGreaterThanOrEqual(1);
    expect(await top.locator('img').first().evaluate((i) => (i as HTMLImageElement).src)).toMatch(/^data:image\/jpeg/);
    await popup.getByTestId('clear-seen').click();
    await expect.poll(() => top.getAttribute('data-count')).toBe('0');
  });
});
