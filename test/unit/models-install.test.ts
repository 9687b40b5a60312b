import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ModelInstallError,
  installModels,
  resolveSourceDir,
  sha256File,
  type Catalog,
  type CatalogFile,
  type ModelEntry,
} from '../../models/install.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const MIRROR = resolveSourceDir(ROOT, {}) ?? path.resolve(ROOT, '../shared/models');
const catalog = JSON.parse(fs.readFileSync(path.join(ROOT, 'models/catalog.json'), 'utf8')) as Catalog;

const model = (id: string): ModelEntry => {
  const m = catalog.models.find((x) => x.id === id);
  if (!m) throw new Error(`no model ${id} in catalog`);
  return m;
};
const TINY = model('cnn-explainer-tiny-vgg');
const tinyOnly = { version: 1 as const, defaultModel: TINY.id, models: [TINY] };
const SHARD = 'cnn-explainer-tiny-vgg/group1-shard1of1.bin';
const LABELS = 'cnn-explainer-tiny-vgg/classes.json';
const fileOf = (m: ModelEntry, p: string): CatalogFile => {
  const f = m.files.find((x) => x.path === p);
  if (!f) throw new Error(`no file ${p} in ${m.id}`);
  return f;
};

const tmpDirs: string[] = [];
function tmp(label: string): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), `netlens-models-${label}-`));
  tmpDirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of tmpDirs) fs.rmSync(d, { recursive: true, force: true });
});

const sha = (buf: Uint8Array) => createHash('sha256').update(buf).digest('hex');
const noNetwork = async (url: string): Promise<Response> => {
  throw new Error(`unexpected download of ${url}`);
};
/** Copy of the Tiny VGG files of the real mirror, minus `omit`. */
function tinyMirror(omit: string[] = []): string {
  const dir = tmp('mirror');
  for (const f of TINY.files) {
    if (omit.includes(f.path)) continue;
    fs.mkdirSync(path.dirname(path.join(dir, f.path)), { recursive: true });
    fs.copyFileSync(path.join(MIRROR, f.path), path.join(dir, f.path));
  }
  return dir;
}
function listFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true }) as string[])
    .filter((p) => fs.statSync(path.join(dir, p)).isFile())
    .map((p) => p.split(path.sep).join('/'))
    .sort();
}
async function installError(p: Promise<unknown>): Promise<ModelInstallError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(ModelInstallError);
    return err as ModelInstallError;
  }
  throw new Error('expected installModels to fail');
}

