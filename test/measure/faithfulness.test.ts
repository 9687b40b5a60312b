// The faithfulness table: every explanation method on every shared photo (MobileNet v1 0.75, its top-1 class),
// scored by deletion with each substrate, insertion and ROAD, each over the mean of 10 seeded random maps.
// Writes bench/faithfulness.json and bench/faithfulness.md, and asserts the targets the default method and the
// best method must reach. `npm run faithfulness`; METHODS=a,b and PHOTOS=n narrow it down.
import { afterAll, beforeAll, expect, test } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { LayersAdapter } from '../../src/engine/adapter';
import { registerWasmGradientKernels } from '../../src/engine/kernels/wasm-grads';
import { toModelInput } from '../../src/engine/preprocess';
import type { NetLensModel } from '../../src/engine/model';
import { DEFAULT_METHOD, METHODS_LIST } from '../../src/features/explain/catalog';
import { compareMaps, SANITY_THRESHOLD, withRandomisedTop } from '../../src/features/explain/sanity';
import { getMethod } from '../../src/features/explain/registry';
import { causalCurves, deletion, faithfulness, randomBaseline, randomMap, rankPixels, resizeMap, RANDOM_SEEDS, SUBSTRATES, type RandomBaseline, type Substrate } from '../../src/features/explain/metrics';
import { PHOTOS_DIR, ROOT, decodeJpeg, initBackend, loadModel } from '../unit/helpers';

let model: NetLensModel;
let adapter: LayersAdapter;
beforeAll(async () => {
  expect(await initBackend()).toBe('wasm');
  registerWasmGradientKernels();
  model = await loadModel('mobilenet-v1-0.75-224');
  adapter = new LayersAdapter(model.model, model.entry);
});
afterAll(() => model?.dispose());

type Row = { ms: number; insertion: number; road: number } & Record<`deletion-${Substrate}`, number>;

