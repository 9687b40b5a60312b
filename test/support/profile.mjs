// Dumps everything an installed NetLens keeps on disk (every IndexedDB database of the extension origin, and
// storage.local / storage.sync / localStorage) into one JSON-able object, and writes such a dump into a fresh
// profile. Nothing here knows NetLens's schema: a dump records each database's version and each object store's
// keyPath, autoIncrement and indexes, so the same functions dump and load any version's data.
//
// Values are encoded losslessly for JSON: {"$f32": base64} (Float32Array), {"$ta": "Int32Array", "b64": …}
// (other typed arrays), {"$ab": base64} (ArrayBuffer), {"$date": ms}, {"$undef": 1}, {"$num": "NaN"}, {"$map"},
// {"$set"}, {"$blob"}, … and a plain object that has a key starting with "$" is wrapped as {"$obj": …}.
// Big binaries are deflated (a "z": "deflate-raw" member beside the base64), which is also lossless.
//
// Both run in an extension page that has no NetLens code in it (the extension's own manifest.json opened in a
// tab): same origin as the popup and the offscreen document, but nothing there opens or upgrades a database.
import zlib from 'node:zlib';

export const FORMAT = 'netlens-profile';
export const FORMAT_VERSION = 1;

/** Installs globalThis.__profile in the page: the encoder, the decoder, dump and load. Runs in the browser. */
function installPageLib() {
  if (globalThis.__profile) return;
  const b64 = (u8) => {
    let s = '';
    for (let i = 0; i < u8.length; i += 0x8000) s += String.fromCharCode.apply(null, u8.subarray(i, i + 0x8000));
    return btoa(s);
  };
  const unb64 = (s) => {
    const bin = atob(s);
    const u8 = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) u8[i] = bin.charCodeAt(i);
    return u8;
  };
  const bytesOf = (view) => new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
  const TYPED = ['Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array', 'Int32Array', 'Uint32Array',
    'Float16Array', 'Float32Array', 'Float64Array', 'BigInt64Array', 'BigUint64Array'];
  const typedName = (v) => TYPED.find((n) => typeof globalThis[n] === 'function' && v instanceof globalThis[n]);

  async function enc(v, path) {
    if (v === undefined) return { $undef: 1 };
    if (v === null || typeof v === 'boolean' || typeof v === 'string') return v;
    if (typeof v === 'number') return Number.isFinite(v) && !Object.is(v, -0) ? v : { $num: Object.is(v, -0) ? '-0' : String(v) };
    if (typeof v === 'bigint') return { $bigint: String(v) };
    if (typeof v !== 'object') throw new Error(`${path}: cannot encode a ${typeof v}`);
    if (Array.isArray(v)) { const out = []; for (let i = 0; i < v.length; i++) out.push(await enc(v[i], `${path}[${i}]`)); return out; }
    if (v instanceof Date) return { $date: Number.isNaN(v.getTime()) ? null : v.getTime() };
    if (v instanceof ArrayBuffer) return { $ab: b64(new Uint8Array(v)) };
    if (v instanceof DataView) return { $dv: b64(bytesOf(v)) };
    if (ArrayBuffer.isView(v)) {
      const name = typedName(v);
      if (!name) throw new Error(`${path}: unknown typed array ${v.constructor?.name}`);
      return name === 'Float32Array' ? { $f32: b64(bytesOf(v)) } : { $ta: name, b64: b64(bytesOf(v)) };
    }
    if (v instanceof RegExp) return { $re: [v.source, v.flags] };
    if (v instanceof Map) { const out = []; for (const [k, x] of v) out.push([await enc(k, `${path}<key>`), await enc(x, `${path}<value>`)]); return { $map: out }; }
    if (v instanceof Set) { const out = []; for (const x of v) out.push(await enc(x, `${path}<item>`)); return { $set: out }; }
    if (typeof File === 'function' && v instanceof File) return { $file: b64(new Uint8Array(await v.arrayBuffer())), type: v.type, name: v.name, lastModified: v.lastModified };
    if (typeof Blob === 'function' && v instanceof Blob) return { $blob: b64(new Uint8Array(await v.arrayBuffer())), type: v.type };
    if (v instanceof Boolean || v instanceof Number || v instanceof String) return { $boxed: await enc(v.valueOf(), path) };
    const proto = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && proto !== null) throw new Error(`${path}: cannot encode a ${v.constructor?.name ?? 'non-plain object'} losslessly`);
    const out = {};
    let dollar = false;
    for (const k of Object.keys(v)) { if (k.startsWith('$')) dollar = true; out[k] = await enc(v[k], `${path}.${k}`); }
    return dollar ? { $obj: out } : out;
  }

  function dec(v) {
    if (v === null || typeof v !== 'object') return v;
    if (Array.isArray(v)) return v.map(dec);
    const tag = Object.keys(v).find((k) => k.startsWith('$'));
    if (tag === undefined) { const out = {}; for (const k of Object.keys(v)) out[k] = dec(v[k]); return out; }
    if (v.z) throw new Error(`compressed value reached the page (${v.z}): inflate it in Node first`);
    switch (tag) {
      case '$undef': return undefined;
      case '$num': return v.$num === '-0' ? -0 : Number(v.$num);
      case '$bigint': return BigInt(v.$bigint);
      case '$date': return new Date(v.$date === null ? NaN : v.$date);
      case '$ab': return unb64(v.$ab).buffer;
      case '$dv': return new DataView(unb64(v.$dv).buffer);
      case '$f32': return new Float32Array(unb64(v.$f32).buffer);
      case '$ta': return new globalThis[v.$ta](unb64(v.b64).buffer);
      case '$re': return new RegExp(v.$re[0], v.$re[1]);
      case '$map': return new Map(v.$map.map(([k, x]) => [dec(k), dec(x)]));
      case '$set': return new Set(v.$set.map(dec));
      case '$file': return new File([unb64(v.$file)], v.name, { type: v.type, lastModified: v.lastModified });
      case '$blob': return new Blob([unb64(v.$blob)], { type: v.type });
      case '$boxed': return Object(dec(v.$boxed));
      case '$obj': { const out = {}; for (const k of Object.keys(v.$obj)) out[k] = dec(v.$obj[k]); return out; }
      default: throw new Error(`unknown encoded value ${tag}`);
    }
  }

  const req = (r) => new Promise((resolve, reject) => { r.onsuccess = () => resolve(r.result); r.onerror = () => reject(r.error); });
  const txDone = (tx) => new Promise((resolve, reject) => { tx.oncomplete = () => resolve(); tx.onerror = () => reject(tx.error); tx.onabort = () => reject(tx.error ?? new Error('transaction aborted')); });
  const kp = (k) => (Array.isArray(k) ? [...k] : k);

  async function dumpDb(name) {
    const db = await req(indexedDB.open(name));
    try {
      const stores = [];
      for (const storeName of [...db.objectStoreNames]) {
        const tx = db.transaction(storeName, 'readonly');
        const s = tx.objectStore(storeName);
        const indexes = [...s.indexNames].map((n) => { const i = s.index(n); return { name: i.name, keyPath: kp(i.keyPath), unique: i.unique, multiEntry: i.multiEntry }; });
        const [keys, values] = await Promise.all([req(s.getAllKeys()), req(s.getAll())]);
        await txDone(tx);
        const records = [];
        for (let i = 0; i < keys.length; i++) records.push({ key: await enc(keys[i], `${name}/${storeName}#${i}.key`), value: await enc(values[i], `${name}/${storeName}#${i}`) });
        stores.push({ name: storeName, keyPath: kp(s.keyPath), autoIncrement: s.autoIncrement, indexes, records });
      }
      return { name, version: db.version, stores };
    } finally {
      db.close();
    }
  }

  const area = (n) => (globalThis.chrome?.storage?.[n] ? globalThis.chrome.storage[n] : null);

  globalThis.__profile = {
    async databases() { return (await indexedDB.databases()).map((d) => ({ name: d.name, version: d.version })); },

    async dump() {
      const dbs = (await indexedDB.databases()).map((d) => d.name).sort();
      const indexedDBs = [];
      for (const n of dbs) indexedDBs.push(await dumpDb(n));
      const storage = {};
      for (const n of ['local', 'sync']) if (area(n)) storage[n] = await enc(await area(n).get(null), `storage.${n}`);
      const ls = {};
      for (let i = 0; i < localStorage.length; i++) { const k = localStorage.key(i); ls[k] = localStorage.getItem(k); }
      const manifest = chrome.runtime.getManifest();
      return {
        extension: { name: manifest.name, version: manifest.version, manifestVersion: manifest.manifest_version },
        userAgent: navigator.userAgent,
        indexedDB: indexedDBs,
        storage,
        localStorage: ls,
      };
    },

    /** Deletes every database of this origin; reports the ones that stayed blocked (someone holds them open). */
    async deleteAll(timeoutMs) {
      const blocked = [];
      for (const { name } of await indexedDB.databases()) {
        const ok = await new Promise((resolve, reject) => {
          const r = indexedDB.deleteDatabase(name);
          let t = null;
          r.onsuccess = () => { clearTimeout(t); resolve(true); };
          r.onerror = () => { clearTimeout(t); reject(r.error); };
          r.onblocked = () => { t = setTimeout(() => resolve(false), timeoutMs); };
        });
        if (!ok) blocked.push(name);
      }
      return blocked;
    },

    /** Creates one database exactly as dumped: its version, stores, indexes and records (one transaction). */
    async createDb(d) {
      let upgraded = false;
      const open = indexedDB.open(d.name, d.version);
      open.onupgradeneeded = (ev) => {
        upgraded = true;
        if (ev.oldVersion !== 0) { open.transaction.abort(); return; }
        const db = open.result;
        for (const s of d.stores) {
          const opts = { autoIncrement: Boolean(s.autoIncrement) };
          if (s.keyPath !== null && s.keyPath !== undefined) opts.keyPath = s.keyPath;
          const store = db.createObjectStore(s.name, opts);
          for (const i of s.indexes) store.createIndex(i.name, i.keyPath, { unique: Boolean(i.unique), multiEntry: Boolean(i.multiEntry) });
        }
      };
      const db = await req(open).catch((e) => { throw new Error(`cannot create database "${d.name}" v${d.version}: ${e?.message ?? e}`); });
      try {
        if (!upgraded) throw new Error(`database "${d.name}" already existed at v${db.version}: something re-created it during the load`);
        const names = d.stores.map((s) => s.name);
        if (!names.length) return;
        const tx = db.transaction(names, 'readwrite');
        for (const s of d.stores) {
          const store = tx.objectStore(s.name);
          const inline = s.keyPath !== null && s.keyPath !== undefined;
          for (const r of s.records) { if (inline) store.put(dec(r.value)); else store.put(dec(r.value), dec(r.key)); }
        }
        await txDone(tx);
      } finally {
        db.close();
      }
    },

    async setStorage(storage, ls) {
      for (const n of ['local', 'sync', 'session']) {
        if (!area(n)) continue;
        await area(n).clear();
        if (storage[n]) await area(n).set(dec(storage[n]));
      }
      localStorage.clear();
      for (const [k, v] of Object.entries(ls ?? {})) localStorage.setItem(k, v);
      if (globalThis.caches) for (const k of await caches.keys()) await caches.delete(k);
    },
  };
}

