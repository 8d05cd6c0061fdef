/**
 * Embed loader figures:
 * - loader_origin_share_8: bytes the host server sent for the assets while eight
 *   visitors arrived one after another (each staying to seed), divided by eight times
 *   the assets' size. 1 would be no offload; 1/8 (0.125) is the floor: the first
 *   visitor has to get them from somewhere;
 * - loader_gzip_kb: the gzipped size of loader.js, the part every host page loads.
 */
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { generateKeyPair } from '../src/core/index.js';
import { publish, startTestServer } from '../e2e/helpers/harness.js';
import { launchChromium } from '../test/helpers/chromium.js';
import { DIST_DIR } from './lib/bench-server.js';

export const figures = ['loader_origin_share_8', 'loader_gzip_kb'];

export default async function run(only?: string): Promise<void> {
  if (!only || only === 'loader_gzip_kb') {
    const gz = gzipSync(await readFile(join(DIST_DIR, 'loader.js'))).length;
    console.log(`BENCH loader_gzip_kb ${(gz / 1024).toFixed(2)} kB`);
  }
  if (only && only !== 'loader_origin_share_8') return;

  const ts = await startTestServer();
  const assets: Record<string, Uint8Array> = {};
  for (let i = 0; i < 4; i++) assets[`img/photo-${i}.bin`] = new Uint8Array(250_000).map((_, k) => (k * (i + 3)) & 255);
  const size = Object.values(assets).reduce((n, b) => n + b.length, 0);
  const bundle = await publish(ts.url, Object.entries(assets).map(([path, bytes]) => ({ path, bytes })), await generateKeyPair(), 1, undefined, 'img/photo-0.bin');
  let hostBytes = 0;
  const page = `<!doctype html><link rel="icon" href="data:,"><h1>host</h1>${Object.keys(assets)
    .map((p, i) => `<a id="a${i}" data-p2p-href="${p}" download>${p}</a>`)
    .join('')}<script src="http://localhost:${ts.port}/loader.js" data-site="${bundle.manifest.address}" async></script>`;
  const host = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname.slice(1)) || 'index.html';
    if (path === 'index.html') return void res.writeHead(200, { 'Content-Type': 'text/html' }).end(page);
    const body = assets[path];
    if (!body) return void res.writeHead(404).end();
    hostBytes += body.length;
    res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Cache-Control': 'no-store' }).end(body);
  });
  await new Promise<void>((r) => host.listen(0, '127.0.0.1', () => r()));
  const hostUrl = `http://127.0.0.1:${(host.address() as AddressInfo).port}/`;
  const browser = await launchChromium();
  try {
    for (let v = 0; v < 8; v++) {
      const p = await (await browser.newContext()).newPage();
      await p.goto(hostUrl);
      // Each link ends with a blob: URL (verified bytes) or, when peers were not in time, its normal URL.
      for (let i = 0; i < 4; i++) await p.waitForFunction((id) => Boolean(document.getElementById(id)?.getAttribute('href')), `a${i}`, { timeout: 30_000 });
      const viaPeers = await p.evaluate(() => [...document.querySelectorAll('a[data-p2p-href]')].filter((a) => a.getAttribute('href')?.startsWith('blob:')).length);
      console.error(`visitor ${v + 1}: ${viaPeers}/4 assets as verified blobs; host bytes so far ${hostBytes}`);
    }
    const share = hostBytes / (8 * size);
    console.error(`host sent ${hostBytes} bytes for 8 visitors of ${size} bytes of assets`);
    console.log(`BENCH loader_origin_share_8 ${share.toFixed(3)} x`);
  } finally {
    await browser.close();
    host.close();
    await ts.stop();
  }
}
