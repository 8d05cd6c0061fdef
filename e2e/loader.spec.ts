import { expect, test, type Browser, type Page } from '@playwright/test';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateKeyPair, utf8 } from '../src/core/index.js';
import { newVisitor, publish, startTestServer, type TestServer } from './helpers/harness.js';

test.describe.configure({ mode: 'serial' });

/** An existing site on its own origin: plain static files, with a request log. */
class HostSite {
  readonly log: string[] = [];
  server!: Server;
  url = '';
  constructor(readonly files: Record<string, { type: string; body: Uint8Array }>) {}
  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname.slice(1)) || 'index.html';
      this.log.push(path);
      const file = this.files[path];
      if (!file) return void res.writeHead(404).end();
      res.writeHead(200, { 'Content-Type': file.type, 'Cache-Control': 'no-store' });
      res.end(file.body);
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', () => r()));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
  }
  count(path: string): number {
    return this.log.filter((p) => p === path).length;
  }
}

const svg = (color: string) => utf8(`<svg xmlns="http://www.w3.org/2000/svg" width="40" height="30"><rect width="40" height="30" fill="${color}"/></svg>`);
const ASSETS = { 'img/one.svg': svg('tomato'), 'img/two.svg': svg('teal'), 'media/data.bin': new Uint8Array(300_000).map((_, i) => (i * 7) & 255) };

let ts: TestServer;
let host: HostSite;
let address: string;

function page(site: string) {
  return utf8(`<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>Host</title></head><body>
<h1>An existing site</h1>
<img id="one" data-p2p-src="img/one.svg" alt="one" width="40" height="30">
<img id="two" data-p2p-src="img/two.svg" alt="two" width="40" height="30">
<a id="dl" data-p2p-href="media/data.bin" download>data</a>
<script src="http://localhost:${ts.port}/loader.js" data-site="${site}" async></script>
</body></html>`);
}

test.beforeAll(async () => {
  ts = await startTestServer();
  // An asset bundle has no page of its own; its entry is just its first file.
  const bundle = await publish(ts.url, Object.entries(ASSETS).map(([path, bytes]) => ({ path, bytes })), await generateKeyPair(), 1, undefined, 'img/one.svg');
  address = bundle.manifest.address;
  const files: HostSite['files'] = {
    'index.html': { type: 'text/html', body: page(address) },
    'missing.html': { type: 'text/html', body: page('a'.repeat(52)) },
  };
  for (const [path, body] of Object.entries(ASSETS)) files[path] = { type: path.endsWith('.svg') ? 'image/svg+xml' : 'application/octet-stream', body };
  host = new HostSite(files);
  await host.start();
});
test.afterAll(async () => {
  host?.server.close();
  await ts?.stop();
});

async function imagesShown(p: Page): Promise<void> {
  for (const id of ['one', 'two']) {
    await expect.poll(() => p.locator(`#${id}`).evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth), { timeout: 20_000 }).toBe(40);
  }
}

async function visit(browser: Browser, path = '') {
  const v = await newVisitor(browser, [/WebSocket/]);
  await v.page.goto(host.url + path);
  await imagesShown(v.page);
  return v;
}

test('first visitor: assets from the host server, verified; second visitor: from the first over WebRTC', async ({ browser }) => {
  const first = await visit(browser);
  await expect(first.page.locator('#one')).toHaveAttribute('src', /^blob:/);
  await expect(first.page.locator('#dl')).toHaveAttribute('href', /^blob:/, { timeout: 20_000 });
  expect(host.count('img/one.svg')).toBe(1);
  const fetched = await first.page.evaluate(async () => (await (window as unknown as { p2p: { fetch(p: string): Promise<Response> } }).p2p.fetch('media/data.bin')).arrayBuffer().then((b) => b.byteLength));
  expect(fetched).toBe(300_000);

  const second = await visit(browser);
  await expect(second.page.locator('#two')).toHaveAttribute('src', /^blob:/);
  await expect(second.page.locator('#dl')).toHaveAttribute('href', /^blob:/, { timeout: 20_000 });
  // The host served each asset once: to the first visitor only.
  for (const path of Object.keys(ASSETS)) expect(host.count(path), path).toBe(1);
  expect(first.errors()).toEqual([]);
  expect(second.errors()).toEqual([]);
  await second.context.close();
  await first.context.close();
});

test('a missing manifest, blocked WebRTC or a forged manifest leave the page fully working', async ({ browser }) => {
  // No site at this address: every asset falls back to its normal URL.
  const missing = await newVisitor(browser, [/status of 404/]);
  await missing.page.goto(host.url + 'missing.html');
  await imagesShown(missing.page);
  await expect(missing.page.locator('#one')).toHaveAttribute('src', 'http://127.0.0.1:' + new URL(host.url).port + '/img/one.svg');
  await missing.context.close();

  // WebRTC unavailable: assets come from the host, still verified.
  const blocked = await newVisitor(browser, [/WebSocket/]);
  await blocked.context.addInitScript(() => {
    delete (window as unknown as Record<string, unknown>).RTCPeerConnection;
  });
  await blocked.page.goto(host.url);
  await imagesShown(blocked.page);
  expect(blocked.errors()).toEqual([]);

  // A forged manifest (a higher seq without a valid signature) is refused.
  const tamperedManifest = await (await fetch(`${ts.url}/api/sites/${address}`)).json();
  const victim = await newVisitor(browser, [/WebSocket/]);
  await victim.context.route(`**/api/sites/${address}`, (route) =>
    route.fulfill({ contentType: 'application/json', body: JSON.stringify({ ...tamperedManifest, seq: tamperedManifest.seq + 1 }) }),
  );
  await victim.page.goto(host.url);
  await imagesShown(victim.page);
  // Refused, so the images use their normal URLs.
  await expect(victim.page.locator('#one')).toHaveAttribute('src', /img\/one\.svg$/);
  await victim.context.close();
  await blocked.context.close();
});
