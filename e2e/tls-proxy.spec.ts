import { chromium, expect, test, type Browser } from '@playwright/test';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildBundle, generateKeyPair } from '../src/core/index.js';
import { startServer, type RunningServer } from '../signaling/server.js';
import { parsePublicUrl } from '../signaling/public-url.js';
import { CHROMIUM_ARGS } from '../test/helpers/chromium.js';
import { FIXTURE_SITE, readSiteFolder } from './helpers/site-files.js';
import { openSite, watchErrors } from './helpers/harness.js';
import { findTool, freePort, homeTrustingCa, httpsVia, makeTestCertificates, startNginx, type NginxProxy, type TestCertificates } from './helpers/tls-proxy.js';

// The deployment the README describes, on this machine: TLS at nginx with a wildcard
// certificate from a test CA, the server behind it with --public-url and --trust-proxy.
const NGINX = findTool('nginx');
const CERTUTIL = findTool('certutil');
const HOSTNAME = 'p2p.localhost';

// `npm test` installs nginx (scripts/ensure-packages.sh): a missing one is a failure, not a skip.
test.beforeAll(() => {
  if (!NGINX) throw new Error('nginx is not installed: run scripts/ensure-packages.sh (it installs nginx, openssl and libnss3-tools)');
});
test.describe.configure({ mode: 'serial' });

let dir: string;
let certs: TestCertificates;
let server: RunningServer;
let proxy: NginxProxy;
let browser: Browser;
let origin: string;
let address: string;
let publishedUrl: string;
const serverLog: string[] = [];

test.beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'p2p-tls-'));
  certs = await makeTestCertificates(dir, HOSTNAME);
  const port = await freePort();
  origin = `https://${HOSTNAME}:${port}`;
  server = await startServer({
    host: '127.0.0.1',
    port: 0,
    dataDir: join(dir, 'data'),
    distDir: process.env.P2P_DIST ?? 'dist',
    publicUrl: parsePublicUrl(origin),
    trustProxy: true,
    logIps: true,
    log: (line) => serverLog.push(line),
  });
  proxy = await startNginx(NGINX!, { dir, port, upstreamPort: server.port, hostname: HOSTNAME, cert: certs.certPem, key: certs.keyPem });
  // Chromium must really trust the certificate: with ignoreHTTPSErrors a page loads but its
  // service worker is refused ("An SSL certificate error occurred when fetching the script").
  // An NSS database under a temporary HOME trusts the test CA as a root; without certutil,
  // the leaf's key is named in --ignore-certificate-errors-spki-list, which counts as valid too.
  const home = CERTUTIL ? await homeTrustingCa(dir, certs.caPem, CERTUTIL) : undefined;
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [...CHROMIUM_ARGS, ...(home ? [] : [`--ignore-certificate-errors-spki-list=${certs.spki}`])],
    env: home ? { ...process.env, HOME: home } : process.env,
  });
});

test.afterAll(async () => {
  await browser?.close();
  await proxy?.stop();
  await server?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('publishing through the TLS proxy answers the public https URL, and the proxy takes large cookie heads', async () => {
  const ca = await readFile(certs.caPem);
  const key = await generateKeyPair();
  const files = await readSiteFolder(FIXTURE_SITE);
  const bundle = await buildBundle({ files, secretKey: key.secretKey, seq: 1, fallback: files.some((f) => f.path === '404.html') ? '404.html' : undefined });
  const host = `${HOSTNAME}:${proxy.port}`;
  // The publisher connects from 127.0.0.2; nginx, and so the server's TCP peer, is 127.0.0.1.
  const localAddress = '127.0.0.2';
  for (const { file, bytes } of bundle.files) {
    const res = await httpsVia(proxy.port, host, `/api/blobs/${file.sha256}`, { ca, method: 'PUT', body: bytes, localAddress });
    expect(res.status, res.body).toBe(201);
  }
  address = bundle.manifest.address;
  const res = await httpsVia(proxy.port, host, `/api/sites/${address}`, { ca, method: 'PUT', body: JSON.stringify(bundle.manifest), headers: { 'Content-Type': 'application/json' }, localAddress });
  expect(res.status, res.body).toBe(201);
  publishedUrl = (JSON.parse(res.body) as { url: string }).url;
  expect(publishedUrl).toBe(`https://${address}.${HOSTNAME}:${proxy.port}/`);
  // The publish was logged with the publisher's address as nginx saw it, not the proxy's.
  expect(serverLog.find((l) => l.includes('"event":"published"'))).toContain(`"ip":"${localAddress}"`);

  // Cookies that sites set on the shared parent domain: ~100 kB of them still reach a site.
  const cookie = Array.from({ length: 25 }, (_, i) => `c${i}=${'x'.repeat(4000)}`).join('; ');
  const boot = await httpsVia(proxy.port, `${address}.${host}`, '/', { ca, headers: { Cookie: cookie } });
  expect(boot.status).toBe(200);
  // Byte ranges of the origin seed pass through as they are.
  const file = bundle.manifest.files[0];
  const range = await httpsVia(proxy.port, `${address}.${host}`, `/seed/${bundle.manifest.torrent.infoHash}/${bundle.manifest.torrent.name}/${file.path}`, { ca, headers: { Range: 'bytes=0-9' } });
  expect([range.status, range.headers['content-range'], range.bytes]).toEqual([206, `bytes 0-9/${file.size}`, 10]);
  // A name that is neither the app nor one of its sites is misdirected, not the app.
  expect((await httpsVia(proxy.port, `other.${host}`, '/', { ca })).status).toBe(421);
});

test('a visitor opens the site over https: tracker over wss, the service worker controls the page after the boot reload', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = watchErrors(page);
  const sockets: string[] = [];
  page.on('websocket', (ws) => sockets.push(ws.url()));
  await openSite(page, publishedUrl);
  await expect(page.locator('#title')).toHaveText('Hello from the swarm');
  expect(await page.evaluate(() => ({ secure: isSecureContext, protocol: location.protocol, sw: navigator.serviceWorker.controller?.scriptURL }))).toEqual({
    secure: true,
    protocol: 'https:',
    sw: `https://${address}.${HOSTNAME}:${proxy.port}/__p2p/sw.js`,
  });
  // The defaults allow peers, so the engine joins the swarm through the tracker, over TLS.
  await expect.poll(() => sockets, { timeout: 30_000 }).toContain(`wss://${address}.${HOSTNAME}:${proxy.port}/announce`);
  expect(sockets.filter((url) => !url.startsWith('wss://'))).toEqual([]);
  expect(errors()).toEqual([]);
  await context.close();
});

test('the app loads at https://p2p.localhost:<port>/', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = watchErrors(page);
  await page.goto(`${origin}/`);
  await expect(page.getByRole('heading', { name: 'Publish a site' })).toBeVisible();
  expect(await page.evaluate(() => location.origin)).toBe(origin);
  expect(errors()).toEqual([]);
  await context.close();
  expect(await proxy.errorLog()).not.toMatch(/\[(emerg|alert|crit)\]/);
});
