// Each entry point asserts where it runs, so a file bundled into the wrong context fails loudly at start-up
// instead of half-working (e.g. TF.js accidentally pulled into the service worker).
type ExtensionContext = 'service-worker' | 'event-page' | 'offscreen' | 'model-worker' | 'popup' | 'lens' | 'options' | 'welcome' | 'content';

function detectContext(): ExtensionContext | 'unknown' {
  const g = globalThis as Record<string, unknown>;
  if (typeof g.ServiceWorkerGlobalScope === 'function' && globalThis instanceof (g.ServiceWorkerGlobalScope as never)) return 'service-worker';
  if (typeof location === 'undefined') return 'unknown';
  // The offscreen document's model worker (a dedicated worker of the extension's origin).
  if (typeof g.DedicatedWorkerGlobalScope === 'function' && globalThis instanceof (g.DedicatedWorkerGlobalScope as never)) return location.protocol === 'chrome-extension:' ? 'model-worker' : 'unknown';
  if (location.protocol !== 'chrome-extension:' && location.protocol !== 'moz-extension:') return 'content';
  // Firefox's event page (background.scripts) runs in a page the browser generates for it.
  if (location.protocol === 'moz-extension:' && location.pathname === '/_generated_background_page.html') return 'event-page';
  if (location.pathname.includes('/offscreen/')) return 'offscreen';
  if (location.pathname.includes('/popup/')) return 'popup';
  if (location.pathname.includes('/lens/')) return 'lens';
  if (location.pathname.includes('/options/')) return 'options';
  if (location.pathname.includes('/welcome/')) return 'welcome';
  return 'unknown';
}

export function assertContext(expected: ExtensionContext): void {
  const actual = detectContext();
  if (actual !== expected) throw new Error(`NetLens: this script must run in the ${expected} context, but runs in ${actual}`);
}
