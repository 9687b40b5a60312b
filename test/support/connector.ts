// One typed mock of the popup's connector for every view-model test: each test gives the methods it expects
// to be called, and any other call fails loudly with its name (so a view model that starts calling something
// new is noticed). The key list is checked against PopupConnector at compile time.
import type { PopupConnector } from '../../src/popup/connector';

const KEYS = [
  'tabId', 'tabState', 'hostStatus', 'settings', 'backendChoice', 'saveSettings', 'reclassify', 'preload', 'explain', 'cancel',
  'onJobProgress', 'labels', 'layers', 'activations', 'featureVis', 'classVis', 'topImages', 'seenCount', 'clearSeen', 'exportClasses',
  'importClasses', 'layerToggles', 'saveLayerToggles', 'explainSettings', 'saveExplainSettings', 'classes', 'examples',
  'createClass', 'renameClass', 'deleteClass', 'deleteExample', 'head', 'classesChanged', 'train', 'lrFind', 'pixelLinear', 'cancelTraining',
  'trainingState', 'watchTraining', 'teachStatus', 'watchTeachStatus', 'connect', 'watch', 'lens', 'openLens',
] as const satisfies readonly (keyof PopupConnector)[];

type Missing = Exclude<keyof PopupConnector, (typeof KEYS)[number]>;
const everyMethodListed: [Missing] extends [never] ? true : Missing = true;
void everyMethodListed;

export class UnexpectedCall extends Error {}

export function mockConnector(impl: Partial<PopupConnector>): PopupConnector {
  const unexpected = (name: string) => () => { throw new UnexpectedCall(`the view model called connector.${name}(), which this test did not expect`); };
  return Object.fromEntries(KEYS.map((k) => [k, impl[k] ?? unexpected(k)])) as unknown as PopupConnector;
}
