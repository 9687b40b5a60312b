// The context menu as a whole: each feature adds its items, and the menu is rebuilt in one piece whenever
// something in it changes (e.g. the user's classes).
import browser from 'webextension-polyfill';
import { classifyMenus } from './classify/background';
import { teachMenus } from './teach/background';
import { lensMenus } from './lens/background';

let rebuilding: Promise<void> = Promise.resolve();

export function rebuildMenus(): Promise<void> {
  rebuilding = rebuilding.then(async () => {
    await browser.contextMenus.removeAll();
    classifyMenus();
    lensMenus();
    await teachMenus();
  }).catch(() => undefined);
  return rebuilding;
}
