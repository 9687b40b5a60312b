// The idle release: an idle host holding much wasm memory asks once to be closed, never while work is in flight.
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { IdleRelease } from '../../src/engine/release';

describe('IdleRelease', () => {
  beforeEach(() => { vi.useFakeTimers(); });
  afterEach(() => { vi.useRealTimers(); });

  const MB = 2 ** 20;
  function setup(heapMB: number) {
    const heap = { bytes: heapMB * MB };
    const asked: number[] = [];
    const r = new IdleRelease((b) => asked.push(b), { policy: { aboveBytes: 400 * MB, idleMs: 1000 }, heap: () => heap.bytes });
    return { r, heap, asked };
  }
  const work = (ms: number) => () => new Promise<string>((res) => setTimeout(() => res('done'), ms));

  test('after a job that left the heap large, it asks once the host has been idle for the whole delay', async () => {
    const { r, asked } = setup(1168);
    const p = r.around(work(50));
    await vi.advanceTimersByTimeAsync(50);
    expect(await p).toBe('done');
    expect(r.armed).toBe(true);
    await vi.advanceTimersByTimeAsync(999);
    expect(asked).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(asked).toEqual([1168 * MB]);
    expect(r.armed).toBe(false);
    await vi.advanceTimersByTimeAsync(5000);
    expect(asked).toHaveLength(1);
  });

  test('a small heap never asks', async () => {
    const { r, asked } = setup(120);
    const p = r.around(work(10));
    await vi.advanceTimersByTimeAsync(10);
    await p;
    expect(r.armed).toBe(false);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(asked).toEqual([]);
  });

  test('new work disarms the timer, and work still running when it ends keeps it disarmed', async () => {
    const { r, asked } = setup(900);
    const first = r.around(work(10));
    await vi.advanceTimersByTimeAsync(10);
    await first;
    await vi.advanceTimersByTimeAsync(900);
    const long = r.around(work(3000)); // starts before the delay is over
    expect(r.armed).toBe(false);
    const short = r.around(work(100));
    await vi.advanceTimersByTimeAsync(100);
    await short;
    expect(r.armed).toBe(false); // the long one still runs
    await vi.advanceTimersByTimeAsync(2900);
    await long;
    expect(r.armed).toBe(true);
    await vi.advanceTimersByTimeAsync(1000);
    expect(asked).toEqual([900 * MB]);
  });

  test('work outside a request (queued after an answer) puts the question off by another delay', async () => {
    const asked: number[] = [];
    let queued = true;
    const r = new IdleRelease((b) => asked.push(b), { policy: { aboveBytes: 0, idleMs: 1000 }, heap: () => 500, busy: () => queued });
    await r.around(async () => 'x');
    await vi.advanceTimersByTimeAsync(1000);
    expect(asked).toEqual([]);
    expect(r.armed).toBe(true);
    queued = false;
    await vi.advanceTimersByTimeAsync(1000);
    expect(asked).toEqual([500]);
  });

  test('a failed job counts as ended', async () => {
    const { r, asked } = setup(900);
    await expect(r.around(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await vi.advanceTimersByTimeAsync(1000);
    expect(asked).toEqual([900 * MB]);
  });
});
