// Firefox suspends an idle event page (extensions.background.idle.timeout, 30 s by default) and takes the model,
// and any training, explanation or feature visualisation running in it, down with it. Measured on ESR 153
// (test/e2e-firefox/suspend.test.ts): a computation alone does not count as activity, and the page is stopped
// mid-job at the timeout; each extension-API call from the page restarts the idle timer. So while any model
// request runs, the page makes one cheap API call a second; when the last one ends it lets the page idle again.
import browser from 'webextension-polyfill';

const PING_MS = 1000; // well under any timeout a profile would set (Firefox's minimum useful one is seconds)
let busy = 0;
let timer: ReturnType<typeof setInterval> | null = null;

export async function whileBusy<T>(work: () => Promise<T>): Promise<T> {
  if (busy++ === 0) timer = setInterval(() => { browser.runtime.getPlatformInfo().catch(() => undefined); }, PING_MS);
  try {
    return await work();
  } finally {
    if (--busy === 0 && timer) { clearInterval(timer); timer = null; }
  }
}

/** model requests running now (test hooks read it) */
export const busyRequests = () => busy;
