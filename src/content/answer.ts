// The content script's answers: inlined into the content script, first run on the background's first message to this frame (see index.ts).
import { assertContext } from '../shared/context';
import { BackgroundToContentSchema } from '../shared/content-messages';
import { parse } from '../shared/protocol';
import { resolveTarget, type RightClick } from '../features/classify/content';
import { askClassName } from '../features/teach/content';

assertContext('content');

export async function answer(raw: unknown, click: RightClick | null): Promise<unknown> {
  const msg = parse(BackgroundToContentSchema, raw);
  if (!msg) return undefined; // not a message we know: no answer (the background falls back to the menu's URL)
  if (msg.type === 'bg/ask-class-name') return askClassName();
  return resolveTarget(msg.srcUrl, click);
}
