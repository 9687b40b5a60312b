// The model host's side of the Lens: the track of the current model, and each stage's numbers for the
// classified image, computed on request from the model's own layers and weights.
import type { Session } from '../../engine/session';
import { RequestError } from '../../engine/jobs';
import type { BackgroundToHost, Handlers } from '../../shared/messages';
import type { LensQuery, Stage, StageData, Track } from './contract';
import { dense, globalPool, pixels, receptiveField, softmax } from './ends';
import { channelOf, firstFilters, topPatches } from './probes';
import { buildTrack } from './track';
import { convCell, poolCell } from './windows';

export function lensHandlers(session: Session): Handlers<Extract<BackgroundToHost, { type: 'bg/lens' }>> {
  const tracks = new Map<string, Track>();
  session.onModelChange(() => tracks.clear());

  const stageOf = (track: Track, kinds: Stage['kind'][], layer?: string) => {
    const s = track.stages.find((x) => kinds.includes(x.kind) && (layer === undefined || x.layer === layer));
    if (!s) throw new RequestError(layer ? `${track.modelName} has no such stage at "${layer}"` : `${track.modelName} has no ${kinds.join('/')} stage`);
    return s;
  };

  return {
    'bg/lens': (req) => session.serve(async () => {
      const t0 = performance.now();
      const { model } = await session.prepare(req);
      let track = tracks.get(model.entry.id);
      if (!track) { track = buildTrack(model.model, model.entry); tracks.set(model.entry.id, track); }
      const q: LensQuery = req.query;
      if (q.kind === 'track') return { ok: true as const, track, ms: Math.round(performance.now() - t0) };
      const input = await session.inputFor(req.image, model);
      const adapter = session.adapter(model);
      let data: StageData;
      switch (q.kind) {
        case 'pixels': data = await pixels(input); break;
        case 'conv': data = await convCell(model, input, stageOf(track, ['conv', 'depthwise', 'pointwise'], q.layer), q.row, q.col, q.channel); break;
        case 'pool': data = await poolCell(model, input, stageOf(track, ['pool'], q.layer), q.row, q.col, q.channel); break;
        case 'receptive-field': data = await receptiveField(adapter, input, track, q.layer, q.row, q.col); break;
        case 'global-pool': data = await globalPool(model, input, stageOf(track, ['global-pool']), q.channel); break;
        case 'dense': data = await dense(model, adapter, input, track, stageOf(track, ['dense']), q.classIndex); break;
        case 'softmax': data = await softmax(model, adapter, input); break;
        case 'filters': data = await firstFilters(model, track); break;
        case 'channel-map': data = await channelOf(model, input, q.layer, q.channel); break;
        case 'top-patches': data = await topPatches(model, input, track, q.layer, q.channel, q.k); break;
      }
      return { ok: true as const, data, ms: Math.round(performance.now() - t0) };
    }),
  };
}