test('faithfulness of every method on the shared photos', async () => {
  const photos = fs.readdirSync(PHOTOS_DIR).filter((f) => f.endsWith('.jpg')).sort().slice(0, Number(process.env.PHOTOS) || undefined);
  const ids = process.env.METHODS ? process.env.METHODS.split(',') : METHODS_LIST.map((m) => m.id);
  const perPhoto: Record<string, Record<string, Row>> = {};
  const baselines: Record<string, Record<Substrate, RandomBaseline>> = {};
  const cacheDir = path.join(ROOT, '.cache/faithfulness');
  fs.mkdirSync(cacheDir, { recursive: true });
  for (const photo of photos) {
    // One file a photo, so a long run can resume where it stopped (FRESH=1 starts over).
    const cached = path.join(cacheDir, `${photo}.json`);
    if (!process.env.FRESH && !process.env.METHODS && fs.existsSync(cached)) {
      const c = JSON.parse(fs.readFileSync(cached, 'utf8'));
      if (ids.every((id) => c.rows[id])) { perPhoto[photo] = c.rows; baselines[photo] = c.base; continue; }
    }
    const x = tf.keep(toModelInput(decodeJpeg(path.join(PHOTOS_DIR, photo)), model.entry));
    const idx = tf.tidy(() => adapter.logits(x).argMax(1));
    const target = { kind: 'class' as const, index: (await idx.data())[0]! };
    idx.dispose();
    // The grey baseline in full; for black and blur only deletion changes, so only their deletion is computed.
    const base = {} as Record<Substrate, RandomBaseline>;
    base.grey = await randomBaseline(adapter, x, target, 'grey', { batchSize: 11 });
    const randoms = Array.from({ length: RANDOM_SEEDS }, (_, i) => randomMap(224 * 224, i + 1));
    for (const s of ['black', 'blur'] as const) {
      const aucs = (await causalCurves(adapter, x, randoms.map(rankPixels), target, deletion(s), { batchSize: 11 })).map((c) => c.auc);
      const m = aucs.reduce((a, b) => a + b, 0) / aucs.length;
      base[s] = { ...base.grey, substrate: s, deletion: { mean: m, sd: Math.sqrt(aucs.reduce((a, v) => a + (v - m) ** 2, 0) / (aucs.length - 1)) } };
    }
    baselines[photo] = base;
    perPhoto[photo] = {};
    for (const id of ids) {
      const m = getMethod(id);
      const t0 = performance.now();
      const map = await m.explain(adapter, x, target, m.defaults, { batchSize: 8 });
      const ms = performance.now() - t0;
      const row = { ms } as Row;
      const f = await faithfulness(adapter, x, map, target, { baseline: base.grey, batchSize: 11 });
      row['deletion-grey'] = f.deletion.auc / base.grey.deletion.mean;
      row.insertion = f.insertion.auc / base.grey.insertion.mean;
      row.road = f.road.score / base.grey.road.mean;
      for (const s of ['black', 'blur'] as const) {
        const [c] = await causalCurves(adapter, x, [rankPixels(resizeMap(map, 224, 224))], target, deletion(s), { batchSize: 11 });
        row[`deletion-${s}`] = c!.auc / base[s].deletion.mean;
      }
      perPhoto[photo]![id] = row;
      console.log(`${photo} ${id}: del(grey) ${row['deletion-grey'].toFixed(2)}× ins ${row.insertion.toFixed(2)}× road ${row.road.toFixed(2)}× (${ms.toFixed(0)} ms)`);
    }
    x.dispose();
    if (!process.env.METHODS) fs.writeFileSync(cached, JSON.stringify({ rows: perPhoto[photo], base }));
  }
  // The sanity check of every method on every photo (Spearman with the top 5 layers randomised), cached apart.
  const sanityDir = path.join(ROOT, '.cache/sanity');
  fs.mkdirSync(sanityDir, { recursive: true });
  const rho: Record<string, Record<string, number>> = {};
  for (const photo of photos) {
    const cached = path.join(sanityDir, `${photo}.json`);
    const have = !process.env.FRESH && fs.existsSync(cached) ? JSON.parse(fs.readFileSync(cached, 'utf8')) as Record<string, number> : {};
    if (ids.every((id) => id in have)) { rho[photo] = have; continue; }
    const x = tf.keep(toModelInput(decodeJpeg(path.join(PHOTOS_DIR, photo)), model.entry));
    const idx = tf.tidy(() => adapter.logits(x).argMax(1));
    const target = { kind: 'class' as const, index: (await idx.data())[0]! };
    idx.dispose();
    for (const id of ids.filter((i) => !(i in have))) {
      const m = getMethod(id);
      const original = await m.explain(adapter, x, target, m.defaults, { batchSize: 8 });
      const { result } = await withRandomisedTop(adapter, 5, () => m.explain(adapter, x, target, m.defaults, { batchSize: 8 }));
      have[id] = compareMaps(original, result);
    }
    x.dispose();
    rho[photo] = have;
    fs.writeFileSync(cached, JSON.stringify(have));
  }
  const sanityOf = (id: string) => { const xs = photos.map((p) => rho[p]![id]!); return { mean: xs.reduce((a, b) => a + b, 0) / xs.length, max: Math.max(...xs) }; };
  // Two ways to average over photos: the ratio of the mean AUCs (a photo counts by its AUCs), and the mean of the
  // per-photo ratios (each photo counts the same). The targets are checked on the first, as the suite always has.
  const meanRatio = (id: string, k: keyof Row) => photos.reduce((a, p) => a + perPhoto[p]![id]![k], 0) / photos.length;
  const absolute = (p: string, id: string, k: 'deletion-grey' | 'deletion-black' | 'deletion-blur' | 'insertion' | 'road') => {
    const b = baselines[p]!;
    const base = k === 'insertion' ? b.grey.insertion.mean : k === 'road' ? b.grey.road.mean : b[k.slice(9) as Substrate].deletion.mean;
    return perPhoto[p]![id]![k] * base;
  };
  const randomMean = (k: 'deletion-grey' | 'deletion-black' | 'deletion-blur' | 'insertion' | 'road') => photos.reduce((a, p) => {
    const b = baselines[p]!;
    return a + (k === 'insertion' ? b.grey.insertion.mean : k === 'road' ? b.grey.road.mean : b[k.slice(9) as Substrate].deletion.mean);
  }, 0) / photos.length;
  const ratioOfMeans = (id: string, k: 'deletion-grey' | 'deletion-black' | 'deletion-blur' | 'insertion' | 'road') => photos.reduce((a, p) => a + absolute(p, id, k), 0) / photos.length / randomMean(k);
  const table = ids.map((id) => ({
    id, name: getMethod(id).name,
    del: ratioOfMeans(id, 'deletion-grey'), black: ratioOfMeans(id, 'deletion-black'), blur: ratioOfMeans(id, 'deletion-blur'), ins: ratioOfMeans(id, 'insertion'), road: ratioOfMeans(id, 'road'),
    delPerPhoto: meanRatio(id, 'deletion-grey'), insPerPhoto: meanRatio(id, 'insertion'), ms: meanRatio(id, 'ms'), sanity: sanityOf(id),
  }));
  const spread = photos.map((p) => `${p}: deletion grey / black / blur random ${SUBSTRATES.map((sub) => `${baselines[p]![sub].deletion.mean.toFixed(3)} ± ${baselines[p]![sub].deletion.sd.toFixed(3)}`).join(' / ')}; insertion ${baselines[p]!.grey.insertion.mean.toFixed(3)} ± ${baselines[p]!.grey.insertion.sd.toFixed(3)}, ROAD ${baselines[p]!.grey.road.mean.toFixed(3)} ± ${baselines[p]!.grey.road.sd.toFixed(3)}`);
  const md = [
    `Faithfulness on ${photos.length} shared photos (MobileNet v1 0.75, top-1 class). Each score is the mean AUC over the photos ÷ the mean of the random baseline (10 seeded random maps a photo); in brackets, the mean of the per-photo ratios. Lower deletion and ROAD, higher insertion are better. Sorted by deletion (grey) ÷ insertion.`,
    '',
    '| method | deletion, grey | deletion, black | deletion, blurred | insertion | ROAD | sanity ρ, mean (max) | ms (Node, this machine) |',
    '|---|---|---|---|---|---|---|---|',
    ...[...table].sort((a, b) => a.del / a.ins - b.del / b.ins).map((r) => `| ${r.name}${r.id === DEFAULT_METHOD ? ' (default)' : ''} | ${r.del.toFixed(2)}× (${r.delPerPhoto.toFixed(2)}×) | ${r.black.toFixed(2)}× | ${r.blur.toFixed(2)}× | ${r.ins.toFixed(2)}× (${r.insPerPhoto.toFixed(2)}×) | ${r.road.toFixed(2)}× | ${r.sanity.mean.toFixed(2)} (${r.sanity.max.toFixed(2)})${r.sanity.max >= SANITY_THRESHOLD ? ' ✗' : ''} | ${r.ms.toFixed(0)} |`),
    '',
    'Random baseline per photo (mean ± sd over 10 seeds):',
    ...spread.map((s) => `- ${s}`),
  ].join('\n');
  fs.mkdirSync(path.join(ROOT, 'bench'), { recursive: true });
  fs.writeFileSync(path.join(ROOT, 'bench/faithfulness.md'), md + '\n');
  fs.writeFileSync(path.join(ROOT, 'bench/faithfulness.json'), JSON.stringify({ photos, perPhoto, table, baselines: Object.fromEntries(Object.entries(baselines).map(([p, b]) => [p, Object.fromEntries(Object.entries(b).map(([s, r]) => [s, { deletion: r.deletion, insertion: r.insertion, road: r.road }]))])) }, null, 1));
  console.log(md);
  if (process.env.METHODS || process.env.PHOTOS) return;
  // The issue's targets, on the grey substrate, averaged over the photos.
  const def = table.find((r) => r.id === DEFAULT_METHOD)!;
  expect(def.del).toBeLessThanOrEqual(0.5);
  expect(def.ins).toBeGreaterThanOrEqual(1.5);
  // ... on every substrate, and it must pass the sanity check on every photo.
  expect(Math.max(def.black, def.blur)).toBeLessThanOrEqual(0.5);
  expect(def.sanity.max).toBeLessThan(SANITY_THRESHOLD);
  expect(table.some((r) => r.del <= 0.4 && r.ins >= 2)).toBe(true);
});
