import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { generateKeyPair } from '../../src/core/index.js';
import { clientIpOf, normaliseIp } from '../../signaling/client-ip.js';
import { parsePublicUrl, publicHostOf, publicSiteUrl, publicTrackerUrl, PublicUrlError } from '../../signaling/public-url.js';
import { bundle, fetchAs, harness, putBlobs, type Harness } from './helpers.js';

const ADDRESS = 'a'.repeat(52);
const pub = parsePublicUrl('https://p2p.example.org');

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof PublicUrlError ? err.code : `not a PublicUrlError: ${String(err)}`;
  }
  return undefined;
}

describe('--public-url', () => {
  it('reads an origin and builds the app, site and tracker URLs from it', () => {
    expect(pub).toEqual({ protocol: 'https:', hostname: 'p2p.example.org', port: undefined, host: 'p2p.example.org', appOrigin: 'https://p2p.example.org' });
    expect(parsePublicUrl('HTTPS://P2P.Example.org:443/').host).toBe('p2p.example.org');
    expect(parsePublicUrl('https://p2p.localhost:8443').host).toBe('p2p.localhost:8443');
    expect(parsePublicUrl('http://p2p.example.org:80').appOrigin).toBe('http://p2p.example.org');
    expect(publicSiteUrl(pub, ADDRESS)).toBe(`https://${ADDRESS}.p2p.example.org/`);
    expect(publicTrackerUrl(pub)).toBe('wss://p2p.example.org/announce');
    expect(publicTrackerUrl(parsePublicUrl('http://p2p.example.org:8080'))).toBe('ws://p2p.example.org:8080/announce');
  });

  it('refuses what is not an origin whose subdomains can be sites, with E_BAD_PUBLIC_URL', () => {
    for (const bad of ['', 'p2p.example.org', 'ftp://p2p.example.org', 'wss://p2p.example.org', 'https://p2p.example.org/app', 'https://p2p.example.org/?a=1', 'https://p2p.example.org/#x', 'https://user:pw@p2p.example.org', 'https://127.0.0.1', 'https://[::1]:8443', 'https://localhost', `https://${ADDRESS}.example.org`]) {
      expect(codeOf(() => parsePublicUrl(bad)), bad).toBe('E_BAD_PUBLIC_URL');
    }
  });

  it('names the app host, a site host, or neither, by exact comparison', () => {
    expect(publicHostOf(pub, 'p2p.example.org')).toEqual({ kind: 'app' });
    expect(publicHostOf(pub, 'P2P.EXAMPLE.ORG:443')).toEqual({ kind: 'app' });
    expect(publicHostOf(pub, `${ADDRESS.toUpperCase()}.p2p.example.org`)).toEqual({ kind: 'site', address: ADDRESS });
    expect(publicHostOf(pub, `${ADDRESS}.p2p.example.org:443`)).toEqual({ kind: 'site', address: ADDRESS });
    for (const other of [undefined, '', 'p2p.example.org:8443', 'example.org', 'evil.example', `${ADDRESS}.evil.example`, `x.${ADDRESS}.p2p.example.org`, `${ADDRESS.slice(1)}.p2p.example.org`, 'localhost:8080', '127.0.0.1', 'p2p.example.org.evil.example', 'xp2p.example.org']) {
      expect(publicHostOf(pub, other), String(other)).toEqual({ kind: 'other' });
    }
    const withPort = parsePublicUrl('https://p2p.localhost:8443');
    expect(publicHostOf(withPort, 'p2p.localhost:8443')).toEqual({ kind: 'app' });
    expect(publicHostOf(withPort, 'p2p.localhost')).toEqual({ kind: 'other' });
  });
});

