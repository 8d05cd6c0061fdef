import { defineConfig } from '@playwright/test';
import { CHROMIUM_ARGS } from './test/helpers/chromium.js';

// Debian's Chromium, driven directly: browser downloads are not used anywhere.
export default defineConfig({
  testDir: 'e2e',
  testMatch: '**/*.spec.ts',
  timeout: 90_000,
  expect: { timeout: 20_000 },
  workers: 1,
  fullyParallel: false,
  // One retry: a test that passes only on its second try is listed as flaky in the output,
  // so timing trouble on a loaded 2-core machine is seen without blocking everything else.
  retries: 1,
  reporter: [['list']],
  outputDir: 'test-results',
  use: {
    browserName: 'chromium',
    launchOptions: { executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS },
    trace: 'off',
  },
});
