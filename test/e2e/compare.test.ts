// "Compare all" end to end: every explanation method on a real photo in the offscreen document, scored and
// ranked; the table, the grid and the exports in the popup. The methods' parameters are the user's own
// (stored settings), set small here so the run fits the suite's budget; every method still runs.
import { describe, expect, test } from 'vitest';
import fs from 'node:fs';
import type { Page } from 'playwright-core';
import { attachOffscreen, openPopup, ROOT } from '../support/browser.mjs';
import { useExtension } from '../support/setup';
import { axe } from '../support/axe';
import { METHODS_LIST } from '../../src/features/explain/catalog';

const SMALL: Record<string, Record<string, number | string>> = {
  'integrated-gradients': { steps: 8 }, occlusion: { patch: 56, stride: 56 }, 'score-cam': { channels: 16 },
  rise: { masks: 80 }, lime: { samples: 80, segments: 30 }, 'blur-ig': { steps: 6 }, 'guided-ig': { steps: 6 }, xrai: { steps: 8 },
  'smoothgrad:gradient': { samples: 4 }, 'smoothgrad:gradient-x-input': { samples: 4 }, 'smoothgrad:integrated-gradients': { samples: 2, steps: 4 },
  'smoothgrad-sq:gradient': { samples: 4 }, 'vargrad:gradient': { samples: 4 },
};

describe('Compare all', () => {
  let popup: Page;
  const env = useExtension({
    classify: 'eagle.jpg',
    then: async ({ h, tabId }) => {
      await h.sw.evaluate(async (params) => {
        await chrome.storage.local.set({ explain: { method: 'grad-cam', compareMethod: null, params, opacity: 0.6, substrate: 'grey' } });
      }, SMALL);
      popup = await openPopup(h, tabId);
      await popup.setViewportSize({ width: 560, height: 1400 });
      await popup.getByTestId('tab-explain').click();
    },
  });

  test('a chosen few can be cancelled mid-run, and the next run still works', async () => {
    await popup.locator('[data-testid=saliency-canvas][data-method=grad-cam][data-ready=true]').waitFor({ timeout: 60_000 });
    await popup.getByTestId('compare-all').dispatchEvent('click');
    await popup.getByTestId('compare-progress').waitFor({ timeout: 30_000 });
    const off = await attachOffscreen(env.h);
    await expect.poll(() => off.evaluate('globalThis.__netlens.jobs.size'), { timeout: 30_000 }).toBe(1);
    await popup.getByTestId('compare-cancel').dispatchEvent('click');
    const cancelled = Date.now();
    await expect.poll(() => popup.getByTestId('compare-progress').count()).toBe(0);
    expect(await popup.getByTestId('compare-error').count()).toBe(0);
    expect(await popup.getByTestId('compare-results').count()).toBe(0);
    // The host stopped the job itself, within a batch or two: the whole run takes minutes at these settings.
    await expect.poll(() => off.evaluate('globalThis.__netlens.jobs.size'), { timeout: 20_000 }).toBe(0);
    expect(Date.now() - cancelled).toBeLessThan(20_000);
    await off.detach();
  });

  test('every method, ranked, with each score beside the random baseline', async () => {
    await popup.getByTestId('compare-all').dispatchEvent('click');
    await popup.getByTestId('compare-results').waitFor({ timeout: 400_000 });
    const rows = await popup.getByTestId('compare-row').evaluateAll((els) => els.map((e) => {
      const d = (e as HTMLElement).dataset;
      return { method: d.method!, deletion: Number(d.deletion), insertion: Number(d.insertion), road: Number(d.road), spearman: d.spearman === '' ? null : Number(d.spearman), rank: Number(d.rank) };
    }));
    expect(rows.map((r) => r.method).sort()).toEqual(METHODS_LIST.map((m) => m.id).sort());
    expect(rows.map((r) => r.rank)).toEqual(rows.map((_, i) => i + 1));
    for (const r of rows) {
      for (const k of ['deletion', 'insertion', 'road'] as const) { expect(r[k]).toBeGreaterThanOrEqual(0); expect(r[k]).toBeLessThanOrEqual(1); }
      expect(r.spearman).not.toBeNull();
      expect(Math.abs(r.spearman!)).toBeLessThanOrEqual(1);
    }
    // Guided Backprop fails the sanity check here too, and the ranking puts the methods that pass it above it.
    const gb = rows.find((r) => r.method === 'guided-backprop')!;
    expect(gb.spearman!).toBeGreaterThan(0.5);
    expect(rows.find((r) => r.method === 'grad-cam')!.spearman!).toBeLessThan(0.5);
    const random = await popup.getByTestId('compare-random').evaluate((e) => ({ ...(e as HTMLElement).dataset }));
    expect(Number(random.seeds)).toBe(10);
    expect(rows.find((r) => r.method === 'grad-cam')!.insertion).toBeGreaterThan(Number(random.insertion));
    expect(await popup.getByTestId('compare-map').count()).toBe(rows.length);
    await popup.screenshot({ path: `${ROOT}/.cache/compare.png`, fullPage: true });
  }, 420_000);

  test('the results, and a failing method\'s badge, have no axe-core violations in light or dark', async () => {
    await popup.getByTestId('method-picker').selectOption('guided-backprop');
    await popup.getByTestId('fails-sanity-badge').waitFor();
    for (const scheme of ['light', 'dark'] as const) {
      await popup.emulateMedia({ colorScheme: scheme });
      const v = await axe(popup);
      expect(v, `${scheme}: ${JSON.stringify(v)}`).toEqual([]);
    }
    await popup.emulateMedia({ colorScheme: 'light' });
  });

  test('the table exports as CSV with a line per method and the random baseline', async () => {
    const [download] = await Promise.all([popup.waitForEvent('download'), popup.getByTestId('compare-export-csv').click()]);
    const csv = fs.readFileSync((await download.path())!, 'utf8').trim().split('\n');
    expect(csv[0]).toBe('rank,method,deletion,deletionRatio,insertion,insertionRatio,road,roadRatio,spearman,ms');
    expect(csv).toHaveLength(METHODS_LIST.length + 3);
    expect(csv.at(-2)).toContain('random mean (10 seeds, grey)');
    const [json] = await Promise.all([popup.waitForEvent('download'), popup.getByTestId('compare-export-json').click()]);
    const body = JSON.parse(fs.readFileSync((await json.path())!, 'utf8')) as { rows: { method: string; rank: number }[]; random: { seeds: number } };
    expect(body.rows).toHaveLength(METHODS_LIST.length);
    expect(body.random.seeds).toBe(10);
    void env;
  });
});
