import { afterEach, describe, expect, it } from 'vitest';
import { request } from 'node:http';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import WebSocket from 'ws';
import { discoveryTorrent, generateKeyPair, sha256, toHex } from '../../src/core/index.js';
import { APP_ORIGIN_FRAMES, APP_PAGES, PAGE_FILES } from '../../src/core/app-pages.js';
import { bundle, fetchAs, harness, publish, putBlobs, putManifest, siteHost, type Harness } from './helpers.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const json = async (res: Response) => (await res.json()) as { error?: { code: string; message: string; currentSeq?: number } } & Record<string, unknown>;

describe('manifest API', () => {
  it('publishes and serves the newest manifest', async () => {
    h = await harness();
    const { b, res } = await publish(h.server.url);
    expect(res.status).toBe(201);
    const body = await json(res);
    expect(body.url).toBe(`http://${b.manifest.address}.p2p.localhost:${h.server.port}/`);
    const got = await fetch(`${h.server.url}/api/sites/${b.manifest.address}`);
    expect(got.headers.get('access-control-allow-origin')).toBe('*');
    expect(await got.json()).toEqual(b.manifest);
    expect((await fetch(`${h.server.url}/api/sites/${'a'.repeat(52)}`)).status).toBe(404);
    const bad = await fetch(`${h.server.url}/api/sites/NOT-AN-ADDRESS`);
    expect(bad.status).toBe(400);
    expect((await json(bad)).error?.code).toBe('E_BAD_ADDRESS');
  });

  it('refuses stale and equal seq with 409 and the current seq', async () => {
    h = await harness();
    const { key } = await publish(h.server.url, undefined, 2);
    const same = await publish(h.server.url, key, 2, 'other text');
    expect(same.res.status).toBe(409);
    expect((await json(same.res)).error).toMatchObject({ code: 'E_SEQ_CONFLICT', currentSeq: 2 });
    const stale = await publish(h.server.url, key, 1);
    expect(stale.res.status).toBe(409);
    expect((await json(stale.res)).error).toMatchObject({ code: 'E_STALE_SEQ', currentSeq: 2 });
    const again = await publish(h.server.url, key, 2);
    expect(again.res.status).toBe(409);
    expect((await publish(h.server.url, key, 3)).res.status).toBe(201);
  });

  it('refuses a forged signature, a manifest for another address, and missing blobs', async () => {
    h = await harness();
    const key = await generateKeyPair();
    const b = await bundle(key, 1);
    await putBlobs(h.server.url, b);
    const forged = { ...b.manifest, signature: (b.manifest.signature[0] === 'a' ? 'b' : 'a') + b.manifest.signature.slice(1) };
    const res = await putManifest(h.server.url, forged);
    expect(res.status).toBe(400);
    expect((await json(res)).error?.code).toBe('E_BAD_SIGNATURE');
    const other = (await bundle(await generateKeyPair(), 1)).manifest.address;
    const wrong = await putManifest(h.server.url, b.manifest, other);
    expect((await json(wrong)).error?.code).toBe('E_ADDRESS_MISMATCH');
    const lonely = await bundle(await generateKeyPair(), 1, 'never uploaded');
    const missing = await putManifest(h.server.url, lonely.manifest);
    expect(missing.status).toBe(400);
    expect((await json(missing)).error?.code).toBe('E_MISSING_BLOB');
    const garbage = await fetch(`${h.server.url}/api/sites/${b.manifest.address}`, { method: 'PUT', body: '{"v":1' });
    expect(garbage.status).toBe(400);
    expect((await json(garbage)).error?.code).toBe('E_BAD_MANIFEST');
    expect(h.server.metrics.text()).toMatch(/p2p_publishes_total\{result="refused"\} 4/);
  });

  it('two simultaneous publishes with the same seq: exactly one wins', async () => {
    h = await harness();
    const key = await generateKeyPair();
    const [a, b] = [await bundle(key, 1, 'one'), await bundle(key, 1, 'two')];
    await putBlobs(h.server.url, a);
    await putBlobs(h.server.url, b);
    const results = await Promise.all([putManifest(h.server.url, a.manifest), putManifest(h.server.url, b.manifest)]);
    expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
    const winner = results[0].status === 201 ? a : b;
    expect(await (await fetch(`${h.server.url}/api/sites/${key.publicKey.length && a.manifest.address}`)).json()).toEqual(winner.manifest);
  });
});

