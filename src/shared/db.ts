// NetLens's IndexedDB (extension origin, shared by the model host and the popup), through the small `idb` wrapper.
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { FeatureVis } from './messages';

export interface SeenImage { id: string; modelId: string; at: number; url: string; thumbnail: string; means: Record<string, Float32Array> }

interface NetLensDB extends DBSchema {
  featureVis: { key: string; value: FeatureVis };
  seen: { key: string; value: SeenImage; indexes: { at: number } };
}

let db: Promise<IDBPDatabase<NetLensDB>> | null = null;

export function netlensDb(): Promise<IDBPDatabase<NetLensDB>> {
  db ??= openDB<NetLensDB>('netlens', 2, {
    upgrade(d, old) {
      if (old < 1) d.createObjectStore('featureVis');
      if (old < 2) d.createObjectStore('seen', { keyPath: 'id' }).createIndex('at', 'at');
    },
  });
  return db;
}

/** Images remembered with their channel means; the oldest go first past this many. */
export const SEEN_CAP = 300;

export async function addSeen(entry: SeenImage): Promise<void> {
  const d = await netlensDb();
  await d.put('seen', entry);
  const n = await d.count('seen');
  if (n <= SEEN_CAP) return;
  const tx = d.transaction('seen', 'readwrite');
  let cursor = await tx.store.index('at').openCursor();
  for (let i = 0; cursor && i < n - SEEN_CAP; i++) { await cursor.delete(); cursor = await cursor.continue(); }
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
