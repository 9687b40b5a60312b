import type { Browser, Page } from 'puppeteer-core';

export const FIREFOX_DIST: string;
export const FIREFOX: string;
export const ADDON_ID: string;
export const UUID: string;
export const EXT_ORIGIN: string;

export interface FirefoxHarness {
  browser: Browser;
  profileDir: string;
  openExtPage(path: string, timeoutMs?: number): Promise<Page>;
  ext(): Promise<Page>;
  /** Runs fn(arg, bg) in an extension page (`browser` is the WebExtension API there; bg the event page's window). */
  inExt<A, R>(fn: (arg: A, bg: any) => R | Promise<R>, arg?: A): Promise<R>;
  chrome(expression: string): Promise<any>;
  close(opts?: { keepProfile?: boolean }): Promise<void>;
}

export function xpiOf(dist: string): Uint8Array;
export function launchFirefox(opts?: { extDir?: string; profileDir?: string; prefs?: Record<string, unknown> }): Promise<FirefoxHarness>;
export function realMenuClick(h: FirefoxHarness, page: Page, x: number, y: number, menuId: string): Promise<string>;
export function rightClick(h: FirefoxHarness, page: Page, selector: string, menuId: string, frameSelector?: string | null): Promise<string>;
export function tabIdOf(h: FirefoxHarness, url: string): Promise<number>;
export function waitTabState(h: FirefoxHarness, tabId: number, beforeId?: string | null, timeoutMs?: number): Promise<any>;
export function currentRequestId(h: FirefoxHarness, tabId: number): Promise<string | null>;
export function setSettings(h: FirefoxHarness, settings: Record<string, unknown>): Promise<void>;
export function backgroundState(h: FirefoxHarness): Promise<string>;
export function acceptPermissionPrompt(h: FirefoxHarness, timeoutMs?: number): Promise<string>;
