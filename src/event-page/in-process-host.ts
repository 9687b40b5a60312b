// The Firefox model host: the handler table called in-process, behind the same ModelHost interface as Chrome's
// offscreen document. Requests and replies are checked by the same schemas and copied as JSON, as a message
// would be, so a handler sees and returns exactly what it would on Chrome (no shared references, no typed
// arrays leaking through). While a request runs, the event page is kept awake (see keep-alive.ts).
import { fail, parse } from '../shared/protocol';
import { BackgroundToHostSchema, checkReply, type BackgroundToHost, type Handlers, type Replies } from '../shared/messages';
import type { ModelHost } from '../shared/model-host';
import { whileBusy } from './keep-alive';

type AnyHandler = (m: BackgroundToHost) => Promise<unknown>;

export function inProcessHost(handlers: Handlers<BackgroundToHost>): ModelHost {
  return {
    request: (type, req) => whileBusy(async () => {
      const msg = parse(BackgroundToHostSchema, JSON.parse(JSON.stringify({ type, target: 'offscreen', ...req })));
      if (!msg) return fail('bad-request', 'malformed request');
      let raw: unknown;
      try {
        raw = await (handlers[msg.type] as AnyHandler)(msg);
      } catch (e) {
        return fail('internal', `The model host failed on ${type}: ${(e as Error)?.message ?? String(e)}`);
      }
      const reply = raw === undefined ? null : checkReply(type, JSON.parse(JSON.stringify(raw)));
      return reply ?? fail('internal', `The model host sent a malformed answer to ${type}.`);
    }) as Promise<Replies[typeof type]>,
  };
}
