// What the offscreen document and its model worker say to each other (structured clone, not JSON): requests
// from the background and their replies, the host's reports, and the one thing a worker cannot do itself,
// drawing an SVG (it needs an <img>, so a DOM).
import type { BackgroundToHost, HostToBackground } from '../shared/messages';

export type ToWorker =
  | { kind: 'request'; id: number; msg: BackgroundToHost }
  | { kind: 'svg-done'; id: number; bitmap: ImageBitmap | null; error?: string };

export type FromWorker =
  | { kind: 'ready' }
  | { kind: 'reply'; id: number; reply: unknown }
  | { kind: 'report'; msg: HostToBackground }
  | { kind: 'svg'; id: number; blob: Blob };