const withTimeout = (p, ms, what) => Promise.race([p, new Promise((_, rej) => setTimeout(() => rej(new Error(`${what}: no answer within ${ms} ms`)), ms))]);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A tab on chrome-extension://<id>/manifest.json with the page library installed. */
async function quietPage(h) {
  const page = await h.context.newPage();
  await page.goto(`chrome-extension://${h.extId}/manifest.json`);
  await page.evaluate(installPageLib);
  return page;
}

// ---- compression of big binaries (Node side), lossless

const BIN_FIELD = { $ab: '$ab', $f32: '$f32', $dv: '$dv', $ta: 'b64', $blob: '$blob', $file: '$file' };
function binField(v) {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return null;
  const tag = Object.keys(v).find((k) => k.startsWith('$'));
  return tag && BIN_FIELD[tag] ? BIN_FIELD[tag] : null;
}
function walk(v, f) {
  if (!v || typeof v !== 'object') return v;
  const r = f(v);
  if (r !== v) return r;
  if (Array.isArray(v)) return v.map((x) => walk(x, f));
  const out = {};
  for (const k of Object.keys(v)) out[k] = walk(v[k], f);
  return out;
}
/** Deflates every binary whose base64 is longer than minChars, when that makes it smaller. */
export function compressDump(dump, minChars = 2048) {
  return walk(dump, (v) => {
    const f = binField(v);
    if (!f || v.z || typeof v[f] !== 'string' || v[f].length < minChars) return v;
    const z = zlib.deflateRawSync(Buffer.from(v[f], 'base64'), { level: 9 }).toString('base64');
    return z.length < v[f].length ? { ...v, [f]: z, z: 'deflate-raw' } : v;
  });
}
export function inflateDump(dump) {
  return walk(dump, (v) => {
    const f = binField(v);
    if (!f || !v.z) return v;
    if (v.z !== 'deflate-raw') throw new Error(`unknown compression ${v.z}`);
    const { z: _z, ...rest } = v;
    return { ...rest, [f]: zlib.inflateRawSync(Buffer.from(v[f], 'base64')).toString('base64') };
  });
}