describe('installModels', () => {
  it('installs Tiny VGG from the real mirror with verified sha256, and skips it on the second run', async () => {
    const dest = tmp('dest');
    const first = await installModels({ catalog: tinyOnly, destDir: dest, sourceDir: MIRROR, fetchImpl: noNetwork });
    expect(first).toEqual({ copied: 3, downloaded: 0, skipped: 0 });
    expect(listFiles(dest)).toEqual(TINY.files.map((f) => f.path).sort());
    for (const f of TINY.files) {
      expect(await sha256File(path.join(dest, f.path))).toBe(f.sha256);
      expect(fs.statSync(path.join(dest, f.path)).size).toBe(f.bytes);
    }
    const second = await installModels({ catalog: tinyOnly, destDir: dest, sourceDir: MIRROR, fetchImpl: noNetwork });
    expect(second).toEqual({ copied: 0, downloaded: 0, skipped: 3 });

    // A damaged installed file is replaced, the others are left alone.
    fs.writeFileSync(path.join(dest, SHARD), 'garbage');
    const third = await installModels({ catalog: tinyOnly, destDir: dest, sourceDir: MIRROR, fetchImpl: noNetwork });
    expect(third).toEqual({ copied: 1, downloaded: 0, skipped: 2 });
    expect(await sha256File(path.join(dest, SHARD))).toBe(fileOf(TINY, SHARD).sha256);
  });

  it('installs a file shared by two models once', async () => {
    const dest = tmp('dest');
    const labels = fileOf(model('mobilenet-v1-0.75-224'), 'imagenet-classes.json');
    const twoModels = { models: [{ id: 'a', files: [labels] }, { id: 'b', files: [labels] }] };
    expect(await installModels({ catalog: twoModels, destDir: dest, sourceDir: MIRROR, fetchImpl: noNetwork })).toEqual({
      copied: 1,
      downloaded: 0,
      skipped: 0,
    });
  });

  it('refuses a corrupt shard in the mirror and leaves nothing at its path', async () => {
    const mirror = tinyMirror();
    const bytes = fs.readFileSync(path.join(mirror, SHARD));
    bytes[1000] = (bytes[1000] ?? 0) ^ 0x01;
    fs.writeFileSync(path.join(mirror, SHARD), bytes);
    const dest = tmp('dest');

    const err = await installError(installModels({ catalog: tinyOnly, destDir: dest, sourceDir: mirror, fetchImpl: noNetwork }));
    expect(err.file).toBe(SHARD);
    expect(err.message).toContain(`models: ${SHARD} is corrupt: sha256 is ${sha(bytes).slice(0, 12)}`);
    expect(err.message).toContain(`but the catalog expects ${fileOf(TINY, SHARD).sha256.slice(0, 12)}`);
    expect(err.message).toContain(`restore the file in ${mirror}`);
    expect(err.message).toContain('NETLENS_MODELS_DIR');
    expect(err.message).toContain('npm run models');
    expect(err.fix).toContain('NETLENS_MODELS_DIR');
    expect(fs.existsSync(path.join(dest, SHARD))).toBe(false);
    expect(listFiles(dest).filter((p) => p.includes('.partial') || p.startsWith(SHARD))).toEqual([]);
  });

  it('names a file that is missing from the mirror and has no download source', async () => {
    const mirror = tinyMirror([LABELS]);
    const dest = tmp('dest');
    const err = await installError(installModels({ catalog: tinyOnly, destDir: dest, sourceDir: mirror, fetchImpl: noNetwork }));
    expect(fileOf(TINY, LABELS).url).toBeNull();
    expect(err.file).toBe(LABELS);
    expect(err.message).toContain(`models: ${LABELS} is not in ${mirror} and has no download source`);
    expect(err.message).toContain('Fix: set NETLENS_MODELS_DIR');
    expect(fs.existsSync(path.join(dest, LABELS))).toBe(false);
  });

  it('says the same when there is no mirror at all', async () => {
    const err = await installError(installModels({ catalog: tinyOnly, destDir: tmp('dest'), sourceDir: null, fetchImpl: async (u) => new Response(fs.readFileSync(path.join(MIRROR, TINY.files.find((f) => f.url === u)!.path))) }));
    expect(err.file).toBe(LABELS);
    expect(err.message).toContain('has no download source');
    expect(err.message).toContain('NETLENS_MODELS_DIR');
  });

  it('downloads a file missing from the mirror through fetchImpl and verifies it', async () => {
    const mirror = tinyMirror([SHARD]);
    const dest = tmp('dest');
    const shard = fileOf(TINY, SHARD);
    const real = new Uint8Array(fs.readFileSync(path.join(MIRROR, SHARD)));
    const requested: string[] = [];
    const fetchImpl = async (url: string, init?: RequestInit) => {
      requested.push(url);
      expect(init?.signal).toBeInstanceOf(AbortSignal);
      return new Response(real);
    };
    const logs: string[] = [];
    const summary = await installModels({ catalog: tinyOnly, destDir: dest, sourceDir: mirror, fetchImpl, log: (l) => logs.push(l) });
    expect(summary).toEqual({ copied: 2, downloaded: 1, skipped: 0 });
    expect(requested).toEqual([shard.url]);
    expect(shard.url).toBe('https://raw.githubusercontent.com/poloclub/cnn-explainer/d0971f9447ed9806022a3d47587b62394682bc51/public/assets/data/group1-shard1of1.bin');
    expect(logs.some((l) => l.includes(shard.url!))).toBe(true);
    expect(await sha256File(path.join(dest, SHARD))).toBe(shard.sha256);
  });

  it('refuses a download with the wrong bytes', async () => {
    const mirror = tinyMirror([SHARD]);
    const dest = tmp('dest');
    const shard = fileOf(TINY, SHARD);
    const wrong = new Uint8Array(shard.bytes).fill(7);
    const err = await installError(installModels({ catalog: tinyOnly, destDir: dest, sourceDir: mirror, fetchImpl: async () => new Response(wrong) }));
    expect(err.file).toBe(SHARD);
    expect(err.message).toContain(`models: ${SHARD} downloaded from ${shard.url} is corrupt: sha256 is ${sha(wrong).slice(0, 12)}`);
    expect(err.message).toContain('NETLENS_MODELS_DIR');
    expect(fs.existsSync(path.join(dest, SHARD))).toBe(false);
    expect(listFiles(dest).filter((p) => p.includes('.partial'))).toEqual([]);
  });

  it('reports failed downloads with the URL, the error and the fix', async () => {
    const mirror = tinyMirror([SHARD]);
    const url = fileOf(TINY, SHARD).url!;
    const cases: Array<[string, (u: string, init?: RequestInit) => Promise<Response>, number | undefined]> = [
      ['fetch failed (getaddrinfo ENOTFOUND raw.githubusercontent.com)', async () => {
        throw new TypeError('fetch failed', { cause: new Error('getaddrinfo ENOTFOUND raw.githubusercontent.com') });
      }, undefined],
      ['HTTP 404 Not Found', async () => new Response('nope', { status: 404, statusText: 'Not Found' }), undefined],
      ['timed out after 50 ms', (_u, init) => new Promise<Response>((_, reject) => {
        init?.signal?.addEventListener('abort', () => reject(init.signal?.reason));
      }), 50],
    ];
    for (const [why, fetchImpl, timeoutMs] of cases) {
      const dest = tmp('dest');
      const err = await installError(installModels({ catalog: tinyOnly, destDir: dest, sourceDir: mirror, fetchImpl, timeoutMs }));
      expect(err.file).toBe(SHARD);
      expect(err.message).toContain(`models: could not download ${SHARD} from ${url}: ${why}.`);
      expect(err.message).toContain('set NETLENS_MODELS_DIR to a folder holding the NetLens model mirror');
      expect(fs.existsSync(path.join(dest, SHARD))).toBe(false);
    }
  });
});

