// NetLens's IndexedDB (extension origin, shared by the model host and the popup), through the small `idb` wrapper.
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { ClassVis, FeatureVis } from '../features/layers/contract';

export interface SeenImage { id: string; modelId: string; at: number; url: string; thumbnail: string; means: Record<string, Float32Array> }

/** A class the user teaches. */
export interface UserClass { id: string; name: string; createdAt: number }
/** One labelled example: its 224×224 thumbnail (JPEG data URL), where it came from, and its embedding per backbone. */
export interface Example { id: string; classId: string; thumbnail: string; url: string; at: number; embeddings: Record<string, Float32Array> }
/** What a trained head was trained on, next to its weights (saved by TF.js under `indexeddb://netlens-head-<model>`). */
export interface HeadInfo {
  modelId: string; classIds: string[]; classNames: string[]; embeddingLayer: string; dims: number; hidden: number;
  trainedAt: number; examples: number; valAccuracy: number; confusion: number[][]; epochs: number;
}

interface NetLensDB extends DBSchema {
  /** feature visualisations by model|layer|channel|steps, and class visualisations by class|model|head|class|seed|steps */
  featureVis: { key: string; value: FeatureVis | ClassVis };
  seen: { key: string; value: SeenImage; indexes: { at: number } };
  classes: { key: string; value: UserClass };
  examples: { key: string; value: Example; indexes: { classId: string } };
  heads: { key: string; value: HeadInfo };
}

let db: Promise<IDBPDatabase<NetLensDB>> | null = null;

export function netlensDb(): Promise<IDBPDatabase<NetLensDB>> {
  db ??= openDB<NetLensDB>('netlens', 3, {
    // Another page wants to delete or upgrade the database ("delete all NetLens data"): let it, and reopen later.
    blocking() { const open = db; db = null; void open?.then((d) => d.close()); },
    terminated() { db = null; },
    upgrade(d, old) {
      if (old < 1) d.createObjectStore('featureVis');
      if (old < 2) d.createObjectStore('seen', { keyPath: 'id' }).createIndex('at', 'at');
      if (old < 3) {
        d.createObjectStore('classes', { keyPath: 'id' });
        d.createObjectStore('examples', { keyPath: 'id' }).createIndex('classId', 'classId');
        d.createObjectStore('heads', { keyPath: 'modelId' });
      }
    },
  });
  return db;
}

/** Images remembered with their channel means; the oldest go first past this many. */
/** Images remembered by default (the options page sets another cap). */
export const SEEN_CAP = 300;

export async function addSeen(entry: SeenImage, cap = SEEN_CAP): Promise<void> {
  const d = await netlensDb();
  await d.put('seen', entry);
  const n = await d.count('seen');
  if (n <= cap) return;
  const tx = d.transaction('seen', 'readwrite');
  let cursor = await tx.store.index('at').openCursor();
  for (let i = 0; cursor && i < n - cap; i++) { await cursor.delete(); cursor = await cursor.continue(); }
  await tx.done;
}

/** The remembered images that excite one channel most (its mean activation over the image). */
export async function topSeen(modelId: string, layer: string, channel: number, n: number): Promise<{ id: string; url: string; thumbnail: string; value: number; at: number }[]> {
  const all = await (await netlensDb()).getAll('seen');
  return all
    .filter((e) => e.modelId === modelId && e.means[layer] && channel < e.means[layer]!.length)
    .map((e) => ({ id: e.id, url: e.url, thumbnail: e.thumbnail, at: e.at, value: e.means[layer]![channel]! }))
    .sort((a, b) => b.value - a.value)
    .slice(0, n);
}

export async function seenCount(): Promise<number> { return (await netlensDb()).count('seen'); }
export async function clearSeen(): Promise<void> { await (await netlensDb()).clear('seen'); }
export async function clearVisCache(): Promise<void> { await (await netlensDb()).clear('featureVis'); }

/** What NetLens keeps in IndexedDB, store by store: how many records and roughly how many bytes. */
export async function storeUsage(): Promise<{ store: string; records: number; bytes: number }[]> {
  const d = await netlensDb();
  const size = (v: unknown): number => {
    if (v instanceof Float32Array || v instanceof Uint8Array || v instanceof ArrayBuffer) return v.byteLength;
    if (typeof v === 'string') return v.length;
    if (Array.isArray(v)) return v.reduce((s: number, x) => s + size(x), 0);
    if (v && typeof v === 'object') return Object.values(v).reduce((s: number, x) => s + size(x), 0);
    return 8;
  };
  const stores = ['classes', 'examples', 'heads', 'featureVis', 'seen'] as const;
  return Promise.all(stores.map(async (store) => {
    const all: unknown[] = await d.getAll(store);
    return { store, records: all.length, bytes: all.reduce((s: number, v) => s + size(v), 0) };
  }));
}

