import { defineConfig } from 'vitest/config';

export default defineConfig({
  // As a build for tests (vite.config.ts, src/build-flags.d.ts).
  define: { __P2P_TEST_HOOKS__: 'true' },
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
  },
});