describe('resolveSourceDir', () => {
  it('prefers NETLENS_MODELS_DIR, then ../shared/models, then null (download)', () => {
    const project = tmp('project');
    const envDir = tmp('envdir');
    expect(resolveSourceDir(project, { NETLENS_MODELS_DIR: envDir })).toBe(envDir);
    expect(resolveSourceDir(project, {})).toBeNull();
    fs.mkdirSync(path.join(project, 'app'));
    fs.mkdirSync(path.join(project, 'shared', 'models'), { recursive: true });
    expect(resolveSourceDir(path.join(project, 'app'), {})).toBe(path.join(project, 'shared', 'models'));
  });

  it('fails clearly when NETLENS_MODELS_DIR points nowhere', () => {
    const missing = path.join(tmp('project'), 'no-such-dir');
    expect(() => resolveSourceDir(ROOT, { NETLENS_MODELS_DIR: missing })).toThrow(ModelInstallError);
    expect(() => resolveSourceDir(ROOT, { NETLENS_MODELS_DIR: missing })).toThrow(`NETLENS_MODELS_DIR is set to ${missing} but`);
  });

  it('the script exits 1 with the message and no stack trace', () => {
    const missing = path.join(tmp('project'), 'no-such-dir');
    const r = spawnSync(process.execPath, [path.join(ROOT, 'models/install.mjs')], {
      env: { ...process.env, NETLENS_MODELS_DIR: missing },
      encoding: 'utf8',
    });
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toMatch(/^models: NETLENS_MODELS_DIR is set to .* is not an existing folder\. Fix: /);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('catalog.json', () => {
  const modelJson = (m: ModelEntry) => JSON.parse(fs.readFileSync(path.join(MIRROR, m.modelFile), 'utf8'));
  const layerNames = (m: ModelEntry): Set<string> => {
    const cfg = modelJson(m).modelTopology.model_config.config;
    return new Set((Array.isArray(cfg) ? cfg : cfg.layers).map((l: { config: { name: string } }) => l.config.name));
  };

  it('lists the five models in order, with an existing default', () => {
    expect(catalog.version).toBe(1);
    expect(catalog.models.map((m) => m.id)).toEqual([
      'mobilenet-v1-0.75-224',
      'mobilenet-v1-0.25-224',
      'darknet-tiny-imagenet',
      'cnn-explainer-tiny-vgg',
      'mobilenet-v2-1.0-224-notop',
    ]);
    expect(catalog.defaultModel).toBe('mobilenet-v1-0.75-224');
    expect(catalog.models.some((m) => m.id === catalog.defaultModel)).toBe(true);
  });

  it('every file exists in the mirror with the catalog sha256 and size', async () => {
    const seen = new Set<string>();
    for (const f of catalog.models.flatMap((m) => m.files)) {
      if (seen.has(f.path)) continue;
      seen.add(f.path);
      const p = path.join(MIRROR, f.path);
      expect(fs.statSync(p).size, f.path).toBe(f.bytes);
      expect(await sha256File(p), f.path).toBe(f.sha256);
    }
    expect(seen.size).toBeGreaterThan(200);
  });

  it('each model lists exactly model.json, its weight shards and its label file', () => {
    for (const m of catalog.models) {
      const dir = m.id;
      expect(m.modelFile).toBe(`${dir}/model.json`);
      const shards = (modelJson(m).weightsManifest as Array<{ paths: string[] }>).flatMap((g) => g.paths.map((p) => `${dir}/${p}`));
      const expected = [m.modelFile, ...shards, ...(m.labels ? [m.labels.file] : [])];
      expect(m.files.map((f) => f.path), m.id).toEqual(expected);
    }
  });

  it('urls point at the pinned source commit, and are null for files made locally', () => {
    const local = new Set([
      'mobilenet-v1-0.25-224/model.json',
      'mobilenet-v2-1.0-224-notop/model.json',
      'darknet-tiny-imagenet/classes.json',
      'cnn-explainer-tiny-vgg/classes.json',
      'imagenet-classes.json',
    ]);
    for (const m of catalog.models) {
      expect(m.source.url).toBe(`https://raw.githubusercontent.com/${m.source.repo}/${m.source.commit}/${m.source.path}/`);
      expect(m.source.commit).toMatch(/^[0-9a-f]{40}$/);
      for (const f of m.files) {
        if (local.has(f.path)) expect(f.url, f.path).toBeNull();
        else expect(f.url, f.path).toBe(m.source.url + f.path.slice(m.id.length + 1));
      }
    }
  });

  it('label files have the declared counts', () => {
    const counts = Object.fromEntries(catalog.models.map((m) => [m.id, m.labels?.count ?? null]));
    expect(counts).toEqual({
      'mobilenet-v1-0.75-224': 1000,
      'mobilenet-v1-0.25-224': 1000,
      'darknet-tiny-imagenet': 1000,
      'cnn-explainer-tiny-vgg': 10,
      'mobilenet-v2-1.0-224-notop': null,
    });
    for (const m of catalog.models) {
      if (!m.labels) continue;
      const labels = JSON.parse(fs.readFileSync(path.join(MIRROR, m.labels.file), 'utf8')) as unknown[];
      expect(labels, m.id).toHaveLength(m.labels.count);
      expect(labels.every((l) => typeof l === 'string' && l.length > 0)).toBe(true);
    }
  });

  it('layer names, input size and preprocessing match the models', () => {
    for (const m of catalog.models) {
      const names = layerNames(m);
      const used = [m.layers.gradCam, m.layers.preSoftmax?.layer, ...m.layers.show].filter((n): n is string => !!n);
      expect(used.filter((n) => !names.has(n)), m.id).toEqual([]);
      expect(m.layers.show.length).toBeGreaterThanOrEqual(5);
      expect(m.layers.show.length).toBeLessThanOrEqual(8);
      const cfg = modelJson(m).modelTopology.model_config.config;
      const first = (Array.isArray(cfg) ? cfg : cfg.layers)[0].config;
      expect(first.batch_input_shape, m.id).toEqual([null, m.input.height, m.input.width, m.input.channels]);
      // uint8 range maps to [-1, 1] or [0, 1]
      const lo = m.preprocess.offset;
      const hi = 255 * m.preprocess.scale + m.preprocess.offset;
      expect([lo, hi]).toEqual(m.preprocess.offset === 0 ? [0, expect.closeTo(1, 12)] : [-1, expect.closeTo(1, 12)]);
    }
  });
});
