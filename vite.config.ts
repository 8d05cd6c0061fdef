import { defineConfig, type Plugin } from 'vite';
import { basename, resolve } from 'node:path';
import { APP_PAGES } from './src/core/app-pages.js';

/**
 * One build serves every origin. Everything is emitted under `/__p2p/`, a prefix no
 * site file may use, so the same files can be served on the app's origin and on each
 * site's origin (`<address>.localhost`) without colliding with the site's own paths.
 * The service worker, the site runtime and the embed loader get fixed names because
 * other code (the server, the service worker, host pages) refers to them by URL.
 */
const FIXED_NAMES = new Set(['sw', 'runtime', 'loader-engine']);

/**
 * The pages' sources are in `pages/`; Vite would emit them as `pages/<file>`. The server
 * and every page ask for `/__p2p/<file>`, so they go to the build's root (their links to
 * assets are absolute, under `/__p2p/`, so moving them changes none).
 */
function pagesAtRoot(): Plugin {
  return {
    name: 'p2p-pages-at-root',
    enforce: 'post',
    generateBundle(_options, bundle) {
      for (const [key, item] of Object.entries(bundle)) {
        if (item.type !== 'asset' || !item.fileName.startsWith('pages/')) continue;
        delete bundle[key];
        this.emitFile({ type: 'asset', fileName: basename(item.fileName), source: item.source });
      }
    },
  };
}

export default defineConfig(({ mode }) => ({
  base: '/__p2p/',
  // `vite build --mode test` (scripts/test.sh, `npm run build:test`): the e2e tests'
  // and benchmarks' hooks (src/build-flags.d.ts); every other build leaves them out.
  define: { __P2P_TEST_HOOKS__: JSON.stringify(mode === 'test') },
  publicDir: 'public',
  plugins: [pagesAtRoot()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    rollupOptions: {
      input: {
        ...Object.fromEntries(Object.entries(APP_PAGES).map(([name, file]) => [name, resolve(import.meta.dirname, 'pages', file)])),
        sw: resolve(import.meta.dirname, 'src/sw/sw.ts'),
        runtime: resolve(import.meta.dirname, 'src/site/runtime.ts'),
        'loader-engine': resolve(import.meta.dirname, 'src/loader/loader-engine.ts'),
      },
      // Keep the engine's exports: the loader imports it by URL, not through the bundle.
      preserveEntrySignatures: 'exports-only',
      output: {
        entryFileNames: (chunk) => (FIXED_NAMES.has(chunk.name) ? '[name].js' : 'assets/[name]-[hash].js'),
      },
    },
  },
}));