describe('blobs', () => {
  it('refuses a body whose hash does not match', async () => {
    h = await harness();
    const res = await fetch(`${h.server.url}/api/blobs/${'0'.repeat(64)}`, { method: 'PUT', body: 'not zero' });
    expect(res.status).toBe(400);
    expect((await json(res)).error?.code).toBe('E_HASH_MISMATCH');
    const ok = new TextEncoder().encode('exact');
    const sha = toHex(await sha256(ok));
    expect((await fetch(`${h.server.url}/api/blobs/${sha}`, { method: 'PUT', body: ok })).status).toBe(201);
    expect((await fetch(`${h.server.url}/api/blobs/${sha}`, { method: 'PUT', body: ok })).status).toBe(200);
    // Stored but not part of any published site: not served.
    expect((await fetch(`${h.server.url}/api/blobs/${sha}`)).status).toBe(404);
  });

  it('refuses an oversized body as it arrives, without buffering it whole', async () => {
    h = await harness({ limits: { maxBlobBytes: 1024 * 1024, maxBodyBytes: 64 * 1024 } });
    const total = 64 * 1024 * 1024;
    // No Content-Length (chunked): the server can only count as the bytes arrive.
    const blob = await streamUpload(`${h.server.url}/api/blobs/${'1'.repeat(64)}`, total);
    expect(blob.status).toBe(413);
    expect(JSON.parse(blob.body).error.code).toBe('E_TOO_LARGE');
    expect(blob.sent).toBeLessThan(total / 4);
    const manifest = await streamUpload(`${h.server.url}/api/sites/${'a'.repeat(52)}`, total);
    expect(manifest.status).toBe(413);
    expect(manifest.sent).toBeLessThan(total / 4);
    // A declared Content-Length over the limit is refused before any byte is read.
    const declared = await fetch(`${h.server.url}/api/blobs/${'2'.repeat(64)}`, { method: 'PUT', body: new Uint8Array(2 * 1024 * 1024) });
    expect(declared.status).toBe(413);
    expect((await readdir(join(h.dataDir, 'tmp'))).length).toBe(0);
    expect((await fetch(`${h.server.url}/healthz`)).status).toBe(200);
  });
});

/** PUTs up to `total` bytes in 64 KiB chunks, stopping as soon as the server answers. */
function streamUpload(url: string, total: number): Promise<{ status: number; body: string; sent: number }> {
  const u = new URL(url);
  const chunk = Buffer.alloc(64 * 1024, 7);
  return new Promise((resolve, reject) => {
    let sent = 0;
    let answered = false;
    const req = request({ method: 'PUT', hostname: u.hostname, port: u.port, path: u.pathname }, (res) => {
      answered = true;
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, sent }));
      res.on('error', () => resolve({ status: res.statusCode ?? 0, body, sent }));
    });
    // Writing into a connection the server closed after answering is expected.
    req.on('error', (err) => (answered ? undefined : reject(err)));
    const pump = () => {
      while (sent < total && !answered) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      if (!answered) req.end();
    };
    pump();
  });
}