describe('the client IP', () => {
  const req = (headers: Record<string, string | string[]>, remoteAddress = '::ffff:127.0.0.1') => ({ headers, socket: { remoteAddress } }) as unknown as Parameters<typeof clientIpOf>[0];

  it('is the TCP peer unless the operator trusts a proxy: forwarded headers are ignored', () => {
    expect(clientIpOf(req({ 'x-forwarded-for': '203.0.113.9', forwarded: 'for=203.0.113.8' }), false)).toBe('127.0.0.1');
  });

  it('behind a trusted proxy, is the last X-Forwarded-For entry (the one the proxy added)', () => {
    expect(clientIpOf(req({ 'x-forwarded-for': '203.0.113.9' }), true)).toBe('203.0.113.9');
    // The client sent the first entries itself: they are not believed.
    expect(clientIpOf(req({ 'x-forwarded-for': '10.0.0.1, 198.51.100.7 , 203.0.113.9' }), true)).toBe('203.0.113.9');
    expect(clientIpOf(req({ 'x-forwarded-for': ['10.0.0.1', '203.0.113.9'] }), true)).toBe('203.0.113.9');
    expect(clientIpOf(req({ 'x-forwarded-for': '2001:DB8::1' }), true)).toBe('2001:db8::1');
    expect(clientIpOf(req({ 'x-forwarded-for': '203.0.113.9', forwarded: 'for=198.51.100.1' }), true)).toBe('203.0.113.9');
  });

  it('falls back to Forwarded (RFC 7239), then to the TCP peer for anything unreadable', () => {
    expect(clientIpOf(req({ forwarded: 'for=10.0.0.1, for="[2001:db8:cafe::17]:4711";proto=https' }), true)).toBe('2001:db8:cafe::17');
    expect(clientIpOf(req({ forwarded: 'proto=https;For=192.0.2.60' }), true)).toBe('192.0.2.60');
    for (const junk of [{ 'x-forwarded-for': 'unknown' } as Record<string, string>, { 'x-forwarded-for': '' }, { forwarded: 'for=_hidden' }, { forwarded: 'by=1.2.3.4' }, { 'x-forwarded-for': '1.2.3.4.5' }, {}]) {
      expect(clientIpOf(req(junk), true), JSON.stringify(junk)).toBe('127.0.0.1');
    }
  });

  it('has one spelling per address, and never throws on garbage (seeded fuzz)', () => {
    expect(normaliseIp('::FFFF:192.0.2.1')).toBe('192.0.2.1');
    expect(normaliseIp('192.0.2.1:8080')).toBe('192.0.2.1');
    expect(normaliseIp('[::1]')).toBe('::1');
    let seed = 12345;
    const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    const alphabet = '0123456789abcdefABCDEF:.[]," ;=_xforFOR';
    for (let i = 0; i < 2000; i++) {
      const text = Array.from({ length: Math.floor(rand() * 24) }, () => alphabet[Math.floor(rand() * alphabet.length)]).join('');
      const ip = normaliseIp(text);
      if (ip !== undefined) expect(normaliseIp(ip)).toBe(ip);
      expect(() => clientIpOf(req({ 'x-forwarded-for': text, forwarded: text }), true)).not.toThrow();
    }
  });
});

