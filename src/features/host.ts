// Every feature's model-host handlers in one table: the compiler checks that each host message has one.
import type { ModelHostRuntime } from '../engine/host-runtime';
import type { BackgroundToHost, Handlers } from '../shared/messages';
import { classifyHandlers } from './classify/host';
import { explainHandlers } from './explain/host';
import { layersHandlers, rememberSeen, type LayersServices } from './layers/host';
import { teachHost } from './teach/host';
import { lensHandlers } from './lens/host';

export function registerFeatures({ session, jobs, post }: ModelHostRuntime, services: LayersServices): Handlers<BackgroundToHost> {
  const teach = teachHost(session, jobs, (p) => post({ type: 'offscreen/train-progress', ...p }));
  const seen = services.seen;
  return {
    ...classifyHandlers(session, {
      custom: teach.classify,
      afterAnswer: seen ? (req, model, record) => rememberSeen(session, seen, req.requestId, model, req.layers ?? [], record, req.seenCap) : undefined,
    }),
    ...explainHandlers(session, jobs, teach.customHeads),
    ...layersHandlers(session, jobs, services, { heads: teach.customHeads, names: teach.customNames }),
    ...teach.handlers,
    ...lensHandlers(session),
    'bg/cancel': async (m) => { jobs.cancel(m.jobId); return { ok: true as const }; },
  };
}
