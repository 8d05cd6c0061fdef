import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from 'esbuild';
import type { Browser } from 'playwright-core';
import { canonicalManifestBytes, toHex, torrentFile } from '../../src/core/index.js';
import { launchChromium } from '../helpers/chromium.js';
import { FIXED_SECRET, FIXED_TIME, sampleBundle, sampleFiles } from '../helpers/fixtures.js';

// The core must give identical bytes in Node and in a real browser: a manifest built
// by the publisher's browser is verified by Node servers and other browsers.
describe('core in a real browser', () => {
  let browser: Browser;
  let coreScript: string;

  beforeAll(async () => {
    const out = await build({ entryPoints: ['src/core/index.ts'], bundle: true, format: 'iife', globalName: 'core', write: false, platform: 'browser' });
    coreScript = out.outputFiles[0].text;
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
  });

  it('produces the same canonical bytes, signature and torrent as Node', async () => {
    const page = await browser.newPage();
    // WebCrypto needs a secure context; http://localhost is one. The page is served
    // by Playwright's router, so no server is involved.
    await page.route('http://localhost/', (route) => route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>core</title>' }));
    await page.goto('http://localhost/');
    await page.addScriptTag({ content: coreScript });
    const files = sampleFiles().map((f) => ({ path: f.path, bytes: Array.from(f.bytes) }));
    const fromBrowser = await page.evaluate(
      async ({ files, secret, time }) => {
        const core = (globalThis as any).core;
        const bundle = await core.buildBundle({
          files: files.map((f: { path: string; bytes: number[] }) => ({ path: f.path, bytes: new Uint8Array(f.bytes) })),
          secretKey: core.fromHex(secret),
          seq: 1,
          createdAt: time,
        });
        await core.verifyManifest(JSON.parse(JSON.stringify(bundle.manifest)));
        return {
          canonical: core.toHex(core.canonicalManifestBytes(bundle.manifest)),
          manifest: bundle.manifest,
          torrent: core.toHex(core.torrentFile(bundle.manifest.files, bundle.manifest.torrent)),
        };
      },
      { files, secret: toHex(FIXED_SECRET), time: FIXED_TIME },
    );
    const { manifest } = await sampleBundle();
    expect(fromBrowser.canonical).toBe(toHex(canonicalManifestBytes(manifest)));
    expect(fromBrowser.manifest).toEqual(manifest);
    expect(fromBrowser.torrent).toBe(toHex(torrentFile(manifest.files, manifest.torrent)));
    await page.close();
  });
});
