// The benchmark's Firefox rows: the same classify measurements as Chromium's wasm row, in firefox-esr's event page
// (the model host there), in the same `npm run bench` run, so "Firefox vs Chrome" is a ratio of one run.
import { launchFirefox, rightClick, tabIdOf, waitTabState, currentRequestId, FIREFOX } from '../support/firefox.mjs';
import { execFileSync } from 'node:child_process';

import { median, round } from './stats.mjs';
/** Firefox's classify may be this much slower than Chromium's on the same backend before the row says ✗. */
export const FIREFOX_TARGET = 1.5;

export async function firefoxBench(gallery, n) {
  const version = execFileSync(FIREFOX, ['--version'], { encoding: 'utf8' }).trim();
  const h = await launchFirefox();
  try {
    const page = await h.browser.newPage();
    await page.goto(gallery.origin + '/');
    await page.waitForSelector('body[data-ready=true]');
    const tabId = await tabIdOf(h, gallery.origin + '/');
    const click = async () => {
      const before = await currentRequestId(h, tabId);
      const t0 = performance.now();
      if ((await rightClick(h, page, '#same-origin', 'netlens-classify')) !== 'ok') throw new Error('Firefox: the menu item was not there');
      const s = await waitTabState(h, tabId, before);
      if (s.status !== 'done') throw new Error(`Firefox: ${JSON.stringify(s).slice(0, 300)}`);
      return { ms: performance.now() - t0, result: s.result };
    };
    const first = await click(); // loads the model and picks the backend
    const pipe = [];
    for (let i = 0; i < n; i++) pipe.push((await click()).ms);
    // The host's own figures, run in the event page (through getBackgroundPage, from an extension page).
    const host = await h.inExt(async ({ n, url }, bg) => {
      const { session, tf } = bg.__netlens;
      const m = session.model;
      const bmp = await bg.createImageBitmap(await (await bg.fetch(url)).blob());
      const x = tf.randomUniform([1, m.entry.input.height, m.entry.input.width, 3], -1, 1);
      const bare = [], ours = [];
      const predict = async () => { const y = m.model.predict(x); await y.data(); y.dispose(); };
      await predict(); await m.classify(bmp, 5);
      const before = tf.memory().numTensors;
      for (let i = 0; i < n; i++) {
        let t = performance.now(); await predict(); bare.push(performance.now() - t);
        t = performance.now(); await m.classify(bmp, 5); ours.push(performance.now() - t);
      }
      const leaked = tf.memory().numTensors - before;
      x.dispose(); bmp.close();
      return { bare, ours, leaked, backend: tf.getBackend() };
    }, { n, url: gallery.origin + '/images/dog.jpg' });
    return {
      version, backend: host.backend, firstBackend: first.result.backend, n,
      bareMs: round(median(host.bare)), engineClassifyMs: round(median(host.ours)),
      menuClickMs: round(median(pipe)), reportedElapsedMs: round(first.result.elapsedMs), tensorLeak: host.leaked,
    };
  } finally {
    await h.close();
  }
}

/** Table lines comparing Firefox with Chromium's row on the same backend (from the same run). */
export function firefoxLines(ff, chromeRows, threads = null) {
  const c = chromeRows.find((r) => r.backend === ff.backend);
  const ratio = c ? round(ff.engineClassifyMs / c.engineClassifyMs, 2) : null;
  const ok = ratio !== null && ratio <= FIREFOX_TARGET;
  return ['', `Firefox (${ff.version}, event page, auto → ${ff.backend}; n=${ff.n}) vs Chromium, same run:`, '',
    '| measure | Firefox | Chromium | Firefox / Chromium | target |', '|---|---:|---:|---:|---|',
    `| bare model.predict | ${ff.bareMs} ms | ${c ? c.bareMs + ' ms' : '—'} | ${c ? round(ff.bareMs / c.bareMs, 2) + '×' : '—'} | — |`,
    `| our classify: preprocess + predict + top-5 | ${ff.engineClassifyMs} ms | ${c ? c.engineClassifyMs + ' ms' : '—'} | ${ratio === null ? '—' : ratio + '×'} | ≤ ${FIREFOX_TARGET}× ${ok ? '✓' : '✗'} |`,
    // Firefox's extension pages cannot be cross-origin isolated (bug 1673477), so its wasm has one thread: the
    // like-for-like figure is Chromium's classify on one thread, from the threads bench of the same run.
    ...(threads ? [`| our classify, against Chromium on one wasm thread as Firefox has | ${ff.engineClassifyMs} ms | ${round(threads.rows[0].classify)} ms | ${round(ff.engineClassifyMs / threads.rows[0].classify, 2)}× | — |`] : []),
    `| real right-click + menu click → result stored (Firefox) / dispatched menu event → stored (Chromium) | ${ff.menuClickMs} ms | ${c ? c.pipeMs + ' ms' : '—'} | — | — |`,
    '', `tensor leak over Firefox's paired runs: ${ff.tensorLeak}`];
}
