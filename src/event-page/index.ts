// Firefox's event-page entry: the background and the model host in one page. Firefox has no offscreen API, but an
// event page has a DOM, so TF.js runs here and the background calls it in-process through the same ModelHost
// interface. Wiring only.
import browser from 'webextension-polyfill';
import { assertContext } from '../shared/context';
import type { HostToBackground } from '../shared/messages';
import { onHostEvent, startBackground } from '../background/wire';
import { wireModelHost } from '../host/wire';
import { markTrainingInterrupted } from '../features/teach/background';
import { inProcessHost } from './in-process-host';

assertContext('event-page');

const { runtime, handlers } = wireModelHost((msg: HostToBackground) => {
  onHostEvent(msg); // progress for the background, handled here
  // …and for the popup (job progress): a message from the background reaches extension pages, never itself.
  browser.runtime.sendMessage(msg).catch(() => undefined);
});
startBackground(inProcessHost(handlers), null);
// The host starts with this page: a training stored as running was cut off when the browser stopped the page.
void markTrainingInterrupted();

// Tests and the benchmark reach the runtime through getBackgroundPage(); only a test build has this.
if (import.meta.env.MODE === 'firefox-test') void import('./test-hooks').then((m) => m.expose(runtime));
