import { defineConfig } from 'vite';
import { resolve } from 'node:path';

/**
 * The embed loader is a classic script on other people's pages, so it is built on its
 * own as one small IIFE file (`dist/loader.js`); the peer engine it loads on demand is
 * part of the main build (`/__p2p/loader-engine.js`).
 */
export default defineConfig({
  publicDir: false,
  build: {
    outDir: 'dist',
    emptyOutDir: false,
    target: 'es2020',
    sourcemap: true,
    lib: { entry: resolve(import.meta.dirname, 'src/loader/loader.ts'), formats: ['iife'], name: 'p2pLoader', fileName: () => 'loader.js' },
  },
});
