// Installs the model files listed in models/catalog.json into models/installed/ (same relative paths as in
// the model mirror), verifying the sha256 of every file before it is moved into place.
//
// Source, in this order: $NETLENS_MODELS_DIR (must exist if set), else <projectRoot>/../shared/models, else each
// file's download `url`. A file missing from the mirror is downloaded from its `url` if it has one.
//
// Run as `node models/install.mjs` (npm scripts: postinstall, models, prebuild). Plain ESM, Node >= 20, no dependencies.

import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, existsSync, realpathSync, statSync } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const RERUN = 'then run "npm run models".';
const MIRROR_FIX = `set NETLENS_MODELS_DIR to a folder holding the NetLens model mirror, ${RERUN}`;
const DEFAULT_TIMEOUT_MS = 30_000;
const CONCURRENCY = 6;

/** An expected installation failure: `message` names the file and says how to fix it. */
export class ModelInstallError extends Error {
  /**
   * @param {string} message full, user-facing message (already includes the fix)
   * @param {{ file: string, fix: string }} details `file`: catalog path (or folder) concerned; `fix`: what to do
   */
  constructor(message, { file, fix }) {
    super(message);
    this.name = 'ModelInstallError';
    this.file = file;
    this.fix = fix;
  }
}

function fail(file, problem, fix) {
  return new ModelInstallError(`models: ${problem}. Fix: ${fix}`, { file, fix });
}

/** Hex sha256 of a file, streamed. */
export async function sha256File(file) {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk);
  return hash.digest('hex');
}

/**
 * Where to copy model files from: `$NETLENS_MODELS_DIR` if set (it must exist), else
 * `<projectRoot>/../shared/models` if it exists, else `null` (download every file from its url).
 * @returns {string | null}
 */
export function resolveSourceDir(projectRoot, env = process.env) {
  const fromEnv = env.NETLENS_MODELS_DIR;
  if (fromEnv !== undefined && fromEnv !== '') {
    const dir = path.resolve(fromEnv);
    if (!isDir(dir)) {
      throw fail(
        dir,
        `NETLENS_MODELS_DIR is set to ${fromEnv} but ${dir} is not an existing folder`,
        `point NETLENS_MODELS_DIR at the folder holding the NetLens model mirror (or unset it to use ../shared/models or downloads), ${RERUN}`,
      );
    }
    return dir;
  }
  const sibling = path.resolve(projectRoot, '..', 'shared', 'models');
  return isDir(sibling) ? sibling : null;
}