/** Deletes every database of the extension's origin (NetLens's and TF.js's saved heads): nothing is left. */
export async function deleteAllDatabases(): Promise<void> {
  if (db) { (await db).close(); db = null; }
  const names = (await indexedDB.databases()).map((x) => x.name).filter((n): n is string => Boolean(n));
  await Promise.all(names.map((name) => new Promise<void>((resolve, reject) => {
    const r = indexedDB.deleteDatabase(name);
    r.onsuccess = () => resolve(); r.onerror = () => reject(r.error); r.onblocked = () => resolve();
  })));
}

// ---- the user's classes and examples. Every change is one IndexedDB transaction: a crash mid-write leaves the
// dataset as it was before the change, never half-changed.

export async function listClasses(): Promise<(UserClass & { count: number })[]> {
  const d = await netlensDb();
  const tx = d.transaction(['classes', 'examples']);
  const classes = await tx.objectStore('classes').getAll();
  const counts = await Promise.all(classes.map((c) => tx.objectStore('examples').index('classId').count(c.id)));
  await tx.done;
  // Counts first, then sort: sorting in place before pairing would give classes each other's counts.
  return classes.map((c, i) => ({ ...c, count: counts[i]! })).sort((a, b) => a.createdAt - b.createdAt);
}

export async function createClass(name: string): Promise<UserClass> {
  const clean = name.trim().slice(0, 60);
  if (!clean) throw new Error('A class needs a name.');
  const d = await netlensDb();
  const tx = d.transaction('classes', 'readwrite');
  const existing = (await tx.store.getAll()).find((c) => c.name.toLowerCase() === clean.toLowerCase());
  if (existing) { await tx.done; return existing; }
  const c: UserClass = { id: crypto.randomUUID(), name: clean, createdAt: Date.now() };
  await tx.store.put(c);
  await tx.done;
  return c;
}

export async function renameClass(id: string, name: string): Promise<void> {
  const clean = name.trim().slice(0, 60);
  if (!clean) throw new Error('A class needs a name.');
  const d = await netlensDb();
  const tx = d.transaction('classes', 'readwrite');
  const c = await tx.store.get(id);
  if (!c) throw new Error('That class no longer exists.');
  await tx.store.put({ ...c, name: clean });
  await tx.done;
}

export async function deleteClass(id: string): Promise<void> {
  const d = await netlensDb();
  const tx = d.transaction(['classes', 'examples'], 'readwrite');
  let cursor = await tx.objectStore('examples').index('classId').openCursor(id);
  while (cursor) { await cursor.delete(); cursor = await cursor.continue(); }
  await tx.objectStore('classes').delete(id);
  await tx.done;
}

export async function addExample(e: Example): Promise<number> {
  const d = await netlensDb();
  const tx = d.transaction(['classes', 'examples'], 'readwrite');
  if (!(await tx.objectStore('classes').get(e.classId))) { tx.abort(); throw new Error('That class no longer exists.'); }
  await tx.objectStore('examples').put(e);
  const n = await tx.objectStore('examples').index('classId').count(e.classId);
  await tx.done;
  return n;
}

export async function listExamples(classId?: string): Promise<Example[]> {
  const d = await netlensDb();
  return classId ? d.getAllFromIndex('examples', 'classId', classId) : d.getAll('examples');
}

export async function deleteExample(id: string): Promise<void> { await (await netlensDb()).delete('examples', id); }

export async function putEmbeddings(updates: { id: string; modelId: string; embedding: Float32Array }[]): Promise<void> {
  const d = await netlensDb();
  const tx = d.transaction('examples', 'readwrite');
  for (const u of updates) {
    const e = await tx.store.get(u.id);
    if (e) await tx.store.put({ ...e, embeddings: { ...e.embeddings, [u.modelId]: u.embedding } });
  }
  await tx.done;
}

export async function getHead(modelId: string): Promise<HeadInfo | undefined> { return (await netlensDb()).get('heads', modelId); }
export async function putHead(h: HeadInfo): Promise<void> { await (await netlensDb()).put('heads', h); }

/** Replaces the whole taught dataset (classes, examples, heads) in ONE transaction: all of it, or none. */
export async function replaceDataset(classes: UserClass[], examples: Example[], head: HeadInfo | null): Promise<void> {
  const d = await netlensDb();
  const tx = d.transaction(['classes', 'examples', 'heads'], 'readwrite');
  await Promise.all([tx.objectStore('classes').clear(), tx.objectStore('examples').clear(), tx.objectStore('heads').clear()]);
  for (const c of classes) await tx.objectStore('classes').put(c);
  for (const e of examples) await tx.objectStore('examples').put(e);
  if (head) await tx.objectStore('heads').put(head);
  await tx.done;
}
