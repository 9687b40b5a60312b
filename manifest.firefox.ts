// The Firefox manifest, derived from manifest.json (the one source) at build time, so the two never drift.
// Firefox MV3 has no background service worker and no offscreen API: the background is an event page (it has
// a DOM, so TF.js runs in it directly) and AMO needs an add-on id and a data-collection declaration.
import type { ManifestV3Export } from '@crxjs/vite-plugin';

export const FIREFOX_ID = 'netlens@netlens.dev';
export const FIREFOX_BACKGROUND = 'src/event-page/index.ts';

type Manifest = Record<string, unknown> & { permissions?: string[]; background?: Record<string, unknown> };

export function firefoxManifest(chrome: Manifest): ManifestV3Export {
  // Chrome-only keys go: the cross-origin isolation keys serve Chrome's threaded wasm in the offscreen document;
  // Firefox's event page runs TF.js single-threaded.
  const { minimum_chrome_version: _chromeOnly, background: _sw, cross_origin_embedder_policy: _coep, cross_origin_opener_policy: _coop, ...rest } = chrome;
  return {
    ...rest,
    background: { scripts: [FIREFOX_BACKGROUND], type: 'module' },
    permissions: (chrome.permissions ?? []).filter((p) => p !== 'offscreen'),
    browser_specific_settings: {
      gecko: {
        id: FIREFOX_ID,
        // 140 is the first ESR that knows data_collection_permissions (AMO requires the declaration).
        strict_min_version: '140.0',
        data_collection_permissions: { required: ['none'] },
      },
      // Firefox for Android learnt data_collection_permissions in 142.
      gecko_android: { strict_min_version: '142.0' },
    },
  } as unknown as ManifestV3Export;
}