function isDir(p) {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

const short = (hex) => `${hex.slice(0, 12)}…`;
const sha256 = (buf) => createHash('sha256').update(buf).digest('hex');

/** Unique files of the catalog, checked for sane paths and consistent duplicates. */
function catalogFiles(catalog) {
  if (!catalog || !Array.isArray(catalog.models)) {
    throw fail('models/catalog.json', 'the catalog has no "models" list', `restore models/catalog.json from git, ${RERUN}`);
  }
  /** @type {Map<string, {path: string, sha256: string, bytes: number, url: string | null}>} */
  const files = new Map();
  for (const model of catalog.models) {
    for (const f of model.files ?? []) {
      const bad =
        typeof f.path !== 'string' ||
        f.path === '' ||
        path.isAbsolute(f.path) ||
        f.path.split(/[\\/]/).some((part) => part === '..' || part === '') ||
        !/^[0-9a-f]{64}$/.test(f.sha256) ||
        !Number.isInteger(f.bytes);
      if (bad) {
        throw fail(String(f.path), `catalog entry ${JSON.stringify(f)} of model ${model.id} is invalid`, `restore models/catalog.json from git, ${RERUN}`);
      }
      const seen = files.get(f.path);
      if (seen && seen.sha256 !== f.sha256) {
        throw fail(f.path, `${f.path} is listed twice in the catalog with different sha256`, `restore models/catalog.json from git, ${RERUN}`);
      }
      if (!seen || (!seen.url && f.url)) files.set(f.path, f);
    }
  }
  return [...files.values()];
}

/** Writes `data` (already verified) to a temp name next to `dest`, then renames it into place. */
async function placeVerified(dest, data) {
  await mkdir(path.dirname(dest), { recursive: true });
  const tmp = `${dest}.partial-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await writeFile(tmp, data);
    await rename(tmp, dest);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

async function alreadyInstalled(dest, f) {
  try {
    const s = await stat(dest);
    return s.isFile() && s.size === f.bytes && (await sha256File(dest)) === f.sha256;
  } catch {
    return false;
  }
}

async function download(f, fetchImpl, timeoutMs) {
  const fix = `check your network connection, or ${MIRROR_FIX}`;
  let res;
  try {
    res = await fetchImpl(f.url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'follow' });
    if (!res.ok) throw new Error(`HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`);
    return Buffer.from(await res.arrayBuffer());
  } catch (err) {
    const why =
      err?.name === 'TimeoutError' || err?.name === 'AbortError'
        ? `timed out after ${timeoutMs >= 1000 ? `${Math.round(timeoutMs / 1000)} s` : `${timeoutMs} ms`}`
        : err?.cause?.message
          ? `${err.message} (${err.cause.message})`
          : String(err?.message ?? err);
    throw fail(f.path, `could not download ${f.path} from ${f.url}: ${why}`, fix);
  }
}

function checkBytes(f, data, from, fix) {
  const got = sha256(data);
  if (got === f.sha256) return;
  const size = data.length === f.bytes ? '' : ` (${data.length} bytes, expected ${f.bytes})`;
  throw fail(f.path, `${f.path}${from} is corrupt: sha256 is ${short(got)}${size} but the catalog expects ${short(f.sha256)}`, fix);
}

/**
 * Installs every file of `catalog` into `destDir`.
 * @param {{ catalog: any, destDir: string, sourceDir?: string | null, fetchImpl?: typeof fetch,
 *           log?: (line: string) => void, timeoutMs?: number }} options
 * @returns {Promise<{ copied: number, downloaded: number, skipped: number }>}
 */
export async function installModels({ catalog, destDir, sourceDir = null, fetchImpl = globalThis.fetch, log = () => {}, timeoutMs = DEFAULT_TIMEOUT_MS }) {
  const files = catalogFiles(catalog);
  const summary = { copied: 0, downloaded: 0, skipped: 0 };

  async function installOne(f) {
    const dest = path.join(destDir, ...f.path.split('/'));
    if (await alreadyInstalled(dest, f)) {
      summary.skipped++;
      return;
    }
    const src = sourceDir ? path.join(sourceDir, ...f.path.split('/')) : null;
    let data;
    let kind;
    if (src && existsSync(src)) {
      data = await readFile(src);
      checkBytes(f, data, '', `restore the file in ${sourceDir} (or point NETLENS_MODELS_DIR at a verified copy), ${RERUN}`);
      kind = 'copied';
    } else if (f.url) {
      if (typeof fetchImpl !== 'function') throw fail(f.path, `${f.path} must be downloaded but this Node has no fetch`, `use Node 20 or newer, or ${MIRROR_FIX}`);
      log(`models: downloading ${f.url}`);
      data = await download(f, fetchImpl, timeoutMs);
      checkBytes(f, data, ` downloaded from ${f.url}`, `retry, or ${MIRROR_FIX}`);
      kind = 'downloaded';
    } else {
      const problem = sourceDir
        ? `${f.path} is not in ${sourceDir} and has no download source (it was made or reconstructed locally)`
        : `${f.path} has no download source (it was made or reconstructed locally) and no model mirror was found`;
      throw fail(f.path, problem, MIRROR_FIX);
    }
    try {
      await placeVerified(dest, data);
    } catch (err) {
      throw fail(f.path, `could not write ${dest}: ${err.message}`, `make sure ${destDir} is writable, ${RERUN}`);
    }
    summary[kind]++;
  }

  // A small worker pool; on the first error, stop taking new files, let running ones finish, then throw it.
  const queue = [...files];
  let firstError = null;
  async function worker() {
    while (queue.length > 0 && !firstError) {
      const f = queue.shift();
      try {
        await installOne(f);
      } catch (err) {
        firstError ??= err;
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, files.length) }, worker));
  if (firstError) throw firstError;
  return summary;
}

async function main() {
  const modelsDir = path.dirname(fileURLToPath(import.meta.url));
  const projectRoot = path.dirname(modelsDir);
  const catalogPath = path.join(modelsDir, 'catalog.json');
  let catalog;
  try {
    catalog = JSON.parse(await readFile(catalogPath, 'utf8'));
  } catch (err) {
    throw fail(catalogPath, `cannot read ${catalogPath}: ${err.message}`, `restore models/catalog.json from git, ${RERUN}`);
  }
  const sourceDir = resolveSourceDir(projectRoot, process.env);
  const destDir = path.join(modelsDir, 'installed');
  const s = await installModels({ catalog, destDir, sourceDir, log: (line) => console.log(line) });
  const total = s.copied + s.downloaded + s.skipped;
  const from = sourceDir ? (s.downloaded > 0 ? `${sourceDir} and the network` : sourceDir) : 'the network';
  console.log(`models: ${total} files ok (${s.copied} copied, ${s.downloaded} downloaded, ${s.skipped} already installed) from ${from}`);
}

function isMain() {
  if (!process.argv[1]) return false;
  const self = fileURLToPath(import.meta.url);
  try {
    return realpathSync(process.argv[1]) === realpathSync(self);
  } catch {
    return path.resolve(process.argv[1]) === self;
  }
}

if (isMain()) {
  main().catch((err) => {
    if (err instanceof ModelInstallError) console.error(err.message);
    else console.error(err);
    process.exitCode = 1;
  });
}