describe('origin seed', () => {
  it('serves each version as a BEP 19 webseed with ranges, ETag, caching and CORS', async () => {
    h = await harness();
    const { b } = await publish(h.server.url);
    const file = b.files.find((f) => f.file.path === 'media/big.bin')!;
    const url = `${h.server.url}/seed/${b.manifest.torrent.infoHash}/${b.manifest.torrent.name}/media/big.bin`;
    const site = siteHost(b.manifest.address, h.server.port);
    const range = async (r: string) => fetchAs(site, url, { headers: { Range: r } });
    const first = await range('bytes=0-0');
    expect(first.status).toBe(206);
    expect(first.headers.get('content-range')).toBe(`bytes 0-0/${file.bytes.length}`);
    expect(new Uint8Array(await first.arrayBuffer())).toEqual(file.bytes.subarray(0, 1));
    const last = await range(`bytes=${file.bytes.length - 1}-`);
    expect(new Uint8Array(await last.arrayBuffer())).toEqual(file.bytes.subarray(-1));
    const suffix = await range('bytes=-100');
    expect(new Uint8Array(await suffix.arrayBuffer())).toEqual(file.bytes.subarray(-100));
    const invalid = await range(`bytes=${file.bytes.length}-`);
    expect(invalid.status).toBe(416);
    expect(invalid.headers.get('content-range')).toBe(`bytes */${file.bytes.length}`);
    const whole = await fetchAs(site, url);
    expect(whole.headers.get('etag')).toBe(`"${file.file.sha256}"`);
    expect(whole.headers.get('cache-control')).toContain('immutable');
    expect(whole.headers.get('access-control-allow-origin')).toBe('*');
    expect(whole.headers.get('content-length')).toBe(String(file.bytes.length));
    expect(new Uint8Array(await whole.arrayBuffer())).toEqual(file.bytes);
    expect((await fetchAs(site, url, { method: 'HEAD' })).headers.get('content-length')).toBe(String(file.bytes.length));
    expect((await fetchAs(site, url.replace('media/big.bin', '../index.html'))).status).toBe(404);
    const metrics = await (await fetch(`${h.server.url}/metrics`)).text();
    expect(metrics).toMatch(new RegExp(`p2p_site_bytes\\{site="${b.manifest.address}",source="origin"\\} [1-9]\\d*`));
  });

  it('serves nothing with --no-origin while the API keeps working', async () => {
    h = await harness({ origin: false });
    const { b, res } = await publish(h.server.url);
    expect(res.status).toBe(201);
    const site = siteHost(b.manifest.address, h.server.port);
    const seed = await fetchAs(site, `${h.server.url}/seed/${b.manifest.torrent.infoHash}/${b.manifest.torrent.name}/index.html`);
    expect(seed.status).toBe(503);
    expect((await json(seed)).error?.code).toBe('E_ORIGIN_OFF');
    expect((await fetchAs(site, `${h.server.url}/api/blobs/${b.manifest.files[0].sha256}`)).status).toBe(503);
  });
});

