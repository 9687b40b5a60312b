// The structure, as a test: TF.js stays on the model host's side, and the engine knows no feature.
// Imports are read from the source (type-only imports are erased by the compiler, so they do not count).
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';

const SRC = path.resolve(__dirname, '../../src');
const rel = (f: string) => path.relative(SRC, f).split(path.sep).join('/');

/** Runtime imports of a file: `import … from 'x'`, `import 'x'`, `export … from 'x'` and `import('x')`, not `import type`. */
export function runtimeImports(code: string): string[] {
  const out: string[] = [];
  const re = /(?:^|\n)\s*(import|export)\s+(type\s+)?(?:[^'"]*?\s+from\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;
  for (let m; (m = re.exec(code));) {
    if (m[4]) { out.push(m[4]); continue; }
    if (m[2]) continue; // import type / export type
    out.push(m[3]!);
  }
  return out;
}

function resolve(from: string, spec: string): string | null {
  if (!spec.startsWith('.')) return null;
  const base = path.resolve(path.dirname(from), spec);
  for (const ext of ['', '.ts', '.tsx', '/index.ts']) {
    const f = base + ext;
    if (fs.existsSync(f) && fs.statSync(f).isFile()) return f;
  }
  return null;
}

const files = (function walk(d: string): string[] {
  return fs.readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : /\.tsx?$/.test(e.name) ? [path.join(d, e.name)] : []));
})(SRC);

const graph = new Map(files.map((f) => {
  const specs = runtimeImports(fs.readFileSync(f, 'utf8'));
  return [f, { packages: specs.filter((s) => !s.startsWith('.')), local: specs.map((s) => resolve(f, s)).filter((x): x is string => x !== null) }];
}));

/** The chain of imports from `start` to a file that imports a package matching `pkg`, or null. */
function pathToPackage(start: string, pkg: RegExp): string[] | null {
  const seen = new Map<string, string | null>([[start, null]]);
  const todo = [start];
  while (todo.length) {
    const f = todo.shift()!;
    const node = graph.get(f);
    if (!node) continue;
    const hit = node.packages.find((p) => pkg.test(p));
    if (hit) {
      const chain = [hit];
      for (let at: string | null = f; at; at = seen.get(at) ?? null) chain.unshift(rel(at));
      return chain;
    }
    for (const next of node.local) if (!seen.has(next)) { seen.set(next, f); todo.push(next); }
  }
  return null;
}

/**
 * Files that must never pull in TF.js, directly or through anything they import. Chrome's background (the
 * service worker) is here; Firefox's event page (event-page/) is deliberately not: it is the model host there,
 * so it loads TF.js, but only through host/ (see the test below), and the background code it shares is TF-free.
 */
const TF_FREE = files.filter((f) => {
  const r = rel(f);
  return /^(popup|lens|options|welcome|background|content|shared|ui)\//.test(r)
    || /^features\/(options|looks)\//.test(r) // pages and views with no model-host side
    || /^features\/[^/]+\/(contract|catalog|background|content|menus)\.tsx?$/.test(r)
    || /^features\/[^/]+\/popup\//.test(r)
    || r === 'features/menus.ts'
    || /^offscreen\/(main|relay|worker-protocol)\.ts$/.test(r); // Chrome's offscreen document only relays to its model worker
});

describe('import graph', () => {
  test('the TF-free set is what we think it is (entry points, shared code, every feature’s contract and UI)', () => {
    const names = TF_FREE.map(rel);
    for (const must of ['offscreen/main.ts', 'offscreen/relay.ts', 'popup/main.tsx', 'background/index.ts', 'background/wire.ts', 'shared/site-access.ts', 'content/index.ts', 'shared/messages.ts', 'features/explain/contract.ts', 'features/explain/catalog.ts', 'features/teach/background.ts', 'features/layers/popup/LayersView.tsx']) {
      expect(names).toContain(must);
    }
    expect(names.length).toBeGreaterThan(40);
  });

  test.each(TF_FREE.map((f) => [rel(f), f] as const))('%s reaches no @tensorflow import', (_name, file) => {
    expect(pathToPackage(file, /^@tensorflow\//)).toBeNull();
  });

  test('engine/ imports nothing from features/', () => {
    const offenders = files.filter((f) => rel(f).startsWith('engine/'))
      .flatMap((f) => graph.get(f)!.local.filter((t) => rel(t).startsWith('features/')).map((t) => `${rel(f)} → ${rel(t)}`));
    expect(offenders).toEqual([]);
  });

  test('the model host does load TF.js (positive control: the search finds a real chain)', () => {
    const chain = pathToPackage(path.join(SRC, 'offscreen/worker.ts'), /^@tensorflow\//);
    expect(chain).not.toBeNull();
    expect(chain!.at(-1)).toMatch(/^@tensorflow\//);
  });

  test('Firefox’s event page is a model host: it loads TF.js through host/ (and, in test builds, the test hooks) only', () => {
    const entry = path.join(SRC, 'event-page/index.ts');
    expect(pathToPackage(entry, /^@tensorflow\//)).not.toBeNull();
    const reachingTf = graph.get(entry)!.local.filter((f) => pathToPackage(f, /^@tensorflow\//)).map(rel).sort();
    expect(reachingTf).toEqual(['event-page/test-hooks.ts', 'host/wire.ts']);
    // The rest of the event page is TF-free: the in-process host and its keep-alive, and the shared background.
    expect(files.map(rel)).toEqual(expect.arrayContaining(['event-page/in-process-host.ts', 'event-page/keep-alive.ts']));
    for (const f of files.filter((x) => rel(x).startsWith('event-page/') && !/^event-page\/(index|test-hooks)\.ts$/.test(rel(x)))) expect(pathToPackage(f, /^@tensorflow\//)).toBeNull();
    expect(graph.get(entry)!.local.map(rel)).toContain('background/wire.ts');
  });

  test('Chrome’s model worker is wired through the same host/ module; its document starts it by URL, not by import', () => {
    expect(graph.get(path.join(SRC, 'offscreen/worker.ts'))!.local.map(rel)).toContain('host/wire.ts');
    expect(fs.readFileSync(path.join(SRC, 'offscreen/main.ts'), 'utf8')).toMatch(/new Worker\(new URL\('\.\/worker\.ts', import\.meta\.url\)/);
  });

  test('type-only imports do not count, value imports do', () => {
    expect(runtimeImports("import type * as tf from '@tensorflow/tfjs';\nimport { x } from './a';")).toEqual(['./a']);
    expect(runtimeImports("import * as tf from '@tensorflow/tfjs';")).toEqual(['@tensorflow/tfjs']);
    expect(runtimeImports("export { y } from './b';\nconst m = import('./c');")).toEqual(['./b', './c']);
  });
});
