import type { BrowserContext, Page, Worker } from 'playwright-core';
import type { TabState } from '../../src/features/classify/contract';

export const ROOT: string;
export const DIST: string;
export const CHROMIUM: string;
export const BASE_ARGS: string[];

export interface Harness {
  context: BrowserContext;
  sw: Worker;
  extId: string;
  userDataDir: string;
  close(opts?: { keepProfile?: boolean }): Promise<void>;
}
export function launch(opts?: { extraArgs?: string[]; userDataDir?: string; extDir?: string; keepWelcome?: boolean }): Promise<Harness>;
export function openGalleryPage(h: Harness, gallery: { origin: string }): Promise<Page>;
export function tabIdOf(h: Harness, page: Page): Promise<number>;

/** frameId: omit (null) for a click inside an iframe: the extension then asks every frame. */
export interface MenuClick { menuItemId?: string; srcUrl?: string; frameId?: number | null }
export function clickMenu(h: Harness, page: Page, click: MenuClick, timeoutMs?: number): Promise<TabState>;
export function openPopup(h: Harness, tabId: number): Promise<Page>;
/** The longest a popup timer waited while `work` ran, and how long `work` took (ms). */
export function popupLag(popup: Page, work: () => Promise<unknown>): Promise<{ lagMs: number; workMs: number }>;
/** The popup's explanation request for the tab's current result, sent to the model host as the background sends it. */
export function explainInHost(h: Harness, tabId: number, method: string, jobId?: string): Promise<{ ok: boolean; error?: { code: string; message: string } }>;
export function setSettings(h: Harness, settings: { modelId?: string; backend?: string; wasmThreads?: number }): Promise<void>;
/** The model worker (where TF.js runs), or with `page` the offscreen document that starts it. */
export function attachOffscreen(h: Harness, opts?: { page?: boolean }): Promise<{ evaluate<T = unknown>(expression: string): Promise<T>; heapMB(): Promise<number>; idle(): Promise<void>; detach(): Promise<void> }>;
