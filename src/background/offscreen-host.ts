// The Chrome model host: an offscreen document created on demand. One creation promise at a time; if the
// document was closed (by Chrome, a crash, or a test) it is created again, and a request that was cut off
// by the closure is retried once on the new document.
import { fail } from '../shared/protocol';
import { checkReply, type BackgroundToHost, type Replies } from '../shared/messages';
import type { ModelHost } from '../shared/model-host';

export const OFFSCREEN_PATH = 'src/offscreen/offscreen.html';
let creating: Promise<void> | null = null;
/** The document answered since it was last created or found: no getContexts round trip per request. */
let known = false;

async function hasDocument(): Promise<boolean> {
  const contexts = await chrome.runtime.getContexts({
    contextTypes: [chrome.runtime.ContextType.OFFSCREEN_DOCUMENT],
    documentUrls: [chrome.runtime.getURL(OFFSCREEN_PATH)],
  });
  return contexts.length > 0;
}

async function ensureOffscreenDocument(): Promise<void> {
  // A document that exists may still be loading: whoever arrives while it is being created waits for that
  // creation too (otherwise its message reaches the document before its listener exists).
  if (closing) await closing;
  if (creating) return creating;
  if (known) return;
  if (await hasDocument()) { known = true; return; }
  creating ??= chrome.offscreen
    .createDocument({
      url: OFFSCREEN_PATH,
      // WORKERS is literally what it is for: it starts the model worker, where TF.js runs. It also keeps the
      // document alive while idle (AUDIO_PLAYBACK documents are closed after ~30 s).
      reasons: [chrome.offscreen.Reason.WORKERS],
      justification: 'Runs the image classification model (TensorFlow.js) in a worker on this computer.',
    })
    .catch((e: Error) => { if (!/single offscreen/i.test(e.message)) throw e; })
    .finally(() => { creating = null; });
  await creating;
}

/**
 * The thread setting the current document started with. wasm's thread count is fixed once it starts, so a request
 * with another setting closes the document first and gets a new one. (After a service-worker restart this is
 * unknown, and the document is taken to match: the next restart of the document applies the setting.)
 */
let docThreads: number | undefined;

async function matchThreads(want: number | undefined): Promise<void> {
  if (want === undefined) return;
  // Recorded before the first await: two requests sent together after a change must not both close the document.
  const stale = docThreads !== undefined && docThreads !== want;
  docThreads = want;
  if (stale) {
    await creating;
    known = false;
    if (await hasDocument()) await chrome.offscreen.closeDocument().catch(() => undefined);
  }
}

/** Requests sent and not yet answered, and when the last one was sent: the document is released only when quiet. */
let inFlight = 0;
let lastSent = 0;
/** The host asks after minutes of quiet; a request since then (its ask crossed it) makes the ask stale. */
const QUIET_BEFORE_RELEASE_MS = 10_000;
/** A release under way: requests wait for it, then create a new document. */
let closing: Promise<void> | null = null;

/** Closes the document if nothing is in flight or was just sent (it asked: idle, and holding much memory). */
async function release(): Promise<boolean> {
  const quiet = () => inFlight === 0 && !creating && !closing && Date.now() - lastSent >= QUIET_BEFORE_RELEASE_MS;
  if (!quiet() || !(await hasDocument()) || !quiet()) return false;
  known = false;
  closing = chrome.offscreen.closeDocument().catch(() => undefined).finally(() => { closing = null; });
  await closing;
  return true;
}

const CUT_OFF = /message port closed|receiving end does not exist|could not establish connection|context invalidated/i;

async function send<M extends BackgroundToHost>(msg: M): Promise<Replies[M['type']]> {
  inFlight++;
  lastSent = Date.now();
  try {
    return await sendNow(msg);
  } finally {
    inFlight--;
  }
}

async function sendNow<M extends BackgroundToHost>(msg: M): Promise<Replies[M['type']]> {
  // Nothing runs without a document, so a cancel never creates one (a popup closing after the document was
  // closed would otherwise start it again, and keep the worker awake, for nothing).
  if (msg.type === 'bg/cancel' && !(await hasDocument())) return { ok: true } as Replies[M['type']];
  await matchThreads((msg as { threads?: number }).threads);
  for (let attempt = 0; ; attempt++) {
    await ensureOffscreenDocument();
    try {
      const raw: unknown = await chrome.runtime.sendMessage(msg);
      if (raw === undefined) throw new Error('The message port closed before a response was received.');
      known = true;
      const reply = checkReply(msg.type, raw) as Replies[M['type']] | null;
      if (!reply) return fail('internal', `The model host sent a malformed answer to ${msg.type}.`) as Replies[M['type']];
      return reply;
    } catch (e) {
      const message = (e as Error).message ?? String(e);
      known = false; // gone, or not listening yet: ask Chrome again next time
      // The document went away mid-request (or was not listening yet): retry on a fresh one, briefly.
      if (attempt < 2 && CUT_OFF.test(message)) { await new Promise((r) => setTimeout(r, 150 * (attempt + 1))); continue; }
      return fail('interrupted', `The model host stopped before answering (${message}). Please try again.`) as Replies[M['type']];
    }
  }
}

export const offscreenHost: ModelHost = {
  request: (type, req) => send({ type, target: 'offscreen', ...req } as unknown as BackgroundToHost) as never,
  release,
};
