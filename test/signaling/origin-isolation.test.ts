import { existsSync } from 'node:fs';
import { writeFile, mkdir } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildBundle, generateKeyPair, sha256, toHex, utf8, type Bundle } from '../../src/core/index.js';
import { fetchAs, harness, putBlobs, putManifest, siteHost, type Harness } from './helpers.js';

let h: Harness | undefined;
const sha256Hex = async (bytes: Uint8Array) => toHex(await sha256(bytes));
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const code = async (res: Response) => ((await res.json()) as { error?: { code: string } }).error?.code;

/** A site whose "image" its publisher declared as HTML: the attack on the app's keys. */
async function publishDisguised(url: string, marker = 'a'): Promise<Bundle> {
  const key = await generateKeyPair();
  const steal = `<script>indexedDB.open('p2p-keys');parent.postMessage('stolen ${marker}','*')</script>`;
  const b = await buildBundle({
    files: [
      { path: 'index.html', bytes: utf8('<h1>cats</h1>') },
      { path: 'img/cat.png', bytes: utf8(steal), type: 'text/html' },
    ],
    secretKey: key.secretKey,
    seq: 1,
  });
  await putBlobs(url, b);
  expect((await putManifest(url, b.manifest)).status).toBe(201);
  return b;
}

describe('raw bytes are never active content on an origin that matters', () => {
  it('serves no seed bytes on the app origin or another site origin, and inert bytes on the site own origin', async () => {
    h = await harness();
    const b = await publishDisguised(h.server.url);
    const other = await publishDisguised(h.server.url, 'b');
    const path = `/seed/${b.manifest.torrent.infoHash}/${b.manifest.address}/img/cat.png`;
    const port = h.server.port;

    // The attack as reported: the app's origin answered 200 text/html.
    const onApp = await fetchAs(`p2p.localhost:${port}`, `${h.server.url}${path}`);
    expect(onApp.status).toBe(404);
    expect(onApp.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await code(onApp)).toBe('E_NOT_FOUND');
    // Site A's script on site B's origin (the defacement).
    expect((await fetchAs(siteHost(other.manifest.address, port), `${h.server.url}${path}`)).status).toBe(404);
    // Bare loopback hosts and any other name are no better.
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, 'example.org']) expect((await fetchAs(host, `${h.server.url}${path}`)).status).toBe(404);

    const own = await fetchAs(siteHost(b.manifest.address, port), `${h.server.url}${path}`);
    expect(own.status).toBe(200);
    expect(own.headers.get('content-type')).toBe('application/octet-stream');
    expect(own.headers.get('content-disposition')).toBe('attachment');
    expect(own.headers.get('content-security-policy')).toMatch(/^sandbox/);
    expect(own.headers.get('x-content-type-options')).toBe('nosniff');

    // Blobs: HEAD (does the server hold it?) anywhere, bytes only on an owning site's origin.
    const sha = b.manifest.files.find((f) => f.path === 'img/cat.png')!.sha256;
    expect((await fetchAs(`p2p.localhost:${port}`, `${h.server.url}/api/blobs/${sha}`, { method: 'HEAD' })).status).toBe(200);
    expect((await fetchAs(`p2p.localhost:${port}`, `${h.server.url}/api/blobs/${sha}`)).status).toBe(404);
    expect((await fetchAs(siteHost(other.manifest.address, port), `${h.server.url}/api/blobs/${sha}`)).status).toBe(404);
    const blob = await fetchAs(siteHost(b.manifest.address, port), `${h.server.url}/api/blobs/${sha}`);
    expect(blob.status).toBe(200);
    expect(blob.headers.get('content-type')).toBe('application/octet-stream');
    expect(blob.headers.get('content-security-policy')).toMatch(/^sandbox/);
  });

  it('matches reserved paths after normalising them, on exact segments', async () => {
    h = await harness();
    const b = await publishDisguised(h.server.url);
    const site = siteHost(b.manifest.address, h.server.port);
    const tail = `${b.manifest.torrent.infoHash}/${b.manifest.address}/index.html`;
    for (const spelled of [`//seed/${tail}`, `/%73eed/${tail}`, `/x/../seed/${tail}`, `/seed%2F${tail}`, `/./seed//${tail}`]) {
      const res = await fetchAs(site, `${h.server.url}${spelled}`);
      expect(res.status, spelled).toBe(200);
      expect(res.headers.get('content-type'), spelled).toBe('application/octet-stream');
    }
    // Site files that merely start like a reserved path are the site's (the boot page loads them).
    for (const file of ['/announcements.html', '/healthz-report', '/metrics.html', '/apis/x', '/seeds/', '/__p2p-notes']) {
      const res = await fetchAs(site, `${h.server.url}${file}`);
      expect(res.status, file).toBe(200);
      expect(await res.text(), file).toContain('boot');
    }
    // Reserved segments with more after them are not the exact endpoints.
    for (const path of ['/healthz/x', '/metrics/x', '/announce/x']) expect((await fetchAs(site, `${h.server.url}${path}`)).status, path).toBe(404);
    expect((await fetchAs(site, `${h.server.url}//healthz`)).status).toBe(200);
    expect((await fetchAs(site, `${h.server.url}//api//sites/${b.manifest.address}`)).status).toBe(200);
  });

  it('refuses at publish a manifest naming a reserved path', async () => {
    h = await harness();
    const key = await generateKeyPair();
    // Built by hand around the bundle builder, which refuses such paths itself.
    const fine = await buildBundle({ files: [{ path: 'index.html', bytes: utf8('x') }], secretKey: key.secretKey, seq: 1 });
    await expect(buildBundle({ files: [{ path: 'index.html', bytes: utf8('x') }, { path: 'api/index.html', bytes: utf8('y') }], secretKey: key.secretKey, seq: 1 })).rejects.toMatchObject({ code: 'E_RESERVED_PATH' });
    expect(fine.manifest.files).toHaveLength(1);
  });
});