describe('moderation and robustness', () => {
  it('refuses a denylisted site everywhere, reloaded without restart', async () => {
    h = await harness();
    const { b } = await publish(h.server.url);
    const address = b.manifest.address;
    await writeFile(join(h.dataDir, 'denylist.txt'), `# spam\n${address}\n`);
    const deadline = Date.now() + 5000;
    while ((await fetch(`${h.server.url}/api/sites/${address}`)).status !== 451 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const api = await fetch(`${h.server.url}/api/sites/${address}`);
    expect(api.status).toBe(451);
    expect((await json(api)).error?.code).toBe('E_DENIED');
    const site = siteHost(address, h.server.port);
    expect((await fetchAs(site, `${h.server.url}/seed/${b.manifest.torrent.infoHash}/${b.manifest.torrent.name}/index.html`)).status).toBe(451);
    expect((await fetchAs(site, `${h.server.url}/api/blobs/${b.manifest.files[0].sha256}`)).status).toBe(404);
    expect((await publish(h.server.url, undefined, 1)).res.status).toBe(201); // others unaffected

    // The tracker refuses announces for the site's torrents.
    const reason = await announce(h.server.url, b.manifest.torrent.infoHash);
    expect(reason).toMatch(/blocked/);
    expect(await announce(h.server.url, (await discoveryTorrent(address)).torrent.infoHash)).toMatch(/blocked/);
  });

  it('keeps every published site across a restart', async () => {
    h = await harness();
    const { b, key } = await publish(h.server.url);
    await publish(h.server.url, key, 2, 'second');
    await h.restart();
    const got = (await (await fetch(`${h.server.url}/api/sites/${b.manifest.address}`)).json()) as { seq: number };
    expect(got.seq).toBe(2);
    // The older version stays available to webseeds.
    expect((await fetchAs(siteHost(b.manifest.address, h.server.port), `${h.server.url}/seed/${b.manifest.torrent.infoHash}/${b.manifest.torrent.name}/index.html`)).status).toBe(200);
  });

  it('stays up and answering after 1,000 garbled WebSocket and HTTP messages', async () => {
    h = await harness();
    const ws = new WebSocket(`${h.server.url.replace('http', 'ws')}/announce`);
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    const garbage = ['', '{', 'null', '[]', '{"action":"announce"}', '{"action":"announce","info_hash":5}', '{"action":"scrape","info_hash":[1,2]}', '\u0000\u0001', 'x'.repeat(5000), '{"action":"announce","info_hash":"abc","peer_id":"def","offers":"no"}'];
    for (let i = 0; i < 500; i++) ws.send(garbage[i % garbage.length]);
    const port = h.server.port;
    for (let i = 0; i < 500; i++) {
      await new Promise<void>((resolve) => {
        const req = request({ hostname: '127.0.0.1', port, method: ['GET', 'PUT', 'POST', 'DELETE'][i % 4], path: ['/api/sites/%zz', '/seed/zz', '/api/blobs/xyz', '/__p2p/../../etc/passwd', '/api/sites/' + 'a'.repeat(52)][i % 5], headers: { Range: 'bytes=garbage', Host: i % 3 ? 'x.localhost' : 'a'.repeat(52) + '.localhost' } }, (res) => {
          res.resume();
          res.on('end', resolve);
        });
        req.on('error', () => resolve());
        req.end(i % 2 ? '{"v":' : undefined);
      });
    }
    ws.close();
    expect((await fetch(`${h.server.url}/healthz`)).status).toBe(200);
    expect((await publish(h.server.url)).res.status).toBe(201);
  });
});

describe('app and sites origins', () => {
  it('routes by Host: the app, the boot page for any site path, and our own files', async () => {
    h = await harness();
    const get = (path: string, host: string) =>
      new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }>((resolve, reject) => {
        const req = request({ hostname: '127.0.0.1', port: h!.server.port, path, headers: { Host: host } }, (res) => {
          let body = '';
          res.on('data', (c) => (body += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        });
        req.on('error', reject);
        req.end();
      });
    const app = `p2p.localhost:${h.server.port}`;
    const site = `${'b'.repeat(51) + 'a'}.p2p.localhost:${h.server.port}`;
    expect((await get('/', app)).body).toContain('<title>app</title>');
    const deep = await get('/blog/post.html', site);
    expect(deep.status).toBe(200);
    expect(deep.body).toContain('<title>boot</title>');
    expect(deep.headers['cache-control']).toBe('no-store');
    const sw = await get('/__p2p/sw.js', site);
    expect(sw.headers['service-worker-allowed']).toBe('/');
    expect(sw.headers['cache-control']).toBe('no-cache');
    expect((await get('/__p2p/assets/x-123.js', site)).headers['cache-control']).toContain('immutable');
    expect((await get('/__p2p/index.html', site)).status).toBe(404);
    expect((await get('/__p2p/index.html', app)).status).toBe(404); // the app only at /, unframeable
    expect((await get('/__p2p/../../../etc/passwd', app)).status).toBe(404);
    expect((await get('/nothing', app)).status).toBe(404);
  });

  it('revalidates every page of the build, and serves the app-origin frames only off site origins', async () => {
    h = await harness();
    for (const file of PAGE_FILES) await writeFile(join(h.distDir, file), `<!doctype html><title>${file}</title>`);
    await writeFile(join(h.distDir, 'loader-engine.js'), '// engine');
    const app = `p2p.localhost:${h.server.port}`;
    const site = `${'b'.repeat(51) + 'a'}.p2p.localhost:${h.server.port}`;
    const head = async (path: string, host: string) => {
      const res = await fetchAs(host, `${h!.server.url}${path}`);
      return { status: res.status, cache: res.headers.get('cache-control') };
    };
    // Emptied on every build and named the same: a copy cached for 5 minutes named assets that were gone.
    for (const file of PAGE_FILES.filter((f) => f !== APP_PAGES.app)) expect(await head(`/__p2p/${file}`, app)).toEqual({ status: 200, cache: 'no-cache' });
    expect(await head('/', app)).toEqual({ status: 200, cache: 'no-cache' });
    expect(await head('/__p2p/loader-engine.js', app)).toEqual({ status: 200, cache: 'no-cache' });
    for (const frame of APP_ORIGIN_FRAMES) expect((await head(`/__p2p/${frame}`, site)).status).toBe(404);
    expect(await head(`/__p2p/${APP_PAGES.manage}`, site)).toEqual({ status: 200, cache: 'no-cache' });
  });
});

/** Sends one WebSocket tracker announce and returns the failure reason, if any. */
async function announce(serverUrl: string, infoHash: string): Promise<string | undefined> {
  const ws = new WebSocket(`${serverUrl.replace('http', 'ws')}/announce`);
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  const bin = (hex: string) => Buffer.from(hex, 'hex').toString('latin1');
  ws.send(JSON.stringify({ action: 'announce', info_hash: bin(infoHash), peer_id: bin('2d5757303030302d' + '11'.repeat(12)), numwant: 1, uploaded: 0, downloaded: 0, left: 0, event: 'started', offers: [] }));
  const reply = await new Promise<Record<string, unknown>>((resolve) => ws.once('message', (m) => resolve(JSON.parse(String(m)))));
  ws.close();
  return reply['failure reason'] as string | undefined;
}