/** Paths where two dumps' data differ (databases, stores, schemas, records, storage, localStorage); [] if equal. */
export function diffDumps(a, b) {
  const A = inflateDump(a), B = inflateDump(b);
  const out = [];
  const cmp = (x, y, path) => {
    if (out.length > 20) return;
    if (JSON.stringify(x) === JSON.stringify(y)) return;
    if (x && y && typeof x === 'object' && typeof y === 'object' && Array.isArray(x) === Array.isArray(y)) {
      const keys = [...new Set([...Object.keys(x), ...Object.keys(y)])];
      for (const k of keys) cmp(x[k], y[k], `${path}.${k}`);
      return;
    }
    out.push(`${path}: ${JSON.stringify(x)?.slice(0, 120)} ≠ ${JSON.stringify(y)?.slice(0, 120)}`);
  };
  const byName = (l) => Object.fromEntries((l ?? []).map((d) => [d.name, { ...d, stores: Object.fromEntries(d.stores.map((s) => [s.name, s])) }]));
  cmp(byName(A.indexedDB), byName(B.indexedDB), 'indexedDB');
  cmp(A.storage, B.storage, 'storage');
  cmp(A.localStorage ?? {}, B.localStorage ?? {}, 'localStorage');
  return out;
}

/**
 * Everything the extension keeps on disk, from an extension page. Wait for the extension's background writes
 * (e.g. remembered images) to finish first.
 */