describe('the HTTP side holds under slow and abusive clients', () => {
  it('answers a cookie bomb on the shared parent domain, and sends Origin-Agent-Cluster', async () => {
    h = await harness();
    const b = await publishDisguised(h.server.url);
    // Chromium keeps up to 180 cookies of 4 kB for a domain: about 720 kB in one header.
    const cookie = Array.from({ length: 180 }, (_, i) => `bomb${i}=${'x'.repeat(4000)}`).join('; ');
    for (const host of [`p2p.localhost:${h.server.port}`, siteHost(b.manifest.address, h.server.port)]) {
      const res = await fetchAs(host, `${h.server.url}/healthz`, { headers: { Cookie: cookie } });
      expect(res.status, host).toBe(200);
      expect(res.headers.get('origin-agent-cluster')).toBe('?1');
    }
    const api = await fetchAs(`p2p.localhost:${h.server.port}`, `${h.server.url}/api/sites/${b.manifest.address}`, { headers: { Cookie: cookie } });
    expect(api.status).toBe(200);
  });

  it('redirects a bare loopback host from a validated host only', async () => {
    h = await harness();
    const moved = await fetchAs('localhost:4321', `${h.server.url}/`);
    expect(moved.status).toBe(302);
    expect(moved.headers.get('location')).toBe('http://p2p.localhost:4321/');
    // A Host that only starts like loopback is not moved anywhere (it was: Location http://p2p.localhost:@evil.example/).
    for (const host of ['localhost:@evil.example', 'localhost:80@evil.example', '127.0.0.1.evil.example', 'localhost:12x']) {
      const res = await fetchAs(host, `${h.server.url}/`);
      expect(res.headers.get('location'), host).toBeNull();
    }
  });

  it('sends CORS only for reads: publishing is not open to other origins', async () => {
    h = await harness();
    const preflight = await fetchAs(`p2p.localhost:${h.server.port}`, `${h.server.url}/api/sites/${'a'.repeat(52)}`, {
      method: 'OPTIONS',
      headers: { Origin: 'http://elsewhere.example', 'Access-Control-Request-Method': 'PUT' },
    });
    expect(preflight.headers.get('access-control-allow-methods')).not.toMatch(/PUT/);
    const key = await generateKeyPair();
    const b = await buildBundle({ files: [{ path: 'index.html', bytes: utf8('x') }], secretKey: key.secretKey, seq: 1 });
    await putBlobs(h.server.url, b);
    const put = await putManifest(h.server.url, b.manifest);
    expect(put.status).toBe(201);
    expect(put.headers.get('access-control-allow-origin')).toBeNull();
    const get = await fetch(`${h.server.url}/api/sites/${b.manifest.address}`);
    expect(get.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('cuts a slow request head while an upload is in progress, and the upload at its own deadline', async () => {
    h = await harness({ limits: { headersTimeoutMs: 1000, requestTimeoutMs: 3000 } });
    const started = Date.now();
    const closedAfter = (first: string, drip: string) =>
      new Promise<{ ms: number; reply: string }>((resolve) => {
        const socket = connect(h!.server.port, '127.0.0.1');
        let reply = '';
        socket.write(first);
        const timer = setInterval(() => socket.writable && socket.write(drip), 200);
        socket.on('data', (d) => (reply += String(d)));
        socket.on('error', () => undefined);
        socket.on('close', () => {
          clearInterval(timer);
          resolve({ ms: Date.now() - started, reply: reply.split('\r\n')[0] });
        });
      });
    const upload = closedAfter(`PUT /api/blobs/${'a'.repeat(64)} HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000\r\n\r\n`, 'x');
    const head = closedAfter('GET /healthz HTTP/1.1\r\nHost: x\r\n', 'X-Slow: 1\r\n');
    const headDone = await head;
    expect(headDone.ms).toBeLessThan(2600);
    expect(headDone.reply).toMatch(/408/);
    const uploadDone = await upload;
    expect(uploadDone.ms).toBeGreaterThan(2500);
    expect(uploadDone.ms).toBeLessThan(6000);
    // The server still answers.
    expect((await fetch(`${h.server.url}/healthz`)).status).toBe(200);
  }, 15_000);

  it('caps the connections one client IP holds at once', async () => {
    h = await harness({ limits: { connectionsPerIp: 4 } });
    const sockets = await Promise.all(
      Array.from({ length: 4 }, () => new Promise<import('node:net').Socket>((resolve) => {
        const s = connect(h!.server.port, '127.0.0.1', () => resolve(s));
      })),
    );
    const refused = await new Promise<string>((resolve) => {
      const s = connect(h!.server.port, '127.0.0.1');
      let reply = '';
      s.on('data', (d) => (reply += String(d)));
      s.on('close', () => resolve(reply));
      s.on('error', () => resolve(reply));
    });
    expect(refused).toMatch(/^HTTP\/1\.1 503/);
    expect(refused).toContain('E_TOO_MANY_CONNECTIONS');
    for (const s of sockets) s.destroy();
    // Once they are closed, the client is served again.
    const deadline = Date.now() + 3000;
    let status = 0;
    while (Date.now() < deadline && status !== 200) status = await fetch(`${h.server.url}/healthz`).then((r) => r.status, () => 0);
    expect(status).toBe(200);
  });
});

describe('uploads cannot park bytes forever', () => {
  const waitUntil = async (check: () => boolean, ms: number) => {
    const deadline = Date.now() + ms;
    while (!check() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    return check();
  };

  it('removes blobs no manifest names in time, keeps published ones, and leftovers found at start', async () => {
    h = await harness({ limits: { pendingBlobMinutes: 0.01 } });
    const key = await generateKeyPair();
    const published = await buildBundle({ files: [{ path: 'index.html', bytes: utf8('kept') }], secretKey: key.secretKey, seq: 1 });
    await putBlobs(h.server.url, published);
    expect((await putManifest(h.server.url, published.manifest)).status).toBe(201);
    const orphan = utf8('never published');
    const orphanSha = await sha256Hex(orphan);
    expect((await fetch(`${h.server.url}/api/blobs/${orphanSha}`, { method: 'PUT', body: new Blob([orphan as BlobPart]) })).status).toBe(201);
    expect(existsSync(h.server.store.blobPath(orphanSha))).toBe(true);
    expect(await waitUntil(() => !existsSync(h!.server.store.blobPath(orphanSha)), 5000)).toBe(true);
    expect(existsSync(h.server.store.blobPath(published.manifest.files[0].sha256))).toBe(true);

    // A leftover of an interrupted publish, found when the server starts.
    const leftover = utf8('left behind');
    const leftoverSha = await sha256Hex(leftover);
    await mkdir(join(h.dataDir, 'blobs', leftoverSha.slice(0, 2)), { recursive: true });
    await writeFile(join(h.dataDir, 'blobs', leftoverSha.slice(0, 2), leftoverSha), leftover);
    await h.restart();
    expect(await waitUntil(() => !existsSync(h!.server.store.blobPath(leftoverSha)), 5000)).toBe(true);
    expect((await fetch(`${h.server.url}/api/sites/${published.manifest.address}`)).status).toBe(200);
  });

  it('gives each client IP a budget of unnamed bytes, returned when a manifest names them', async () => {
    h = await harness({ limits: { pendingBytesPerIp: 100_000 } });
    const key = await generateKeyPair();
    const big = (seed: number) => new Uint8Array(60_000).map((_, i) => (i * seed) & 255);
    const first = await buildBundle({ files: [{ path: 'index.html', bytes: big(7) }], secretKey: key.secretKey, seq: 1 });
    await putBlobs(h.server.url, first);
    const second = big(11);
    const refused = await fetch(`${h.server.url}/api/blobs/${await sha256Hex(second)}`, { method: 'PUT', body: new Blob([second as BlobPart]) });
    expect(refused.status).toBe(429);
    expect(await code(refused)).toBe('E_PENDING_LIMIT');
    expect((await putManifest(h.server.url, first.manifest)).status).toBe(201);
    expect((await fetch(`${h.server.url}/api/blobs/${await sha256Hex(second)}`, { method: 'PUT', body: new Blob([second as BlobPart]) })).status).toBe(201);
  });
});
