// Nothing a user has is lost on upgrade. test/fixtures/profile-0.1.0.json is a 0.1.0 user's whole profile, made by
// the real 0.1.0 build (test/fixtures/capture-0.1.0.mjs): four classes (one empty), eleven examples, a trained head,
// remembered images, two cached feature visualisations, non-default settings, layer toggles and Explain choices.
// It is written into a fresh profile of the build under test (NETLENS_DIST, default dist/) as 0.1.0 left it,
// the extension is told it was updated, the browser restarted, and then everything is read back through the popup
// and the extension's messages; the head must answer three photos exactly as 0.1.0 did (within 1e-6).
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { startGallery, type Gallery } from '../support/gallery.mjs';
import { DEFAULT_METHOD } from '../../src/features/explain/catalog';
import { clickMenu, launch, openGalleryPage, tabIdOf, type Harness } from '../support/browser.mjs';
import { loadProfile, type ProfileDump } from '../support/profile.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const EXT = process.env.NETLENS_DIST ? path.resolve(process.env.NETLENS_DIST) : path.join(ROOT, 'dist');

interface Ranked { index: number; className: string; prob: number }
interface Expected {
  modelId: string;
  classes: { name: string; count: number }[];
  classThumbnails: Record<string, string[]>;
  head: { classNames: string[]; valAccuracy: number; hidden: number };
  settings: { modelId: string; backend: string; mode: string };
  layerToggles: Record<string, string[]>;
  explain: { method: string; compareMethod: string | null; params: Record<string, Record<string, string | number | boolean>>; opacity: number };
  backendChoice: { backend: string; reason: string; userAgent: string };
  seenCount: number;
  seenWithToggledOff: { layer: string; images: { url: string; thumbnailSha256: string }[] };
  firstPhoto: string;
  uiFeatureVis: { photo: string; layer: string; channel: number; steps: number; imageSha256: string };
  messageFeatureVis: { layer: string; channel: number; steps: number; imageSha256: string; startActivation: number; finalActivation: number };
  predictions: { photo: string; classNames: string[]; probs: number[]; ranked: Ranked[] }[];
}
type Fixture = ProfileDump & { expected: Expected; storage: { local: Record<string, unknown> } };

const FIXTURE_FILE = process.env.NETLENS_UPGRADE_FIXTURE ?? path.join(ROOT, 'test/fixtures/profile-0.1.0.json');
const FIXTURE = JSON.parse(fs.readFileSync(FIXTURE_FILE, 'utf8')) as Fixture;
const X = FIXTURE.expected;
const TOLERANCE = 1e-6;
const DEFAULT_MODEL = 'mobilenet-v1-0.75-224'; // the catalog's default model
const sha256 = (s: string | null) => crypto.createHash('sha256').update(s ?? '').digest('hex');

/** A fresh profile of the build under test holding `fixture` as 0.1.0 left it; then a browser restart on it. */
async function upgradedProfile(fixture: Fixture) {
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'netlens-upgrade-'));
  let h = await launch({ extDir: EXT, userDataDir });
  await loadProfile(h, fixture); // ends with runtime.onInstalled { reason: 'update', previousVersion: '0.1.0' }
  // Let the new code read (and migrate) the data before the restart: its My classes view must list every class.
  const p = await h.context.newPage();
  await p.goto(`chrome-extension://${h.extId}/src/popup/index.html?view=classes`);
  await p.locator(`[data-testid=my-class] >> nth=${X.classes.length - 1}`).waitFor({ timeout: 60_000 });
  await p.close();
  await h.close({ keepProfile: true });
  h = await launch({ extDir: EXT, userDataDir });
  return {
    h,
    async dispose() { await h.close({ keepProfile: true }).catch(() => undefined); fs.rmSync(userDataDir, { recursive: true, force: true }); },
  };
}

async function openPopup(h: Harness, query: string) {
  const p = await h.context.newPage();
  await p.setViewportSize({ width: 560, height: 1100 });
  const errors: string[] = [];
  p.on('pageerror', (e) => errors.push(e.message));
  await p.goto(`chrome-extension://${h.extId}/src/popup/index.html${query}`);
  return Object.assign(p, { errors });
}

const local = (h: Harness, key: string) => h.sw.evaluate(async (k) => (await chrome.storage.local.get(k))[k], key);
const checkedLayers = (p: Page) => p.locator('[data-testid=layer-toggle]').evaluateAll((els) => els.filter((e) => (e as HTMLInputElement).checked).map((e) => e.getAttribute('data-layer')!).sort());

