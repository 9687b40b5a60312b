// "Where the model runs", as one small interface. On Chrome the model host is the offscreen document
// (src/background/offscreen-host.ts); Firefox has no offscreen API but its background page has a DOM, so a
// Firefox host can wrap an in-page Engine directly with the same two calls.
import type { BackgroundToHost, Replies } from './messages';

type Req<T extends BackgroundToHost['type']> = Omit<Extract<BackgroundToHost, { type: T }>, 'type' | 'target'>;

export interface ModelHost {
  classify(req: Req<'bg/classify'>): Promise<Replies['bg/classify']>;
  preload(req: Req<'bg/preload'>): Promise<Replies['bg/preload']>;
  explain(req: Req<'bg/explain'>): Promise<Replies['bg/explain']>;
  cancel(req: Req<'bg/cancel'>): Promise<Replies['bg/cancel']>;
  layers(req: Req<'bg/layers'>): Promise<Replies['bg/layers']>;
  addExample(req: Req<'bg/add-example'>): Promise<Replies['bg/add-example']>;
  train(req: Req<'bg/train'>): Promise<Replies['bg/train']>;
  exportClasses(req: Req<'bg/export'>): Promise<Replies['bg/export']>;
  importClasses(req: Req<'bg/import'>): Promise<Replies['bg/import']>;
  activations(req: Req<'bg/activations'>): Promise<Replies['bg/activations']>;
  featureVis(req: Req<'bg/feature-vis'>): Promise<Replies['bg/feature-vis']>;
}
