#!/usr/bin/env bash
# Every test: types, unit tests (Node and one run of the core in Chromium), the
# build, then the end-to-end tests with several browser contexts as peers.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-packages.sh
npx tsc -p tsconfig.json
npx tsc -p tsconfig.core.json
npx vitest run
# --mode test: a build for the tests, with the hooks they read (src/build-flags.d.ts).
npx vite build --mode test --logLevel warn
npx vite build -c vite.loader.config.ts --logLevel warn
if [ -d e2e ] && ls e2e/*.spec.ts >/dev/null 2>&1; then
  npx playwright test
fi
# The Firefox tests (npm run test:firefox): the visits that matter in Firefox ESR, and
# Firefox <-> Chromium over WebRTC, driven by puppeteer-core over WebDriver BiDi.
npx tsc -p e2e-firefox/tsconfig.json
npx vitest run -c vitest.firefox.config.ts
