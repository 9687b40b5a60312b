// Whether NetLens may read websites (the <all_urls> host permission). Chrome grants it at install; on Firefox a
// user can withhold or revoke it. Without it no content script runs in pages and the model host cannot download
// their pictures: only pictures the menu hands over whole (data: URLs) and NetLens's own pages still work.
import browser from 'webextension-polyfill';

export const ALL_SITES = { origins: ['<all_urls>'] };

export const NO_SITE_ACCESS = 'NetLens is not allowed to read websites, so it cannot see this picture. Open the NetLens popup and click “Allow NetLens to read websites”, then reload the page.';

export async function hasSiteAccess(): Promise<boolean> {
  try {
    return await browser.permissions.contains(ALL_SITES);
  } catch {
    return true; // a browser without the API has no way to withhold it either
  }
}