export async function dumpProfile(h, { compress = true } = {}) {
  const page = await quietPage(h);
  try {
    const d = await page.evaluate(() => globalThis.__profile.dump());
    const dump = { format: FORMAT, formatVersion: FORMAT_VERSION, dumpedAt: new Date().toISOString(), ...d };
    return compress ? compressDump(dump) : dump;
  } finally {
    await page.close();
  }
}

async function stopWorkers(h, page) {
  const cdp = await h.context.newCDPSession(page);
  const browser = h.context.browser();
  const b = browser ? await browser.newBrowserCDPSession() : null;
  try {
    await cdp.send('ServiceWorker.enable');
    if (!b) { await cdp.send('ServiceWorker.stopAllWorkers'); return; }
    const origin = `chrome-extension://${h.extId}/`;
    // An event can start the worker again right after it stopped (under load, one was still on its way):
    // ask again every second, for up to 10 s.
    for (let i = 0; i < 100; i++) {
      if (i % 10 === 0) await cdp.send('ServiceWorker.stopAllWorkers');
      const { targetInfos } = await b.send('Target.getTargets');
      if (!targetInfos.some((t) => t.type === 'service_worker' && t.url.startsWith(origin))) return;
      await sleep(100);
    }
    throw new Error('the service worker did not stop');
  } finally {
    await cdp.detach().catch(() => undefined);
    await b?.detach().catch(() => undefined);
  }
}

