// How many WebAssembly threads the model host computes with, from the user's setting (TF-free: the options
// page shows the same number the engine uses).

/** The most threads a user can ask for (the settings schema's bound). */
export const WASM_THREADS_LIMIT = 16;

/** More threads than this buy a batch-1 CNN little, and take cores from the rest of the machine. */
export const MAX_WASM_THREADS = 4;

/**
 * The thread count for a setting: 1 is unthreaded, 2–16 as asked. 0 is automatic: one core is left to the browser
 * and the page (every wasm thread, the calling one included, keeps a core fully busy while it works), but never
 * fewer than two threads on a machine with two cores: the model computes in a worker of its own, and on two cores
 * two threads made classify, a gradient and IG 1.6–1.7× faster while the popup's longest wait during IG and the
 * time to the answer on screen stayed the same. Capped at MAX_WASM_THREADS.
 */
export function resolveWasmThreads(setting: number, cores = globalThis.navigator?.hardwareConcurrency || 1): number {
  if (setting > 0) return Math.min(setting, WASM_THREADS_LIMIT);
  return Math.max(Math.min(cores, 2), Math.min(cores - 1, MAX_WASM_THREADS));
}
