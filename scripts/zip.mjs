// `npm run zip`: the store packages of the built extension (dist/), after the checks the stores would fail:
// source maps or build-machine paths inside, remote code, manifest problems, sizes over the stores' limits.
// Prints the size per part (code, wasm, models). Makes the Chrome Web Store package from dist/ and the AMO one
// (addons.mozilla.org) from dist-firefox/, each only if that build exists; `npm run zip` builds both first.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { zipSync } from 'fflate';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BUILDS = { chrome: path.join(ROOT, 'dist'), firefox: path.join(ROOT, 'dist-firefox') };
const OUT = path.join(ROOT, 'packages');
const LIMITS = { chrome: 2 * 1024 ** 3, firefox: 200 * 1024 ** 2 }; // Chrome Web Store 2 GB, AMO 200 MB
const TEXT = /\.(js|mjs|css|html|json|txt|svg)$/;

function files(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

/** Every problem a store would reject the package for, in words a maintainer can act on. */
export function problems(dist) {
  const out = [];
  const all = files(dist);
  const rel = (f) => path.relative(dist, f);
  const manifestFile = path.join(dist, 'manifest.json');
  if (!fs.existsSync(manifestFile)) return [`${dist} has no manifest.json: run \`npm run build\` first`];
  let m;
  try { m = JSON.parse(fs.readFileSync(manifestFile, 'utf8')); } catch (e) { return [`manifest.json is not valid JSON: ${e.message}`]; }
  if (m.manifest_version !== 3) out.push(`manifest: manifest_version is ${m.manifest_version}, the stores need 3`);
  if (!m.name || String(m.name).length > 75) out.push('manifest: name is missing or longer than 75 characters');
  if (!/^\d+(\.\d+){0,3}$/.test(String(m.version ?? ''))) out.push(`manifest: version "${m.version}" is not 1–4 dot-separated integers`);
  if (!m.description || String(m.description).length > 132) out.push('manifest: description is missing or longer than 132 characters');
  const must = [m.background?.service_worker, ...(m.background?.scripts ?? []), ...Object.values(m.icons ?? {}), ...(m.content_scripts ?? []).flatMap((c) => c.js ?? []), m.action?.default_popup].filter(Boolean);
  for (const f of must) if (!fs.existsSync(path.join(dist, f))) out.push(`manifest: it names ${f}, which is not in the package`);
  if (!m.icons?.['128']) out.push('manifest: a 128×128 icon is required');
  if (m.background?.scripts && !m.browser_specific_settings?.gecko?.id) out.push('manifest: a Firefox build needs browser_specific_settings.gecko.id');
  for (const f of all) {
    const r = rel(f);
    if (/\.map$/.test(f)) out.push(`${r}: a source map (do not ship them)`);
    if (!TEXT.test(f)) continue;
    const text = fs.readFileSync(f, 'utf8');
    if (/sourceMappingURL=/.test(text)) out.push(`${r}: points to a source map`);
    for (const p of [ROOT, os.homedir()].filter((x) => x.length > 1)) if (text.includes(p)) out.push(`${r}: contains the build machine's path ${p}`);
    if (/\.(js|mjs|html)$/.test(f)) {
      if (/<script[^>]+src=["']https?:/i.test(text)) out.push(`${r}: loads a script from the network`);
      if (/(importScripts|import)\s*\(\s*["'`]https?:/.test(text)) out.push(`${r}: imports code from the network`);
      if (/(^|[^\w$.])eval\s*\(/.test(text) || /new\s+Function\s*\(/.test(text)) out.push(`${r}: evaluates strings as code (eval / new Function)`);
    }
  }
  return out;
}

function sizes(dist) {
  const parts = { code: 0, wasm: 0, models: 0, other: 0 };
  for (const f of files(dist)) {
    const b = fs.statSync(f).size, r = path.relative(dist, f);
    if (r.startsWith('models')) parts.models += b; else if (f.endsWith('.wasm')) parts.wasm += b; else if (/\.(js|css|html)$/.test(f)) parts.code += b; else parts.other += b;
  }
  return parts;
}

const mb = (b) => `${(b / 1048576).toFixed(2)} MB`;

/** Checks one build and writes its package; false (with the reasons printed) if it would be refused. */
function pack(browser, dist) {
  const issues = problems(dist);
  if (issues.length) {
    console.error(`zip: the ${browser} package would be refused:\n${issues.map((i) => `  - ${i}`).join('\n')}`);
    return false;
  }
  const manifest = JSON.parse(fs.readFileSync(path.join(dist, 'manifest.json'), 'utf8'));
  const entries = Object.fromEntries(files(dist).map((f) => [path.relative(dist, f).split(path.sep).join('/'), [new Uint8Array(fs.readFileSync(f)), { level: /\.(wasm|png|jpg|bin)$|shard/.test(f) ? 0 : 9 }]]));
  const zip = zipSync(entries, { mtime: new Date('2026-01-01T00:00:00Z') });
  if (zip.length > LIMITS[browser]) { console.error(`zip: ${mb(zip.length)} is over the ${browser} store's limit of ${mb(LIMITS[browser])}`); return false; }
  fs.mkdirSync(OUT, { recursive: true });
  const file = path.join(OUT, `netlens-${browser}-${manifest.version}.zip`);
  fs.writeFileSync(file, zip);
  const s = sizes(dist);
  console.log(`zip: ${path.relative(ROOT, file)} · ${mb(zip.length)} (unpacked ${mb(s.code + s.wasm + s.models + s.other)}: code ${mb(s.code)}, wasm ${mb(s.wasm)}, models ${mb(s.models)}, other ${mb(s.other)}) · ${Object.keys(entries).length} files · within ${browser === 'chrome' ? 'the Chrome Web Store' : 'AMO'}'s ${mb(LIMITS[browser])}`);
  return true;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const built = Object.entries(BUILDS).filter(([, dist]) => fs.existsSync(path.join(dist, 'manifest.json')));
  if (!built.length) { console.error('zip: nothing is built: run `npm run build:all` first'); process.exit(1); }
  const ok = built.map(([browser, dist]) => pack(browser, dist));
  if (ok.includes(false)) process.exit(1);
}
