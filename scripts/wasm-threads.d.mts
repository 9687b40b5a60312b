import type { Plugin } from 'vite';
export const WORKER_FILE: string;
export const MAIN_FILE: string;
/** Threaded TF.js wasm in an MV3 extension: see wasm-threads.mjs. */
export function wasmThreads(): Plugin;
