// What the popup shows for a tab. Kept in storage.session by the background, so a service-worker restart
// loses nothing, and read by the popup (which also watches storage.onChanged for live progress).
import type { ClassifyResult, NetLensError, Phase } from './messages';

export type TabState =
  | { status: 'loading'; requestId: string; phase: Phase; progress: number | null; message: string; queueDepth: number; startedAt: number }
  | { status: 'done'; requestId: string; result: ClassifyResult }
  | { status: 'error'; requestId: string; error: NetLensError; at: number };

export const tabKey = (tabId: number): string => `tab:${tabId}`;
export const sourceKey = (tabId: number): string => `source:${tabId}`;
