// The wasm thread count the model host asks TF.js for, from the user's setting and the machine's cores.
import { describe, expect, it } from 'vitest';
import { MAX_WASM_THREADS, resolveWasmThreads } from '../../src/shared/threads';

describe('resolveWasmThreads', () => {
  it('automatic (0) leaves one logical core to the browser (but takes both of two), and is capped', () => {
    expect(resolveWasmThreads(0, 1)).toBe(1);
    expect(resolveWasmThreads(0, 2)).toBe(2);
    expect(resolveWasmThreads(0, 3)).toBe(2);
    expect(resolveWasmThreads(0, 4)).toBe(3);
    expect(resolveWasmThreads(0, 16)).toBe(MAX_WASM_THREADS);
    expect(MAX_WASM_THREADS).toBe(4);
  });
  it('an explicit count is used as it is (1 = unthreaded), up to 16', () => {
    expect(resolveWasmThreads(1, 8)).toBe(1);
    expect(resolveWasmThreads(6, 2)).toBe(6);
    expect(resolveWasmThreads(99, 2)).toBe(16);
  });
});
