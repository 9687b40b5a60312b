// Content script entry (all frames of every page), built as one classic script: it only listens. The code that
// answers (finding the image, asking for a class name, checking messages) first runs on the background's first
// message. Even the message listener waits for the frame's first right-click: the background only ever writes
// to a frame after one (its menu), and touching chrome.runtime is most of this script's cost on a page (1–2 ms
// of binding set-up, against ~0.2 ms for the rest). A page that is never right-clicked pays for one DOM listener.
import type { RightClick } from '../features/classify/content';

let last: RightClick | null = null;
let warmAsked = false;
const recent = () => Boolean(last && Date.now() - last.at < 60_000);

// Capture phase, so the page cannot hide right-clicks from us.
document.addEventListener('contextmenu', (e) => {
  last = { path: e.composedPath(), x: e.clientX, y: e.clientY, at: Date.now() };
  listen();
  // The menu is open: the background may warm the model while the user chooses (once per browser session,
  // which the background keeps track of). The message says nothing about the page.
  if (!warmAsked) { warmAsked = true; chrome.runtime.sendMessage({ type: 'content/warm-up' }).catch(() => undefined); }
}, true);

let listening = false;
function listen(): void {
  if (listening) return;
  listening = true;
  chrome.runtime.onMessage.addListener((raw: unknown, sender, sendResponse) => {
    if (sender.id !== chrome.runtime.id || sender.tab) return undefined; // only the extension's background
    const m = raw as { type?: unknown; anyFrame?: unknown } | null;
    // Decided here, synchronously: a frame that does not answer must not hold the reply open. (The background
    // asks for a class name in one frame it names: the top one, or the clicked one if the top is not listening.)
    if (m?.type === 'bg/resolve-target' && m.anyFrame === true && !recent()) return undefined; // another frame was clicked
    if (m?.type !== 'bg/ask-class-name' && m?.type !== 'bg/resolve-target') return undefined;
    const click = last;
    if (m.type === 'bg/resolve-target') last = null; // one right-click, one answer: a frame never answers for an old click
    void import('./answer').then((a) => a.answer(raw, click)).then(sendResponse, (e: Error) => sendResponse({ ok: false, error: { code: 'internal', message: String(e?.message ?? e) } }));
    return true;
  });
}
