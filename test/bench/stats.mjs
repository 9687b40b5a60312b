// The benchmark's small helpers, shared by its files.

/** The median of a list of numbers (the mean of the middle two for an even count). */
export const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };

/** `x` to `d` decimals. */
export const round = (x, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

/** A tab state's result; anything else stops the benchmark with what came instead. */
export function done(s) {
  if (s.status !== 'done') throw new Error(`expected a result, got ${JSON.stringify(s).slice(0, 300)}`);
  return s.result;
}
