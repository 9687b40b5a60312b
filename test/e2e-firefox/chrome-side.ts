// The Chrome half of the cross-browser checks, in one Chromium session: the same photos' top-5, and a class file
// exported by Firefox imported here (its predictions), then exported again for Firefox to import.
import { clickMenu, launch, openGalleryPage, setSettings } from '../support/browser.mjs';
import type { Gallery } from '../support/gallery.mjs';

export interface Prediction { index: number; className: string; prob: number }

export async function agreeWithChrome(gallery: Gallery, photoUrls: string[], firefoxExport: string, heldOut: string[]) {
  const h = await launch();
  try {
    const page = await openGalleryPage(h, gallery);
    const photos = new Map<string, Prediction[]>();
    for (const u of photoUrls) {
      const s = await clickMenu(h, page, { srcUrl: u });
      if (s.status !== 'done') throw new Error(`Chrome could not classify ${u}: ${JSON.stringify(s).slice(0, 300)}`);
      photos.set(u, s.result.predictions);
    }
    const popup = await h.context.newPage();
    await popup.goto(`chrome-extension://${h.extId}/src/popup/index.html`);
    const send = (m: unknown) => popup.evaluate((m) => chrome.runtime.sendMessage(m), m) as Promise<any>;
    const imported = await send({ type: 'popup/import', data: firefoxExport });
    if (!imported.ok) throw new Error(`Chrome refused Firefox's class file: ${JSON.stringify(imported)}`);
    await setSettings(h, { mode: 'custom' } as never);
    const custom: Prediction[][] = [];
    for (const u of heldOut) {
      const s = await clickMenu(h, page, { srcUrl: u });
      if (s.status !== 'done' || !s.result.custom) throw new Error(`Chrome: no custom result for a held-out image: ${JSON.stringify(s).slice(0, 300)}`);
      custom.push(s.result.custom.predictions);
    }
    const exported = await send({ type: 'popup/export' });
    if (!exported.ok) throw new Error(`Chrome could not export: ${JSON.stringify(exported)}`);
    await popup.close();
    return { photos, custom, exported: exported.data as string };
  } finally {
    await h.close();
  }
}