async function openLayers(p: Page) {
  await p.getByTestId('tab-layers').click();
  await p.locator('[data-testid=layer-row], [data-testid=layers-error]').first().waitFor({ timeout: 60_000 });
  const err = p.getByTestId('layers-error');
  if (await err.count()) throw new Error(`layer list failed: ${await err.textContent()}`);
}
async function layerReady(p: Page, layer: string) {
  const view = p.locator(`[data-testid=layer-view][data-layer="${layer}"]`);
  await view.waitFor({ timeout: 30_000 });
  await expect.poll(() => view.getAttribute('data-state'), { timeout: 60_000 }).toBe('ready');
  return view;
}

function expectSameHeadAnswer(got: Ranked[], want: Expected['predictions'][number]) {
  // by class name: the head's output order is the build's business, the user's classes and their odds are not
  expect(got.map((p) => p.className).sort()).toEqual([...want.classNames].sort());
  for (const [i, name] of want.classNames.entries()) {
    const p = got.find((g) => g.className === name)!;
    expect(Math.abs(p.prob - want.probs[i]!), `${want.photo}: P(${name}) ${p.prob} vs ${want.probs[i]} in 0.1.0`).toBeLessThanOrEqual(TOLERANCE);
  }
  expect(got.map((p) => p.className)).toEqual(want.ranked.map((p) => p.className));
}