/**
 * Writes a dump into the profile of `h` (meant for a fresh one), replacing whatever the extension created there
 * on install: every IndexedDB database is deleted and re-created at the dumped version with the dumped stores,
 * indexes and records; storage.local / storage.sync are cleared and set (storage.session cleared), localStorage
 * replaced. The offscreen document and the extension's other pages are closed and the service worker is stopped
 * first (they hold databases open), and woken afterwards with a fresh global, so the extension's code next reads
 * the dumped data as if it had found it on disk. `upgradeEvent` (default on) then fires the real
 * runtime.onInstalled listeners with { reason: 'update', previousVersion: <the dump's version> }, as Chrome does
 * after an extension update. `verify` (default on) re-reads the written data before the worker wakes and throws
 * if anything differs from the dump.
 */
export async function loadProfile(h, fixture, { upgradeEvent = true, verify = true } = {}) {
  if (fixture?.format !== FORMAT) throw new Error(`not a ${FORMAT} dump`);
  if (fixture.formatVersion > FORMAT_VERSION) throw new Error(`dump format v${fixture.formatVersion} is newer than this loader (v${FORMAT_VERSION})`);
  const dump = inflateDump(fixture);
  const origin = `chrome-extension://${h.extId}/`;
  // Nobody may hold a database open: the offscreen document, other extension tabs, then the worker.
  await withTimeout(h.sw.evaluate(async () => {
    const docs = await chrome.runtime.getContexts({ contextTypes: ['OFFSCREEN_DOCUMENT'] });
    if (docs.length) await chrome.offscreen.closeDocument();
  }), 15_000, 'closing the offscreen document');
  for (const p of h.context.pages()) if (p.url().startsWith(origin)) await p.close();
  const page = await quietPage(h);
  try {
    let blocked = [];
    for (let attempt = 0; attempt < 3; attempt++) {
      await stopWorkers(h, page);
      blocked = await page.evaluate((ms) => globalThis.__profile.deleteAll(ms), 3000);
      if (!blocked.length) break;
    }
    if (blocked.length) throw new Error(`cannot delete ${blocked.join(', ')}: held open by an extension context`);
    for (const d of dump.indexedDB) await page.evaluate((db) => globalThis.__profile.createDb(db), d);
    if (verify) {
      const now = await page.evaluate(() => globalThis.__profile.dump());
      const diff = diffDumps({ indexedDB: dump.indexedDB }, { indexedDB: now.indexedDB });
      if (diff.length) throw new Error(`the written databases differ from the dump:\n${diff.join('\n')}`);
    }
    await page.evaluate(({ storage, ls }) => globalThis.__profile.setStorage(storage, ls), { storage: dump.storage ?? {}, ls: dump.localStorage ?? {} });
    if (verify) {
      const now = await page.evaluate(() => globalThis.__profile.dump());
      const diff = diffDumps({ storage: dump.storage, localStorage: dump.localStorage }, { storage: now.storage, localStorage: now.localStorage });
      if (diff.length) throw new Error(`the written storage differs from the dump:\n${diff.join('\n')}`);
    }
    // Any extension event wakes the worker; the same Worker handle then evaluates in its fresh global.
    await page.evaluate(() => chrome.runtime.sendMessage({ type: 'profile-loader/wake' }).catch(() => undefined));
    let awake = false;
    for (let i = 0; i < 20 && !awake; i++) awake = await withTimeout(h.sw.evaluate(() => true), 1000, 'worker').catch(() => false);
    if (!awake) throw new Error('the service worker did not wake after the load');
    if (upgradeEvent) {
      await h.sw.evaluate((previousVersion) => {
        const ev = chrome.runtime.onInstalled;
        if (typeof ev.dispatch !== 'function') throw new Error('chrome.runtime.onInstalled.dispatch is not available');
        ev.dispatch({ reason: 'update', previousVersion });
      }, dump.extension?.version ?? '0.0.0');
    }
  } finally {
    await page.close().catch(() => undefined);
  }
}
