// Chrome's service-worker entry: wiring only. The model runs in the offscreen document.
import browser from 'webextension-polyfill';
import { assertContext } from '../shared/context';
import { startBackground } from './wire';
import { OFFSCREEN_PATH, offscreenHost } from './offscreen-host';

assertContext('service-worker');
startBackground(offscreenHost, browser.runtime.getURL(OFFSCREEN_PATH));
