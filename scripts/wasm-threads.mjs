// Threaded WebAssembly for TF.js inside an MV3 extension: a build-time patch of @tensorflow/tfjs-backend-wasm.
//
// Why: tfjs-backend-wasm 4.22 starts its threads (emscripten pthreads) from two blob: URLs it makes itself,
// the worker script (`locateFile('…worker.js')` → URL.createObjectURL) and the main script the worker
// importScripts() (`mainScriptUrlOrBlob = new Blob([factory.toString()])`). MV3's CSP (script-src 'self')
// forbids blob: scripts, so the workers die with "Failed to execute 'importScripts' on 'WorkerGlobalScope':
// The script at 'blob:chrome-extension://…' failed to load" and setBackend('wasm') never resolves. There is no
// option for either URL, so this plugin
//   1. emits both scripts as files of the extension (wasm/…): the worker is the package's own
//      `wasmWorkerContents`, the main script its own wasm-out/tfjs-backend-wasm-threaded-simd.js (with 3.);
//   2. rewrites the two places in the package's ESM code that make blob: URLs to use those files instead;
//   3. makes setThreadsCount(n) mean n threads: the package's C++ caps the pool at
//      navigator.hardwareConcurrency / 2 (it assumes two hyperthreads per core), which is 1 on a 2-core
//      machine whatever was asked for; the module now reports 2n logical cores when a count was set.
// If the package changes and a pattern is missing, the build fails here rather than hanging in the browser.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const PKG = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
export const WORKER_FILE = 'wasm/tfjs-backend-wasm-threaded-simd.worker.js';
export const MAIN_FILE = 'wasm/tfjs-backend-wasm-threaded-simd.js';

// [what the package says, what we say instead]; each must occur exactly once in the module that has them.
/** @type {[RegExp, string][]} */
const BACKEND_EDITS = [
  [/const factoryConfig = \{\};/, 'const factoryConfig = {}; if (threadsCount > 0) factoryConfig.netlensLogicalCores = 2 * threadsCount;'],
  [/const response = wasmWorkerContents\.replace\([^;]*;\s*const blob = new Blob\(\[response\][^;]*;\s*return URL\.createObjectURL\(blob\);/,
    `return new URL('/${WORKER_FILE}', location.href).href;`],
  [/factoryConfig\.mainScriptUrlOrBlob = new Blob\(\[`var WasmBackendModuleThreadedSimd = ` \+\s*wasmFactoryThreadedSimd\.toString\(\)\], \{ type: 'text\/javascript' \}\);/,
    `factoryConfig.mainScriptUrlOrBlob = new URL('/${MAIN_FILE}', location.href).href;`],
];

/** @type {[RegExp, string][]} */
const FACTORY_EDITS = [
  [/return navigator\["hardwareConcurrency"\]\}/, 'return Module["netlensLogicalCores"]||navigator["hardwareConcurrency"]}'],
];

/** @param {string} code @param {[RegExp, string][]} edits @param {string} id */
function apply(code, edits, id) {
  let out = code;
  for (const [from, to] of edits) {
    const n = out.match(new RegExp(from.source, 'g'))?.length ?? 0;
    if (n !== 1) throw new Error(`netlens-wasm-threads: expected one match of ${from} in ${id}, found ${n}: has @tensorflow/tfjs-backend-wasm changed?`);
    out = out.replace(from, to);
  }
  return out;
}

/** @returns {import('vite').Plugin} */
export function wasmThreads() {
  let patched = 0;
  return {
    name: 'netlens-wasm-threads',
    apply: 'build',
    /** @param {string} code @param {string} id */
    transform(code, id) {
      const file = id.split('?')[0];
      if (/tfjs-backend-wasm[\\/]wasm-out[\\/]tfjs-backend-wasm-threaded-simd\.js$/.test(file)) return { code: apply(code, FACTORY_EDITS, id), map: null };
      if (!/tfjs-backend-wasm[\\/]dist[\\/]backend_wasm\.js$/.test(file)) return null;
      patched++;
      return { code: apply(code, BACKEND_EDITS, id), map: null };
    },
    generateBundle() {
      if (!patched) return; // a bundle without TF.js (crxjs builds the content script on its own)
      // The package ships the worker as a JS string whose "\n" escapes became real newlines; the package
      // itself re-escapes them before making its blob, and so do we.
      const { wasmWorkerContents } = require(path.join(PKG, 'wasm-out/tfjs-backend-wasm-threaded-simd.worker.js'));
      this.emitFile({ type: 'asset', fileName: WORKER_FILE, source: wasmWorkerContents.replace(/\n/g, '\\n') });
      const main = path.join(PKG, 'wasm-out/tfjs-backend-wasm-threaded-simd.js');
      this.emitFile({ type: 'asset', fileName: MAIN_FILE, source: apply(fs.readFileSync(main, 'utf8'), FACTORY_EDITS, main) });
    },
  };
}