describe('upgrade from 0.1.0: everything the user had is still there', () => {
  let gallery: Gallery;
  let profile: Awaited<ReturnType<typeof upgradedProfile>>;
  let h: Harness;
  let page: Page;
  let tabId: number;

  beforeAll(async () => {
    gallery = await startGallery();
    profile = await upgradedProfile(FIXTURE);
    h = profile.h;
    page = await openGalleryPage(h, gallery);
    tabId = await tabIdOf(h, page);
  });
  afterAll(async () => { await profile?.dispose(); await gallery?.close(); });

  test('My classes lists every class with its example count and thumbnails, and the trained head', async () => {
    const p = await openPopup(h, `?tab=${tabId}&view=classes`);
    await p.getByTestId('classes').waitFor();
    await expect.poll(() => p.getByTestId('my-class').count(), { timeout: 30_000 }).toBe(X.classes.length);
    const rows = await p.getByTestId('my-class').evaluateAll((els) => els.map((e) => ({ name: e.getAttribute('data-name'), count: Number(e.getAttribute('data-count')) })));
    expect(rows).toEqual(X.classes);
    for (const c of X.classes) {
      const srcs = await p.locator(`[data-testid=my-class][data-name="${c.name}"] [data-testid=example] img`).evaluateAll((imgs) => imgs.map((i) => (i as HTMLImageElement).getAttribute('src')));
      expect(srcs.map(sha256).sort(), `thumbnails of “${c.name}”`).toEqual(X.classThumbnails[c.name]);
    }
    const info = await p.getByTestId('head-info').textContent({ timeout: 30_000 });
    for (const n of X.head.classNames) expect(info).toContain(`“${n}”`);
    expect(info).toContain(`${Math.round(X.head.valAccuracy * 100)}%`);
    expect(await p.getByTestId('mode-picker').inputValue()).toBe(X.settings.mode);
    expect(p.errors).toEqual([]);
    await p.close();
  });

  test('settings: model, backend, mode and the measured backend choice, in the popup and in storage', async () => {
    const p = await openPopup(h, `?tab=${tabId}`);
    await p.getByTestId('model-picker').waitFor();
    await expect.poll(() => p.getByTestId('model-picker').inputValue()).toBe(X.settings.modelId);
    await p.locator('details.settings summary').click();
    expect(await p.getByTestId('backend-picker').inputValue()).toBe(X.settings.backend);
    const sameBrowser = (await p.evaluate(() => navigator.userAgent)) === X.backendChoice.userAgent;
    // A choice measured on this very browser build is still trusted; one from another build is re-measured.
    if (sameBrowser) expect(await p.getByTestId('backend-choice').textContent()).toContain(X.backendChoice.reason);
    expect(await local(h, 'settings')).toMatchObject(X.settings);
    if (sameBrowser) expect(await local(h, 'backendChoice')).toEqual(X.backendChoice);
    expect(p.errors).toEqual([]);
    await p.close();
  });

  // No retry for the two cache checks: a first attempt that had to compute a visualisation leaves it cached,
  // and a retry would then pass on the test's own data.
  test('Layers: the toggles, the remembered images and the feature visualisation from the cache', { retry: 0, timeout: 180_000 }, async () => {
    const s = await clickMenu(h, page, { srcUrl: `${gallery.origin}/images/${X.uiFeatureVis.photo}` });
    if (s.status !== 'done') throw new Error(JSON.stringify(s).slice(0, 300));
    const p = await openPopup(h, `?tab=${tabId}`);
    await openLayers(p);
    const mine = X.layerToggles[X.modelId]!;
    expect(await checkedLayers(p)).toEqual([...mine].sort());
    expect(await local(h, 'layerToggles')).toEqual(X.layerToggles);

    // conv1_relu's channel: its visualisation (256 steps, ~30 s to compute) comes from the cache, identical.
    const view = await layerReady(p, X.uiFeatureVis.layer);
    await view.locator(`[data-testid=channel-map][data-channel="${X.uiFeatureVis.channel}"]`).first().click();
    const vis = p.locator(`[data-testid=feature-vis][data-layer="${X.uiFeatureVis.layer}"][data-channel="${X.uiFeatureVis.channel}"]`);
    await expect.poll(() => vis.getAttribute('data-ready'), { timeout: 60_000 }).toBe('true');
    expect(await p.getByTestId('feature-vis-note').textContent()).toContain('from the cache');
    expect(sha256(await vis.locator('img').getAttribute('src'))).toBe(X.uiFeatureVis.imageSha256);
    // every remembered image is still counted
    const top = p.getByTestId('top-images');
    await expect.poll(() => top.getAttribute('data-count'), { timeout: 20_000 }).not.toBeNull();
    expect(Number(await top.getAttribute('data-count'))).toBeGreaterThanOrEqual(Math.min(6, X.seenCount));
    const remembered = Number(/\((\d+)\)/.exec((await p.getByTestId('clear-seen').textContent()) ?? '')?.[1]);
    expect(remembered).toBeGreaterThanOrEqual(X.seenCount);

    // The layer the user switched off: only 0.1.0's image that was classified while it was on has its channel
    // means, so switching it on again lists exactly that image (thumbnail and address) for any of its channels.
    const off = X.seenWithToggledOff;
    expect(mine).not.toContain(off.layer);
    await p.locator(`[data-testid=layer-toggle][data-layer="${off.layer}"]`).check();
    const offView = await layerReady(p, off.layer);
    await offView.getByTestId('channel-map').first().click();
    await p.locator(`[data-testid=channel-detail][data-layer="${off.layer}"]`).waitFor();
    const offTop = p.getByTestId('top-images');
    await expect.poll(() => offTop.getAttribute('data-count'), { timeout: 20_000 }).toBe(String(off.images.length));
    const shown = await offTop.locator('li').evaluateAll((lis) => lis.map((li) => ({ url: li.getAttribute('title'), src: li.querySelector('img')!.getAttribute('src') })));
    expect(shown.map((x) => ({ url: x.url, thumbnailSha256: sha256(x.src) }))).toEqual(off.images);
    const cancel = p.getByTestId('feature-vis-cancel');
    if (await cancel.count()) await cancel.dispatchEvent('click');
    await p.locator(`[data-testid=layer-toggle][data-layer="${off.layer}"]`).uncheck();
    await expect.poll(async () => ((await local(h, 'layerToggles')) as Record<string, string[]>)[X.modelId]).toEqual(mine);
    expect(p.errors).toEqual([]);
    await p.close();
  });

  test('the same popup/feature-vis request comes back from the cache, identical', { retry: 0 }, async () => {
    const p = await openPopup(h, `?tab=${tabId}`);
    const v = X.messageFeatureVis;
    const r = await p.evaluate(({ tabId, v }) => chrome.runtime.sendMessage({ type: 'popup/feature-vis', tabId, jobId: 'upgrade-vis', layer: v.layer, channel: v.channel, steps: v.steps }), { tabId, v }) as
      { ok: boolean; vis?: { cached: boolean; image: string; layer: string; channel: number; steps: number; startActivation: number; finalActivation: number }; error?: unknown };
    expect(r.ok, JSON.stringify(r.error)).toBe(true);
    expect(r.vis).toMatchObject({ cached: true, layer: v.layer, channel: v.channel, steps: v.steps, startActivation: v.startActivation, finalActivation: v.finalActivation });
    expect(sha256(r.vis!.image)).toBe(v.imageSha256);
    await p.close();
  });

  test('Explain opens with the saved method, its layer, the comparison and the opacity', async () => {
    const p = await openPopup(h, `?tab=${tabId}`);
    await p.getByTestId('tab-explain').click();
    const e = X.explain;
    await expect.poll(() => p.getByTestId('method-picker').inputValue(), { timeout: 30_000 }).toBe(e.method);
    const layer = e.params[e.method]?.layer;
    expect(layer).toBeTruthy();
    // The layer list comes with the first explanation's answer (the model worker computes it beside the popup).
    await expect.poll(() => p.locator('.panel').first().locator('.params select').inputValue(), { timeout: 60_000 }).toBe(layer);
    expect(await p.getByTestId('compare-toggle').isChecked()).toBe(e.compareMethod !== null);
    expect(await p.getByTestId('compare-method-picker').inputValue()).toBe(e.compareMethod);
    expect(Number(await p.getByTestId('opacity').inputValue())).toBe(e.opacity);
    expect(await local(h, 'explain')).toEqual(e);
    expect(p.errors).toEqual([]);
    await p.close();
  });

  test('the trained head answers three photos exactly as 0.1.0 did (within 1e-6)', async () => {
    for (const want of X.predictions) {
      const s = await clickMenu(h, page, { srcUrl: `${gallery.origin}/images/${want.photo}` });
      if (s.status !== 'done') throw new Error(JSON.stringify(s).slice(0, 300));
      expect(s.result.mode).toBe('both');
      expect(s.result.backend).toBe(X.settings.backend);
      expect(s.result.custom, `${want.photo}: no answer for my classes`).toBeTruthy();
      expectSameHeadAnswer(s.result.custom!.predictions, want);
    }
    // and the Prediction tab shows the last one's odds
    const last = X.predictions.at(-1)!;
    const p = await openPopup(h, `?tab=${tabId}`);
    await p.locator('[data-testid=status][data-status=done]').waitFor({ timeout: 30_000 });
    const shown = await p.getByTestId('custom-prediction').evaluateAll((els) => els.map((e, index) => ({ index, className: e.getAttribute('data-class-name')!, prob: Number(e.getAttribute('data-prob')) })));
    expectSameHeadAnswer(shown, last);
    await p.close();
  }, 180_000);
});

