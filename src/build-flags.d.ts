/**
 * True only in a build made for the tests (`vite build --mode test`: scripts/test.sh,
 * `npm run build:test`), where the site pages (src/site/boot.ts, runtime-main.ts) set
 * `globalThis.p2pSite = { engine }` for e2e tests and benchmarks to read; false in
 * `npm run build` and `npm start`, so the minifier drops that code. Set by `define` in
 * vite.config.ts (and vitest.config.ts).
 */
declare const __P2P_TEST_HOOKS__: boolean;
