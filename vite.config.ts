import { defineConfig } from 'vitest/config';
import type { Plugin } from 'vite';
import { crx } from '@crxjs/vite-plugin';
import fs from 'node:fs';
import path from 'node:path';
import manifest from './manifest.json' with { type: 'json' };
import { firefoxManifest } from './manifest.firefox';
import { wasmThreads } from './scripts/wasm-threads.mjs';

// Weights are installed by models/install.mjs into models/installed/ (git-ignored) and copied verbatim
// into dist/models/, next to the catalog, so the offscreen document can fetch them from its own origin.
function copyModels(): Plugin {
  return {
    name: 'netlens-copy-models',
    apply: 'build',
    writeBundle(options) {
      const outDir = options.dir ?? 'dist';
      const src = path.resolve('models/installed');
      if (!fs.existsSync(src)) throw new Error('models/installed is missing: run `npm run models` first');
      fs.cpSync(src, path.join(outDir, 'models'), { recursive: true });
      // The welcome page's sample photos, with their licence note (from ../shared/images, as the tests use them).
      const photos = path.resolve(process.env.NETLENS_IMAGES_DIR ?? '../shared/images');
      const out = path.join(outDir, 'welcome-photos');
      fs.mkdirSync(out, { recursive: true });
      for (const f of WELCOME_PHOTOS) if (fs.existsSync(path.join(photos, f))) fs.copyFileSync(path.join(photos, f), path.join(out, f));
    },
  };
}

/** Photos shown on the first-run page (small ones), and the note that carries their licence. */
const WELCOME_PHOTOS = ['dog.jpg', 'eagle.jpg', 'horses.jpg', 'README.md'];

// Build modes: (default) → dist/, `--mode test` → dist-test/ (the same code plus the test hooks the E2E tests
// and the benchmark reach through the DevTools protocol); `--mode firefox` → dist-firefox/ and
// `--mode firefox-test` → dist-firefox-test/, the same for Firefox (manifest derived from manifest.json, the
// model host in the event page, so no offscreen document). Production builds never carry the hooks.
const OUT_DIRS: Record<string, string> = { production: 'dist', test: 'dist-test', firefox: 'dist-firefox', 'firefox-test': 'dist-firefox-test' };

export default defineConfig(({ mode }) => {
  const firefox = mode.startsWith('firefox');
  const pages = { lens: 'src/lens/index.html', welcome: 'src/welcome/index.html' };
  // The content script runs in every frame of every page: one self-contained classic script (no ESM loader, whose
  // module imports cost ~3 ms a frame); the code that answers the background is inlined but only runs when asked.
  const contentScripts = { standaloneFiles: ['src/content/index.ts'] };
  return {
  plugins: [firefox ? crx({ manifest: firefoxManifest(manifest), browser: 'firefox', contentScripts }) : crx({ manifest, contentScripts }), copyModels(), wasmThreads()],
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  // The model worker (Chrome's offscreen document starts it) is an ES module with TF.js: the threads patch
  // applies to its bundle too, and its comments go as the pages' do (TF.js's repeated licence headers were 1.2 MB).
  worker: { format: 'es', plugins: () => [wasmThreads()], rolldownOptions: { output: { comments: false } } },
  build: {
    outDir: OUT_DIRS[mode] ?? `dist-${mode}`,
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 4000,
    rollupOptions: { input: firefox ? pages : { offscreen: 'src/offscreen/offscreen.html', ...pages } },
  },
  test: {
    // One test file at a time: the browser tests time real work, and on 2 cores a wasm-heavy unit file running
    // beside them made them stall. Sequential takes about as long, and is steady.
    maxWorkers: 1,
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        // On demand (npm run faithfulness): every method on every shared photo, too long for the suite.
        test: {
          name: 'measure',
          include: ['test/measure/**/*.test.ts'],
          environment: 'node',
          testTimeout: 14_400_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          fileParallelism: false,
          // Real browsers on a shared 2-core machine: one retry absorbs a timing hiccup; a real failure fails twice.
          retry: 1,
          testTimeout: 180_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'e2e-firefox',
          include: ['test/e2e-firefox/**/*.test.ts'],
          environment: 'node',
          fileParallelism: false,
          // One shared browser with state carried from test to test: a retry would start from the wrong state.
          retry: 0,
          testTimeout: 180_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
  };
});