describe('a server with a public URL behind a trusted proxy', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  const publishVia = async (h: Harness, xff: string, seq: number, key: Awaited<ReturnType<typeof generateKeyPair>>) => {
    const b = await bundle(key, seq);
    await putBlobs(h.server.url, b);
    return fetch(`${h.server.url}/api/sites/${b.manifest.address}`, { method: 'PUT', headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': xff }, body: JSON.stringify(b.manifest) });
  };

  it('returns and names public URLs, serves only its host and its sites, and 421s every other Host', async () => {
    h = await harness({ publicUrl: pub, trustProxy: true });
    const key = await generateKeyPair();
    const res = await publishVia(h, '203.0.113.9', 1, key);
    expect(res.status).toBe(201);
    const { address, url } = (await res.json()) as { address: string; url: string };
    expect(url).toBe(`https://${address}.p2p.example.org/`);

    const base = h.server.url;
    expect(await (await fetchAs('p2p.example.org', `${base}/`)).text()).toContain('<title>app</title>');
    expect(await (await fetchAs(`${address}.p2p.example.org`, `${base}/any/page`)).text()).toContain('<title>boot</title>');
    for (const other of [`localhost:${h.server.port}`, `127.0.0.1:${h.server.port}`, 'evil.example', `${address}.evil.example`, `p2p.localhost:${h.server.port}`]) {
      const wrong = await fetchAs(other, `${base}/`);
      expect(wrong.status, other).toBe(421);
      expect(((await wrong.json()) as { error: { code: string } }).error.code).toBe('E_WRONG_HOST');
      expect((await fetchAs(other, `${base}/__p2p/sw.js`)).status, other).toBe(421);
    }
    // Probes, scrapes and the CLI may go straight to the port.
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/metrics`)).status).toBe(200);
    expect((await fetch(`${base}/api/sites/${address}`)).status).toBe(200);
    // The tracker's hint is its public wss URL.
    const upgradeRequired = (await (await fetchAs('p2p.example.org', `${base}/announce`)).json()) as { error: { message: string } };
    expect(upgradeRequired.error.message).toContain('wss://p2p.example.org/announce');
    // A tracker socket on a wrong Host is misdirected too; on the public host it opens.
    const refused = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`${base.replace('http', 'ws')}/announce`, { headers: { Host: 'evil.example' } });
      ws.on('unexpected-response', (_req, r) => resolve(r.statusCode ?? 0));
      ws.on('open', () => resolve(101));
      ws.on('error', () => resolve(-1));
    });
    expect(refused).toBe(421);
    const ok = new WebSocket(`${base.replace('http', 'ws')}/announce`, { headers: { Host: `${address}.p2p.example.org` } });
    await new Promise((resolve, reject) => ok.once('open', resolve).once('error', reject));
    ok.close();
  });

  it('without a public URL, behaves as before: loopback redirects to p2p.localhost, the publish URL is http', async () => {
    h = await harness();
    const moved = await fetchAs(`localhost:${h.server.port}`, `${h.server.url}/`);
    expect(moved.status).toBe(302);
    expect(moved.headers.get('location')).toBe(`http://p2p.localhost:${h.server.port}/`);
    expect((await fetchAs('anything.example', `${h.server.url}/`)).status).toBe(200);
    const res = await publishVia(h, '203.0.113.9', 1, await generateKeyPair());
    expect(((await res.json()) as { url: string }).url).toMatch(/^http:\/\/[a-z2-7]{52}\.p2p\.localhost:\d+\/$/);
  });

  it('rate-limits publishes per forwarded IP only when trusted', async () => {
    const key = await generateKeyPair();
    h = await harness({ publicUrl: pub, trustProxy: true, limits: { publishesPerMinute: 1 } });
    expect((await publishVia(h, '203.0.113.1', 1, key)).status).toBe(201);
    expect((await publishVia(h, '203.0.113.1', 2, key)).status).toBe(429);
    // Another visitor behind the same proxy has its own budget.
    expect((await publishVia(h, '10.9.9.9, 203.0.113.2', 2, key)).status).toBe(201);
    await h.close();
    // Not trusted: the header is the client's word and changes nothing.
    h = await harness({ publicUrl: pub, limits: { publishesPerMinute: 1 } });
    expect((await publishVia(h, '203.0.113.1', 1, key)).status).toBe(201);
    expect((await publishVia(h, '203.0.113.2', 2, key)).status).toBe(429);
  });

  const openTracker = (url: string, xff: string) =>
    new Promise<{ ws?: WebSocket; status: number; body: string }>((resolve) => {
      const ws = new WebSocket(`${url.replace('http', 'ws')}/announce`, { headers: { Host: 'p2p.example.org', 'X-Forwarded-For': xff } });
      ws.on('open', () => resolve({ ws, status: 101, body: '' }));
      ws.on('unexpected-response', (_req, r) => {
        let body = '';
        r.on('data', (d: Buffer) => (body += String(d)));
        r.on('end', () => resolve({ status: r.statusCode ?? 0, body }));
      });
      ws.on('error', () => resolve({ status: -1, body: '' }));
    });

  it("applies the tracker's per-IP caps to forwarded clients, not to the proxy, and logs their IPs", async () => {
    const lines: string[] = [];
    h = await harness({ publicUrl: pub, trustProxy: true, logIps: true, log: (l) => lines.push(l), limits: { connectionsPerIp: 2, socketsPerIp: 1 } });
    // Five clients, all through one TCP peer (127.0.0.1), beyond both caps together: each gets its socket.
    const clients = await Promise.all(['203.0.113.1', '203.0.113.2', '203.0.113.3', '203.0.113.4', '203.0.113.5'].map((ip) => openTracker(h!.server.url, ip)));
    expect(clients.map((c) => c.status)).toEqual([101, 101, 101, 101, 101]);
    const second = await openTracker(h.server.url, '203.0.113.1');
    expect([second.status, second.body]).toEqual([429, expect.stringContaining('E_IP_TOO_MANY_SOCKETS')]);
    expect(lines.some((l) => l.includes('tracker_refused') && l.includes('"ip":"203.0.113.1"'))).toBe(true);
    for (const c of clients) c.ws?.close();
  });

  it("counts one forwarded client's requests in progress and tracker sockets against --connections-per-ip", async () => {
    h = await harness({ publicUrl: pub, trustProxy: true, limits: { connectionsPerIp: 2 } });
    const held = [await openTracker(h.server.url, '198.51.100.1'), await openTracker(h.server.url, '198.51.100.1')];
    expect(held.map((c) => c.status)).toEqual([101, 101]);
    const third = await openTracker(h.server.url, '198.51.100.1');
    expect([third.status, third.body]).toEqual([503, expect.stringContaining('E_TOO_MANY_CONNECTIONS')]);
    const request = await fetch(`${h.server.url}/healthz`, { headers: { 'X-Forwarded-For': '198.51.100.1' } });
    expect([request.status, await request.text()]).toEqual([503, expect.stringContaining('E_TOO_MANY_CONNECTIONS')]);
    // Others behind the same proxy are not affected, and the client is served again once its sockets close.
    // A finished request gives its place back: more requests one after another than the cap are all served.
    for (let i = 0; i < 5; i++) expect((await fetch(`${h.server.url}/healthz`, { headers: { 'X-Forwarded-For': '198.51.100.2' } })).status).toBe(200);
    await Promise.all(held.map((c) => new Promise((resolve) => { c.ws!.once('close', resolve); c.ws!.close(); })));
    const deadline = Date.now() + 3000;
    let status = 0;
    while (Date.now() < deadline && status !== 200) status = (await fetch(`${h.server.url}/healthz`, { headers: { 'X-Forwarded-For': '198.51.100.1' } })).status;
    expect(status).toBe(200);
  });
});

describe('signaling/main.ts with --public-url', () => {
  /** Runs the server's entry point until its stderr matches `until` (or it exits), then stops it by its pid. */
  function runMain(args: string[], env: Record<string, string>, until: RegExp): Promise<{ stderr: string; code: number | null }> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'signaling/main.ts', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      child.stderr.on('data', (d: Buffer) => {
        stderr += String(d);
        if (until.test(stderr)) child.kill('SIGTERM');
      });
      child.on('exit', (code) => {
        clearTimeout(timer);
        resolve({ stderr, code });
      });
    });
  }

  it('prints the public app, demo site and tracker URLs, and refuses a bad value with its code', async () => {
    const data = await mkdtemp(join(tmpdir(), 'p2p-public-url-'));
    try {
      const started = await runMain(['--port', '0', '--data', data, '--dist', join(data, 'no-build'), '--demo', '--trust-proxy'], { P2P_PUBLIC_URL: 'https://p2p.example.org' }, /Tracker: .*\n/);
      expect(started.stderr).toMatch(/^Demo site: https:\/\/[a-z2-7]{52}\.p2p\.example\.org\/$/m);
      expect(started.stderr).toContain('App: https://p2p.example.org/\n');
      expect(started.stderr).toContain('Tracker: wss://p2p.example.org/announce\n');
      const bad = await runMain(['--port', '0', '--data', data, '--public-url', 'https://p2p.example.org/app'], {}, /$^/);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain('E_BAD_PUBLIC_URL');
    } finally {
      await rm(data, { recursive: true, force: true });
    }
  }, 30_000);
});
