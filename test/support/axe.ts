// axe-core in a page of the extension: page.evaluate goes through the DevTools protocol, which the extension
// page's CSP does not block. Returns each violation with its node count and the first few nodes' messages.
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { ROOT } from './browser.mjs';

const AXE = fs.readFileSync(path.join(ROOT, 'node_modules/axe-core/axe.min.js'), 'utf8');

export interface Violation { id: string; nodes: number; help: string; first: string[] }

export async function axe(page: Page): Promise<Violation[]> {
  await page.evaluate(AXE);
  return page.evaluate(async () => {
    type Node = { target: string[]; any: { message: string }[] };
    const r = await (globalThis as unknown as { axe: { run(o: unknown): Promise<{ violations: { id: string; nodes: Node[]; help: string }[] }> } }).axe.run({ resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, nodes: v.nodes.length, help: v.help, first: v.nodes.slice(0, 3).map((n) => `${n.target.join(' ')}: ${n.any[0]?.message ?? ''}`) }));
  });
}
