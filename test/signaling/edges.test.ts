import { afterEach, describe, expect, it } from 'vitest';
import { connect } from 'node:net';
import { request } from 'node:http';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { addressFromPublicKey, buildBundle, discoveryTorrent, generateKeyPair, utf8 } from '../../src/core/index.js';
import { publishDemo } from '../../signaling/demo.js';
import { startServer } from '../../signaling/server.js';
import { fetchAs, harness, publish, putBlobs, putManifest, siteHost, type Harness } from './helpers.js';

let h: Harness | undefined;
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  await h?.close();
  h = undefined;
});

const errorCode = async (res: Response) => ((await res.json()) as { error?: { code: string } }).error?.code;

/** A raw GET with a chosen Host header (fetch does not let us set Host). */
function get(port: number, path: string, host: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ hostname: '127.0.0.1', port, path, headers: { Host: host } }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function openSocket(url: string): Promise<WebSocket> {
  const ws = new WebSocket(url);
  cleanups.push(async () => ws.terminate());
  return new Promise((resolve, reject) => ws.once('open', () => resolve(ws)).once('error', reject));
}

describe('HTTP edges', () => {
  it('answers broken escapes, the tracker path without an upgrade, and preflights with typed errors', async () => {
    h = await harness();
    for (const path of ['/api/sites/%zz', '/__p2p/%zz']) {
      const res = await fetch(`${h.server.url}${path}`);
      expect(res.status).toBe(400);
      expect(await errorCode(res)).toBe('E_BAD_REQUEST');
    }
    const plain = await fetch(`${h.server.url}/announce`);
    expect(plain.status).toBe(426);
    expect(await errorCode(plain)).toBe('E_UPGRADE_REQUIRED');
    const preflight = await fetch(`${h.server.url}/seed/${'a'.repeat(40)}/x/y`, { method: 'OPTIONS', headers: { Origin: 'http://elsewhere.test', 'Access-Control-Request-Headers': 'range' } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/Range/);
    const metrics = await (await fetch(`${h.server.url}/metrics`)).text();
    for (const name of ['p2p_swarms', 'p2p_peers', 'p2p_publishes_total{result="accepted"}', 'p2p_publishes_total{result="refused"}']) expect(metrics).toContain(name);
  });

  it('serves published blobs with the webseed headers, percent-decoded seed paths, and refuses other upgrades', async () => {
    h = await harness();
    const key = await generateKeyPair();
    const b = await buildBundle({ files: [{ path: 'index.html', bytes: utf8('<h1>x</h1>') }, { path: 'docs/a file é.txt', bytes: utf8('spaced') }], secretKey: key.secretKey, seq: 1 });
    await putBlobs(h.server.url, b);
    expect((await putManifest(h.server.url, b.manifest)).status).toBe(201);
    const spaced = b.manifest.files.find((f) => f.path.startsWith('docs/'))!;
    const seedUrl = `${h.server.url}/seed/${b.manifest.torrent.infoHash}/${encodeURIComponent(b.manifest.torrent.name)}/docs/${encodeURIComponent('a file é.txt')}`;
    const site = siteHost(b.manifest.address, h.server.port);
    const seeded = await fetchAs(site, seedUrl);
    expect(seeded.status).toBe(200);
    expect(await seeded.text()).toBe('spaced');
    // Raw bytes are inert whatever the publisher declared (here text/plain).
    expect(spaced.type).toMatch(/^text\/plain/);
    expect(seeded.headers.get('content-type')).toBe('application/octet-stream');
    expect(seeded.headers.get('content-disposition')).toBe('attachment');
    expect(seeded.headers.get('content-security-policy')).toMatch(/^sandbox/);
    expect((await fetchAs(site, seedUrl.replace('/docs/', '/docs%2F..%2F'))).status).toBe(404);

    const blob = await fetchAs(site, `${h.server.url}/api/blobs/${spaced.sha256}`, { headers: { Range: 'bytes=1-2' } });
    expect(blob.status).toBe(206);
    expect(await blob.text()).toBe('pa');
    expect(blob.headers.get('etag')).toBe(`"${spaced.sha256}"`);
    expect(blob.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(blob.headers.get('access-control-expose-headers')).toMatch(/Content-Range/);
    expect((await fetchAs(site, `${h.server.url}/api/blobs/${spaced.sha256}`, { headers: { 'If-None-Match': `"${spaced.sha256}"` } })).status).toBe(304);

    const other = new WebSocket(`${h.server.url.replace('http', 'ws')}/elsewhere`);
    const refused = await new Promise<string>((resolve) => {
      other.once('unexpected-response', (_req, res) => resolve(`status ${res.statusCode}`));
      other.once('error', (err) => resolve(err.message));
      other.once('open', () => resolve('opened'));
    });
    expect(refused).toMatch(/404/);
  });

  it('rate-limits publishing per client', async () => {
    h = await harness({ limits: { publishesPerMinute: 2 } });
    const key = await generateKeyPair();
    expect((await publish(h.server.url, key, 1)).res.status).toBe(201);
    expect((await publish(h.server.url, key, 2)).res.status).toBe(201);
    const third = await publish(h.server.url, key, 3);
    expect(third.res.status).toBe(429);
    expect(await errorCode(third.res)).toBe('E_RATE_LIMITED');
    expect(h.server.metrics.text()).toMatch(/p2p_publishes_total\{result="refused"\} 1/);
  });

  it('refuses a site whose info hash (not address) is denylisted', async () => {
    h = await harness();
    const { b } = await publish(h.server.url);
    await writeFile(join(h.dataDir, 'denylist.txt'), `${b.manifest.torrent.infoHash} # reported\n`);
    const seed = `${h.server.url}/seed/${b.manifest.torrent.infoHash}/${b.manifest.torrent.name}/index.html`;
    const site = siteHost(b.manifest.address, h.server.port);
    const deadline = Date.now() + 5000;
    while ((await fetchAs(site, seed)).status !== 451 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect((await fetchAs(site, seed)).status).toBe(451);
    expect((await fetch(`${h.server.url}/api/sites/${b.manifest.address}`)).status).toBe(451);
  });

  it('refuses tracker announces for the discovery torrent of a listed address never published here', async () => {
    h = await harness();
    const address = addressFromPublicKey((await generateKeyPair()).publicKey);
    const discovery = (await discoveryTorrent(address)).torrent.infoHash;
    const announce = async () => {
      const ws = await openSocket(`${h!.server.url.replace('http', 'ws')}/announce`);
      const reply = new Promise<Record<string, unknown>>((resolve) => ws.once('message', (m) => resolve(JSON.parse(String(m)))));
      ws.send(JSON.stringify({ action: 'announce', info_hash: Buffer.from(discovery, 'hex').toString('latin1'), peer_id: `-WW0000-${String(cleanups.length).padStart(12, '0')}`, numwant: 0, offers: [] })); // one peer_id per socket: another open socket's peer_id is refused
      return (await reply)['failure reason'];
    };
    expect(await announce()).toBeUndefined();
    await writeFile(join(h.dataDir, 'denylist.txt'), `${address}\n`);
    const deadline = Date.now() + 5000;
    while (!(await announce()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(await announce()).toMatch(/blocked/);
  });

  it('says to build the app when the build is missing', async () => {
    const root = await mkdtemp(join(tmpdir(), 'p2p-nobuild-'));
    cleanups.push(() => rm(root, { recursive: true, force: true }));
    const server = await startServer({ port: 0, dataDir: join(root, 'data'), distDir: join(root, 'dist'), log: () => {} });
    cleanups.push(() => server.close());
    for (const host of [`p2p.localhost:${server.port}`, `${'c'.repeat(52)}.p2p.localhost:${server.port}`]) {
      const res = await get(server.port, '/', host);
      expect(res.status).toBe(503);
      expect(JSON.parse(res.body).error.message).toContain('npm run build');
    }
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    await server.close();
    await server.close(); // safe twice
  });

  it('routes a site origin by the first label of Host, in any case and under any domain', async () => {
    h = await harness();
    const address = 'd'.repeat(51) + 'q'; // q = 16: the last character's three unused bits are zero
    for (const host of [`${address.toUpperCase()}.localhost:${h.server.port}`, `${address}.p2p.example.org`]) {
      const page = await get(h.server.port, '/deep/link', host);
      expect(page.body).toContain('<title>boot</title>');
    }
    // Not an address (51 characters, or unused bits set): the app host, where unknown paths are 404.
    expect((await get(h.server.port, '/deep/link', `${'d'.repeat(51)}.localhost`)).status).toBe(404);
    expect((await get(h.server.port, '/deep/link', `${'d'.repeat(52)}.localhost`)).status).toBe(404);
    const app = await get(h.server.port, '/', 'p2p.localhost');
    expect(app.headers.etag).toBeTruthy();
    expect(app.headers['content-security-policy']).toBe("frame-ancestors 'none'");
    // A bare loopback host moves to the app's canonical host, which sites are subdomains of.
    for (const host of ['localhost', '127.0.0.1', '[::1]']) {
      const moved = await get(h.server.port, '/', `${host}:${h.server.port}`);
      expect(moved.status).toBe(302);
      expect(moved.headers.location).toBe(`http://p2p.localhost:${h.server.port}/`);
    }
  });
});

describe('tracker limits', () => {
  it('keeps at most peersPerSwarm peers and closes a socket that sends an oversized message', async () => {
    h = await harness({ limits: { peersPerSwarm: 3, maxWsMessageBytes: 4096 } });
    const ws = `${h.server.url.replace('http', 'ws')}/announce`;
    const infoHash = Buffer.alloc(20, 9).toString('latin1');
    const sockets = await Promise.all(Array.from({ length: 6 }, () => openSocket(ws)));
    await Promise.all(
      sockets.map(
        (s, i) =>
          new Promise<void>((resolve) => {
            const onMessage = (m: WebSocket.RawData) => {
              if ((JSON.parse(String(m)) as { interval?: number }).interval) {
                s.off('message', onMessage);
                resolve();
              }
            };
            s.on('message', onMessage);
            s.send(JSON.stringify({ action: 'announce', info_hash: infoHash, peer_id: `-WW0000-${String(i).padStart(12, '0')}`, numwant: 0, uploaded: 0, downloaded: 0, left: 0, event: 'started', offers: [] }));
          }),
      ),
    );
    expect(h.server.metrics.text()).toMatch(/^p2p_peers 3$/m);
    expect(h.server.metrics.text()).toMatch(/^p2p_swarms 1$/m);

    const big = await openSocket(ws);
    const code = await new Promise<number>((resolve) => {
      big.once('close', (c) => resolve(c));
      big.send('x'.repeat(10_000));
    });
    expect(code).toBe(1009); // RFC 6455 section 7.4.1: message too big
    expect((await fetch(`${h.server.url}/healthz`)).status).toBe(200);
  });

  it('refuses malformed offers and answers before the tracker library sees them (fuzz, 1,000 messages)', async () => {
    h = await harness();
    const url = `${h.server.url.replace('http', 'ws')}/announce`;
    const infoHash = Buffer.alloc(20, 5).toString('latin1');
    const peer = (n: number) => `-WW0000-${String(n).padStart(12, '0')}`;
    // A listener in the swarm, so offers are relayed (the path that used to throw).
    const listener = await openSocket(url);
    const relayed: unknown[] = [];
    listener.on('message', (m) => relayed.push(JSON.parse(String(m))));
    listener.send(JSON.stringify({ action: 'announce', info_hash: infoHash, peer_id: peer(1), numwant: 0, offers: [] }));
    const sender = await openSocket(url);
    const replies: { 'failure reason'?: string }[] = [];
    sender.on('message', (m) => replies.push(JSON.parse(String(m))));
    const junk = [null, 1, 'x', [], {}, { offer: null }, { offer: { sdp: 1 }, offer_id: peer(9) }, { offer: { type: 'offer', sdp: 'v=0' }, offer_id: 5 }, { offer: { type: 'answer', sdp: 'v=0' }, offer_id: peer(9) }];
    let seed = 7;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n);
    for (let i = 0; i < 1000; i++) {
      const offers = Array.from({ length: 1 + rand(3) }, () => junk[rand(junk.length)]);
      const message: Record<string, unknown> = { action: 'announce', info_hash: infoHash, peer_id: peer(2), numwant: offers.length, offers };
      if (i % 5 === 0) Object.assign(message, { answer: junk[rand(junk.length)] ?? { sdp: 'x' }, to_peer_id: peer(1), offer_id: rand(2) ? peer(3) : 7 });
      sender.send(JSON.stringify(message));
    }
    // A valid announce after the junk: its answer means every message before it was handled.
    const valid = { action: 'announce', info_hash: infoHash, peer_id: peer(2), numwant: 1, offers: [{ offer: { type: 'offer', sdp: 'v=0' }, offer_id: peer(4) }] };
    sender.send(JSON.stringify(valid));
    const deadline = Date.now() + 10_000;
    while (!replies.some((r) => (r as { interval?: number }).interval) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(replies.filter((r) => r['failure reason']?.startsWith('E_BAD_MESSAGE')).length).toBe(1000);
    // Only the valid offer was relayed to the listener.
    while (!relayed.some((m) => (m as { offer?: unknown }).offer) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(relayed.filter((m) => (m as { offer?: unknown }).offer)).toHaveLength(1);
    expect((await fetch(`${h.server.url}/healthz`)).status).toBe(200);
  });

  it('survives raw garbage on the TCP port', async () => {
    h = await harness();
    const port = h.server.port;
    const junk = ['\u0000\u0001\u0002', 'GET / HTTP/9.9\r\n\r\n', 'PUT /api/blobs/x HTTP/1.1\r\nContent-Length: -5\r\n\r\n', 'GET /announce HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n', 'x'.repeat(70_000)];
    for (let i = 0; i < 50; i++) {
      await new Promise<void>((resolve) => {
        const socket = connect(port, '127.0.0.1', () => socket.end(junk[i % junk.length]));
        socket.on('data', () => undefined);
        socket.on('error', () => resolve());
        socket.on('close', () => resolve());
        socket.setTimeout(2000, () => socket.destroy());
      });
    }
    expect((await fetch(`${h.server.url}/healthz`)).status).toBe(200);
  });
});

describe('logs', () => {
  it('are JSON lines without client IP addresses unless logIps is on', async () => {
    for (const logIps of [false, true]) {
      const lines: string[] = [];
      h = await harness({ logIps, log: (line) => lines.push(line) });
      await publish(h.server.url);
      await fetch(`${h.server.url}/api/sites/${'a'.repeat(52)}`); // a 404 is logged as a request
      const records = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(records.some((r) => r.event === 'published')).toBe(true);
      expect(records.some((r) => 'ip' in r)).toBe(logIps);
      await h.close();
      h = undefined;
    }
  });
});

describe('storage', () => {
  it('leaves out a damaged manifest file at start and keeps serving the rest', async () => {
    h = await harness();
    const { b, key } = await publish(h.server.url);
    await publish(h.server.url, key, 2, 'second');
    const other = await publish(h.server.url);
    // Someone edits the newest version on disk: it no longer verifies.
    const file = join(h.dataDir, 'sites', b.manifest.address, '2.json');
    await writeFile(file, '{"v":1,"tampered":true}');
    const logs: string[] = [];
    await h.restart({ log: (line) => logs.push(line) });
    expect(logs.some((l) => l.includes('store_damaged_file'))).toBe(true);
    expect(((await (await fetch(`${h.server.url}/api/sites/${b.manifest.address}`)).json()) as { seq: number }).seq).toBe(1);
    expect((await fetch(`${h.server.url}/api/sites/${other.b.manifest.address}`)).status).toBe(200);
  });
});

describe('demo site', () => {
  it('publishes once with a 0600 key, keeps the version while unchanged, and bumps it on change', async () => {
    h = await harness();
    const folder = join(h.dataDir, '..', 'demo');
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, 'index.html'), '<h1>demo</h1>');
    const first = await publishDemo(h.server, h.dataDir, folder);
    expect(first.seq).toBe(1);
    const { stat } = await import('node:fs/promises');
    expect((await stat(join(h.dataDir, 'demo.key'))).mode & 0o777).toBe(0o600);
    await h.restart();
    expect(await publishDemo(h.server, h.dataDir, folder)).toEqual(first);
    await writeFile(join(folder, 'index.html'), '<h1>demo, edited</h1>');
    expect(await publishDemo(h.server, h.dataDir, folder)).toEqual({ address: first.address, seq: 2 });
    expect(await readdir(join(h.dataDir, 'sites', first.address))).toEqual(['1.json', '2.json']);
  });
});
