// The E2E suites' common setup: a demo gallery, a browser with the extension, and a tab on the gallery page,
// started before a describe block's tests and closed after them.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { clickMenu, launch, openGalleryPage, tabIdOf, type Harness } from './browser.mjs';
import { startGallery, type Gallery } from './gallery.mjs';

export interface Suite { gallery: Gallery; h: Harness; page: Page; /** the gallery tab's id, once `classify` ran */ tabId: number }

/**
 * Registers beforeAll/afterAll for one describe block. The returned object is filled in by beforeAll, so read
 * its fields inside tests (or later hooks), not at collection time.
 */
export function useExtension(opts: { extraArgs?: string[]; page?: boolean; /** a gallery image to classify first */ classify?: string; then?: (s: Suite) => Promise<void> } = {}): Suite {
  const s = {} as Suite;
  beforeAll(async () => {
    s.gallery = await startGallery();
    s.h = await launch(opts.extraArgs ? { extraArgs: opts.extraArgs } : {});
    if (opts.page !== false) s.page = await openGalleryPage(s.h, s.gallery);
    if (opts.classify) {
      const state = await clickMenu(s.h, s.page, { srcUrl: `${s.gallery.origin}/images/${opts.classify}` });
      if (state.status !== 'done') throw new Error(`classifying ${opts.classify} failed: ${JSON.stringify(state)}`);
      s.tabId = await tabIdOf(s.h, s.page);
    }
    await opts.then?.(s);
  });
  afterAll(async () => { await s.h?.close(); await s.gallery?.close(); });
  return s;
}

/** Waits for the context menu's next "added to class" report (newer than `before`). */
export function nextTeachStatus(h: Harness, before: number): Promise<{ at: number; kind: string; message: string }> {
  return h.sw.evaluate(async (after) => {
    for (let i = 0; i < 600; i++) {
      const s = (await chrome.storage.session.get('teachStatus')).teachStatus as { at: number; kind: string; message: string } | undefined;
      if (s && s.at > after) return s;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('add did not finish');
  }, before);
}
