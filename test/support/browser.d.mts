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
export function setSettings(h: Harness, settings: { modelId?: string; backend?: string; wasmThreads?: number }): Promise<void>;
/** The model worker (where TF.js runs), or with `page` the offscreen document that starts it. */
export function attachOffscreen(h: Harness, opts?: { page?: boolean }): Promise<{ evaluate<T = unknown>(expression: string): Promise<T>; heapMB(): Promise<number>; idle(): Promise<void>; detach(): Promise<void> }>;
