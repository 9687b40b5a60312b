// Content script entry (all frames): wiring only. The background asks; the features answer.
import browser from 'webextension-polyfill';
import { assertContext } from '../shared/context';
import { BackgroundToContentSchema } from '../shared/messages';
import { parse } from '../shared/protocol';
import { hasRecentClick, resolveTarget, watchRightClicks } from '../features/classify/content';
import { askClassName } from '../features/teach/content';

assertContext('content');
// The first right-click of this frame asks the background to warm the model (it does so once per browser
// session); the message carries nothing about the page.
watchRightClicks(() => { browser.runtime.sendMessage({ type: 'content/warm-up' }).catch(() => undefined); });

browser.runtime.onMessage.addListener((raw: unknown, sender: browser.Runtime.MessageSender) => {
  if (sender.id !== browser.runtime.id || sender.tab) return undefined; // only the extension's background
  const msg = parse(BackgroundToContentSchema, raw);
  if (!msg) return undefined;
  if (msg.type === 'bg/ask-class-name') return window === window.top ? askClassName() : undefined;
  if (msg.anyFrame && !hasRecentClick()) return undefined; // another frame was clicked
  return resolveTarget(msg.srcUrl);
});
