// `npm run zip`'s checks: each problem a store would refuse is found and named (on a small package made to have
// it), and the real build has none.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { problems } from '../../scripts/zip.mjs';

const ROOT = path.resolve(__dirname, '../..');
const check = problems;

function pkg(extra: Record<string, string>, manifest: Record<string, unknown> = {}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netlens-zip-'));
  const m = { manifest_version: 3, name: 'NetLens', version: '0.2.0', description: 'Right-click any image.', icons: { 128: 'i.png' }, background: { service_worker: 'sw.js' }, ...manifest };
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(m));
  fs.writeFileSync(path.join(dir, 'i.png'), 'png');
  fs.writeFileSync(path.join(dir, 'sw.js'), 'console.log(1)');
  for (const [f, text] of Object.entries(extra)) { fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true }); fs.writeFileSync(path.join(dir, f), text); }
  return dir;
}

describe('zip checks', () => {
  test('a clean package passes', () => {
    expect(check(pkg({ 'a.js': 'const evaluate = (x) => x; isFunction(evaluate);' }))).toEqual([]);
  });

  test.each([
    ['a source map', { 'a.js.map': '{}' }, /a\.js\.map: a source map/],
    ['a source-map comment', { 'a.js': 'x()\n//# sourceMappingURL=a.js.map' }, /points to a source map/],
    ['the build machine’s path', { 'a.js': `const p = "${ROOT}/src/x.ts"` }, /build machine's path/],
    ['a remote script', { 'p.html': '<script src="https://cdn.example/x.js"></script>' }, /loads a script from the network/],
    ['a remote import', { 'a.js': 'import("https://cdn.example/x.js")' }, /imports code from the network/],
    ['eval', { 'a.js': 'const y = eval("1+1")' }, /eval \/ new Function/],
    ['new Function', { 'a.js': 'const f = new Function("return 1")' }, /eval \/ new Function/],
  ] as const)('%s is refused, by name', (_what, files, message) => {
    const found = check(pkg(files));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(message);
  });

  test('manifest problems are named', () => {
    const found = check(pkg({}, { manifest_version: 2, version: 'one', icons: {}, background: { service_worker: 'missing.js' } }));
    expect(found).toEqual(expect.arrayContaining([
      expect.stringMatching(/manifest_version is 2/), expect.stringMatching(/version "one"/), expect.stringMatching(/missing\.js/), expect.stringMatching(/128×128 icon/),
    ]));
  });

  test('a Firefox package needs its background script and a gecko id', () => {
    const found = check(pkg({}, { background: { scripts: ['missing-bg.js'], type: 'module' } }));
    expect(found).toEqual(expect.arrayContaining([expect.stringMatching(/missing-bg\.js/), expect.stringMatching(/gecko\.id/)]));
    expect(check(pkg({}, { background: { scripts: ['sw.js'], type: 'module' }, browser_specific_settings: { gecko: { id: 'a@b' } } }))).toEqual([]);
  });

  test('the real Firefox build (dist-firefox/) has no problem', () => {
    expect(fs.existsSync(path.join(ROOT, 'dist-firefox/manifest.json')), 'dist-firefox/ is built by npm test before the unit tests').toBe(true);
    expect(check(path.join(ROOT, 'dist-firefox'))).toEqual([]);
  });

  test('the real build (dist/) has no problem', () => {
    expect(fs.existsSync(path.join(ROOT, 'dist/manifest.json')), 'dist/ is built by npm test before the unit tests').toBe(true);
    expect(check(path.join(ROOT, 'dist'))).toEqual([]);
  });
});
