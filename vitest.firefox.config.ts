import { defineConfig } from 'vitest/config';

// Firefox ESR driven over WebDriver BiDi (puppeteer-core), run after the Playwright tests
// by scripts/test.sh. One file at a time, in order: the peers are whole browsers.
export default defineConfig({
  test: {
    include: ['e2e-firefox/**/*.test.ts'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 60_000,
    fileParallelism: false,
    sequence: { concurrent: false },
    // As in Playwright: one retry, and a test that needed it is reported (and why its
    // first attempt failed, by the setup file).
    retry: 1,
    setupFiles: ['e2e-firefox/helpers/report-failed-attempts.ts'],
  },
});
