// The popup lists methods from the TF-free catalog; the model host runs the registry, which joins each catalog
// entry with its implementation. They cannot drift: the join refuses an entry without an implementation and
// an implementation without an entry (positive controls below).
import { describe, expect, test } from 'vitest';
import { joinMethods, METHODS } from '../../src/features/explain/registry';
import { METHODS_LIST } from '../../src/features/explain/catalog';
import type { Explainer } from '../../src/features/explain/types';

describe('explanation methods: catalog and registry', () => {
  test('every catalog entry runs, in catalog order', () => {
    expect([...METHODS.keys()]).toEqual(METHODS_LIST.map((m) => m.id));
    expect([...METHODS.keys()]).toEqual(expect.arrayContaining(['grad-cam', 'grad-cam-plus-plus', 'gradient', 'gradient-x-input', 'integrated-gradients', 'occlusion', 'smoothgrad:gradient']));
    for (const m of METHODS.values()) expect(typeof m.explain).toBe('function');
  });

  test.each(METHODS_LIST.map((m) => [m.id, m] as const))('%s: every parameter the popup shows has a default, and a paper link', (_id, info) => {
    for (const p of info.params) expect(Object.keys(info.defaults)).toContain(p.key);
    expect(info.paper).toMatch(/^https:\/\/(arxiv\.org\/abs\/\d{4}\.\d{4,5}|doi\.org\/10\.\d{4,5}\/[\w.]+)$/);
    expect(info.summary.length).toBeGreaterThan(20);
  });

  test('a catalog entry without an implementation is refused', () => {
    const impls = [...METHODS.values()] as Explainer[];
    expect(() => joinMethods([...METHODS_LIST, { ...METHODS_LIST[0]!, id: 'lime' }], impls)).toThrow(/"lime" is in the catalog but has no implementation/);
  });

  test('an implementation without a catalog entry is refused', () => {
    const impls = [...METHODS.values()] as Explainer[];
    expect(() => joinMethods(METHODS_LIST.slice(1), impls)).toThrow(/without a catalog entry: grad-cam$/);
  });
});