describe('upgrade from 0.1.0 with damaged or foreign values in storage.local', () => {
  let gallery: Gallery;
  let profile: Awaited<ReturnType<typeof upgradedProfile>>;
  let h: Harness;
  let page: Page;
  let tabId: number;

  /** The popup shows the defaults everywhere, and the user's classes (IndexedDB) are untouched. */
  async function expectDefaults() {
    const p = await openPopup(h, `?tab=${tabId}&view=classes`);
    await p.getByTestId('classes').waitFor({ timeout: 30_000 });
    await expect.poll(() => p.getByTestId('my-class').count(), { timeout: 30_000 }).toBe(X.classes.length);
    expect(await p.getByTestId('my-class').evaluateAll((els) => els.map((e) => ({ name: e.getAttribute('data-name'), count: Number(e.getAttribute('data-count')) })))).toEqual(X.classes);
    expect(await p.getByTestId('mode-picker').inputValue()).toBe('imagenet');
    expect(await p.getByTestId('model-picker').inputValue()).toBe(DEFAULT_MODEL);
    await p.locator('details.settings summary').click();
    expect(await p.getByTestId('backend-picker').inputValue()).toBe('auto');
    // a classification works, with the default toggles and the default Explain choices
    const s = await clickMenu(h, page, { srcUrl: `${gallery.origin}/images/${X.firstPhoto}` });
    expect(s.status).toBe('done');
    if (s.status === 'done') expect(s.result.mode ?? 'imagenet').toBe('imagenet');
    await p.getByTestId('tab-result').click();
    await p.locator('[data-testid=status][data-status=done]').waitFor({ timeout: 30_000 });
    await openLayers(p);
    const shown = await checkedLayers(p);
    expect(shown.length).toBeGreaterThan(0);
    await p.getByTestId('layers-defaults').click();
    await expect.poll(() => checkedLayers(p)).toEqual(shown); // what was shown already was the defaults
    await p.getByTestId('tab-explain').click();
    await expect.poll(() => p.getByTestId('method-picker').inputValue(), { timeout: 30_000 }).toBe(DEFAULT_METHOD);
    expect(await p.getByTestId('compare-toggle').isChecked()).toBe(false);
    expect(Number(await p.getByTestId('opacity').inputValue())).toBe(0.6);
    expect(p.errors).toEqual([]);
    await p.close();
  }

  beforeAll(async () => {
    gallery = await startGallery();
    const damaged: Fixture = {
      ...FIXTURE,
      storage: { ...FIXTURE.storage, local: { ...FIXTURE.storage.local, settings: 'garbage', layerToggles: 42, explain: 'garbage', backendChoice: 42 } },
    };
    profile = await upgradedProfile(damaged);
    h = profile.h;
    page = await openGalleryPage(h, gallery);
    tabId = await tabIdOf(h, page);
  });
  afterAll(async () => { await profile?.dispose(); await gallery?.close(); });

  test('values of the wrong type (settings = "garbage", layerToggles = 42, …): the popup shows the defaults', async () => {
    await expectDefaults();
  }, 180_000);

  test('foreign values of the right type (unknown model, backend, mode, method; a string for a layer list)', async () => {
    await h.sw.evaluate(() => chrome.storage.local.set({
      settings: { modelId: 'resnet-9000', backend: 'quantum', mode: 'everything', theme: 'dark' },
      layerToggles: { 'mobilenet-v1-0.75-224': 'conv1_relu', other: [1, 2] },
      explain: { method: 'telepathy', compareMethod: 7, params: 'none', opacity: 5 },
      backendChoice: { backend: 'tpu' },
    }));
    await expectDefaults();
  }, 180_000);
});
