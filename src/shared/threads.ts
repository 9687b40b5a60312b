// How many WebAssembly threads the model host computes with, from the user's setting (TF-free: the options
// page shows the same number the engine uses).

/** More threads than this buy a batch-1 CNN little, and take cores from the rest of the machine. */
export const MAX_WASM_THREADS = 4;

/** The thread count for a setting: 0 is automatic (the machine's logical cores, capped); 1 is unthreaded. */
export function resolveWasmThreads(setting: number, cores = globalThis.navigator?.hardwareConcurrency || 1): number {
  return Math.max(1, Math.min(setting > 0 ? setting : cores, setting > 0 ? 16 : MAX_WASM_THREADS));
}
