// The popup lists methods without loading TF.js (src/popup/methods.ts); it must match what the host runs.
import { describe, expect, test } from 'vitest';
import { METHODS } from '../../src/features/explain/registry';
import { METHODS_LIST } from '../../src/features/explain/catalog';

describe('popup method list', () => {
  test('same ids, same order as the registry', () => {
    expect(METHODS_LIST.map((m) => m.id)).toEqual([...METHODS.keys()]);
  });
  test.each(METHODS_LIST.map((m) => [m.id, m] as const))('%s: names, papers and parameters agree', (id, info) => {
    const m = METHODS.get(id)!;
    expect(info.name).toBe(m.name);
    expect(info.paper).toBe(m.paper);
    expect(Object.keys(info.defaults).sort()).toEqual(Object.keys(m.defaults).sort());
    for (const p of info.params) expect(Object.keys(m.defaults)).toContain(p.key);
  });
});
