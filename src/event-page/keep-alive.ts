// Firefox suspends an idle event page (extensions.background.idle.timeout, 30 s by default) and takes the model,
// and any training, explanation or feature visualisation running in it, down with it. Measured on ESR 153
// (test/e2e-firefox/firefox.test.ts, timeout set to 3 s): computing does not count as activity, and a request
// that calls no extension API is cut off at the timeout (3.3 s into a 9 s one); each extension-API call from the
// page restarts the idle timer (a job's progress reports happen to do that, but not every request reports, and
// not often enough). So while any model request runs, the page makes one cheap API call a second; when the last
// one ends it lets the page idle again (an idle page stopped ~2.5 s after its last request with the 3 s timeout).
import browser from 'webextension-polyfill';

const PING_MS = 1000; // well under any timeout a profile would set (Firefox's minimum useful one is seconds)
let busy = 0;
let enabled = true;
let timer: ReturnType<typeof setInterval> | null = null;

export async function whileBusy<T>(work: () => Promise<T>): Promise<T> {
  if (busy++ === 0 && enabled) timer = setInterval(() => { browser.runtime.getPlatformInfo().catch(() => undefined); }, PING_MS);
  try {
    return await work();
  } finally {
    if (--busy === 0 && timer) { clearInterval(timer); timer = null; }
  }
}

/** Test builds only: switches the keep-alive off (for requests that start afterwards), to measure without it. */
export function setKeepAlive(on: boolean): void { enabled = on; }

/** model requests running now (test hooks read it) */
export const busyRequests = () => busy;
