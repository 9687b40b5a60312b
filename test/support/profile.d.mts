// Type declarations for profile.mjs (dump / load everything an installed extension keeps on disk).
import type { BrowserContext, Worker } from 'playwright-core';

export const FORMAT: 'netlens-profile';
export const FORMAT_VERSION: number;

/**
 * A value as stored in JSON: plain JSON, or an encoded one such as {"$f32": base64}, {"$ta": "Int32Array", "b64": …},
 * {"$ab": base64}, {"$date": ms}, {"$undef": 1}, {"$num": "NaN"}, {"$obj": {…}} (a plain object with "$" keys);
 * binaries may carry "z": "deflate-raw" (their base64 is then of the deflated bytes).
 */
export type Encoded = unknown;

export interface IndexSchema { name: string; keyPath: string | string[]; unique: boolean; multiEntry: boolean }
export interface StoreDump {
  name: string;
  /** null: out-of-line keys (each record's key is then written with it) */
  keyPath: string | string[] | null;
  autoIncrement: boolean;
  indexes: IndexSchema[];
  records: { key: Encoded; value: Encoded }[];
}
export interface DatabaseDump { name: string; version: number; stores: StoreDump[] }

export interface ProfileDump {
  format: 'netlens-profile';
  formatVersion: number;
  dumpedAt: string;
  extension: { name: string; version: string; manifestVersion: number };
  userAgent: string;
  /** every IndexedDB database of the extension origin, by name */
  indexedDB: DatabaseDump[];
  /** chrome.storage areas: local (and sync), each encoded as one object */
  storage: { local?: Encoded; sync?: Encoded };
  /** window.localStorage of the extension origin */
  localStorage: Record<string, string>;
}

/** Anything with what the suite's launch() returns (sw may be replaced: the same handle is reused). */
export interface ProfileHarness { context: BrowserContext; sw: Worker; extId: string }

/** Everything the extension keeps on disk, read from an extension page (binaries over 2 kB of base64 deflated). */
export function dumpProfile(h: ProfileHarness, opts?: { compress?: boolean }): Promise<ProfileDump>;

/**
 * Writes a dump into the profile of `h` (meant for a fresh one), replacing what the extension made on install:
 * the offscreen document and extension tabs are closed and the service worker stopped, every database deleted and
 * re-created at the dumped version (stores, indexes, records), storage.local / sync cleared and set (session
 * cleared), localStorage replaced; then the worker is woken with a fresh global and, unless `upgradeEvent` is
 * false, runtime.onInstalled fires with { reason: 'update', previousVersion: dump.extension.version }.
 * `verify` (default true) re-reads what was written before the worker wakes and throws on any difference.
 */
export function loadProfile(h: ProfileHarness, dump: ProfileDump, opts?: { upgradeEvent?: boolean; verify?: boolean }): Promise<void>;

/** Deflates binaries whose base64 is longer than minChars (default 2048) where that is smaller. Lossless. */
export function compressDump<T>(dump: T, minChars?: number): T;
/** Undoes compressDump. */
export function inflateDump<T>(dump: T): T;
/** Human-readable paths where two dumps' data (databases, storage, localStorage) differ; [] when equal. */
export function diffDumps(a: Partial<ProfileDump>, b: Partial<ProfileDump>): string[];
