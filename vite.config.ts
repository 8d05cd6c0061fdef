import { defineConfig } from 'vite';
import { resolve } from 'node:path';

/**
 * One build serves every origin. Everything is emitted under `/__p2p/`, a prefix no
 * site file may use, so the same files can be served on the app's origin and on each
 * site's origin (`<address>.localhost`) without colliding with the site's own paths.
 * The service worker, the site runtime and the embed loader get fixed names because
 * other code (the server, the service worker, host pages) refers to them by URL.
 */
const FIXED_NAMES = new Set(['sw', 'runtime', 'loader-engine']);

export default defineConfig({
  base: '/__p2p/',
  publicDir: 'public',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    rollupOptions: {
      input: {
        app: resolve(import.meta.dirname, 'index.html'),
        boot: resolve(import.meta.dirname, 'boot.html'),
        settings: resolve(import.meta.dirname, 'settings.html'),
        'loader-frame': resolve(import.meta.dirname, 'loader-frame.html'),
        sw: resolve(import.meta.dirname, 'src/sw/sw.ts'),
        runtime: resolve(import.meta.dirname, 'src/site/runtime.ts'),
        'loader-engine': resolve(import.meta.dirname, 'src/loader/loader-engine.ts'),
        manage: resolve(import.meta.dirname, 'manage.html'),
      },
      // Keep the engine's exports: the loader imports it by URL, not through the bundle.
      preserveEntrySignatures: 'exports-only',
      output: {
        entryFileNames: (chunk) => (FIXED_NAMES.has(chunk.name) ? '[name].js' : 'assets/[name]-[hash].js'),
      },
    },
  },
});
