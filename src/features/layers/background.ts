// The Layers view in the service worker: route its requests to the model host with the tab's result.
import { fail } from '../../shared/protocol';
import type { Handlers, PopupToBackground } from '../../shared/messages';
import { modelFields, type ModelHost } from '../../shared/model-host';
import { resultState } from '../../shared/tab-store';
import { trackJob } from '../explain/background';

type LayersPopupMessages = Extract<PopupToBackground, { type: 'popup/layers' | 'popup/activations' | 'popup/feature-vis' | 'popup/class-vis' }>;

/** The model of the result, or the user's current model when there is none. */
async function resultModel(m: { tabId: number; requestId?: string | undefined }): Promise<string | undefined> {
  return (await resultState(m)).state?.result.modelId;
}

export function layersPopupHandlers(host: ModelHost): Handlers<LayersPopupMessages> {
  return {
    'popup/layers': async (m) => host.request('bg/layers', await modelFields(await resultModel(m))),
    'popup/activations': async (m) => {
      const { state, source } = await resultState(m);
      if (!state) return fail('no-result', 'Classify an image first: the layer views show what the network did with it.');
      const fields = await modelFields(state.result.modelId);
      return host.request('bg/activations', {
        layers: m.layers, image: { requestId: state.requestId, source }, classIndex: state.result.predictions[0]?.index ?? 0,
        ...(m.channels ? { channels: m.channels } : {}), ...(m.floats ? { floats: true } : {}), ...fields,
      });
    },
    'popup/feature-vis': async (m) => {
      const fields = await modelFields(await resultModel(m));
      return trackJob(m.jobId, () => host.request('bg/feature-vis', { jobId: m.jobId, layer: m.layer, channel: m.channel, steps: m.steps, ...fields }));
    },
    'popup/class-vis': async (m) => {
      const fields = await modelFields(await resultModel(m));
      const { type: _type, tabId: _tab, requestId: _id, ...job } = m;
      return trackJob(m.jobId, () => host.request('bg/class-vis', { ...job, ...fields }));
    },
  };
}
