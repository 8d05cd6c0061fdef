import { afterEach, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { addressFromPublicKey, generateKeyPair } from '../../src/core/index.js';
import { parseEndpointsConfig, EndpointsConfigError } from '../../signaling/endpoints-answer.js';
import { endpointsFromFlags } from '../../signaling/endpoints-flags.js';
import { parseEndpointsAnswer } from '../../src/core/endpoints-answer.js';
import { withExtraEndpoints } from '../../src/swarm/extra-endpoints.js';
import { fetchAs, harness, publish, siteHost, type Harness } from './helpers.js';
import { runCli } from '../helpers/cli.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function server(options: Parameters<typeof harness>[0] = {}): Promise<Harness> {
  const h = await harness(options);
  cleanups.push(() => h.close());
  return h;
}

/** A free port: a server started and closed (peer URLs must be known before both start). */
async function twoPeers(): Promise<{ a: Harness; b: Harness }> {
  const a = await server();
  const b = await server({ endpoints: parseEndpointsConfig({ peerServers: [a.server.url] }) });
  await a.restart({ endpoints: parseEndpointsConfig({ peerServers: [b.server.url] }) });
  return { a, b };
}

const cli = runCli;

describe('flags for other servers', () => {
  it('takes ws(s) trackers, http(s) mirrors and peer servers; refuses anything else with a code', () => {
    const c = parseEndpointsConfig({ trackers: ['wss://t.example/announce'], mirrors: ['https://cdn.example/p2p/'], peerServers: ['http://127.0.0.1:9/'] });
    expect(c).toEqual({ builtInTracker: true, trackers: ['wss://t.example/announce'], mirrors: ['https://cdn.example/p2p'], peerServers: ['http://127.0.0.1:9'] });
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (err) {
        expect(err).toBeInstanceOf(EndpointsConfigError);
        return (err as EndpointsConfigError).code;
      }
      return 'none';
    };
    expect(code(() => parseEndpointsConfig({ trackers: ['https://t.example/announce'] }))).toBe('E_BAD_TRACKER');
    expect(code(() => parseEndpointsConfig({ mirrors: ['ftp://x'] }))).toBe('E_BAD_MIRROR');
    expect(code(() => parseEndpointsConfig({ mirrors: ['https://u:p@x'] }))).toBe('E_BAD_MIRROR');
    expect(code(() => parseEndpointsConfig({ peerServers: ['not a url'] }))).toBe('E_BAD_PEER_SERVER');
    expect(code(() => parseEndpointsConfig({ trackers: Array.from({ length: 9 }, (_, i) => `wss://t${i}.example/announce`) }))).toBe('E_TOO_MANY');
    // No tracker at all would leave pages without peers.
    expect(code(() => endpointsFromFlags({ 'no-tracker': true }, {}))).toBe('E_BAD_TRACKER');
    expect(endpointsFromFlags({}, { P2P_NO_TRACKER: '1', P2P_TRACKERS: 'wss://a.example/announce, wss://b.example/announce' }).trackers).toHaveLength(2);
  });

  it('pages read the answer strictly: wrong schemes, mixed content, junk and too many are dropped', () => {
    expect(parseEndpointsAnswer(null)).toBeUndefined();
    expect(parseEndpointsAnswer({ trackers: [], mirrors: [] })).toBeUndefined();
    const many = Array.from({ length: 20 }, (_, i) => `https://m${i}.example/x`);
    const a = parseEndpointsAnswer({ builtInTracker: true, trackers: ['ws://plain.example/announce', 'wss://ok.example/announce', 7, 'javascript:alert(1)'], mirrors: ['http://plain.example', ...many] }, 'https:')!;
    expect(a.trackers).toEqual(['wss://ok.example/announce']);
    expect(a.mirrors).toHaveLength(8);
    expect(a.mirrors[0]).toBe('https://m0.example/x/');
    const own = { announce: ['ws://own/announce'], seedBase: 'http://site.own/seed/' };
    expect(withExtraEndpoints(own, { builtInTracker: false, trackers: ['ws://t/announce'], mirrors: ['http://site.own/seed/', 'http://m/'] })).toEqual({ announce: ['ws://t/announce'], seedBase: own.seedBase, mirrors: ['http://m/'] });
    expect(withExtraEndpoints(own, undefined)).toBe(own);
  });
});

describe('GET /api/endpoints', () => {
  it('names the operator\'s trackers and mirrors, and each peer server\'s tracker and this site\'s origin seed there', async () => {
    const h = await server({ endpoints: parseEndpointsConfig({ trackers: ['wss://t.example/announce'], mirrors: ['https://cdn.example/p2p'], peerServers: ['http://127.0.0.1:9999'] }) });
    const address = 'a'.repeat(52);
    const res = await fetchAs(siteHost(address, h.server.port), `${h.server.url}/api/endpoints`);
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(await res.json()).toEqual({
      builtInTracker: true,
      trackers: ['wss://t.example/announce', 'ws://127.0.0.1:9999/announce'],
      mirrors: ['https://cdn.example/p2p', `http://${address}.p2p.localhost:9999/seed`],
    });
  });
});

describe('--no-tracker', () => {
  it('refuses tracker sockets, says so at /announce, and keeps the denylist in the API and origin', async () => {
    const h = await server({ endpoints: parseEndpointsConfig({ builtInTracker: false, trackers: ['ws://127.0.0.1:1/announce'] }) });
    const ws = new WebSocket(`ws://127.0.0.1:${h.server.port}/announce`);
    const refused = await new Promise<string>((resolve) => {
      ws.on('unexpected-response', (_req, res) => resolve(String(res.statusCode)));
      ws.on('open', () => resolve('open'));
      ws.on('error', () => resolve('error'));
    });
    ws.terminate();
    expect(refused).toBe('404');
    const plain = await (await fetch(`${h.server.url}/announce`)).json();
    expect(plain.error.code).toBe('E_NOT_FOUND');
    const { b } = await publish(h.server.url);
    const address = b.manifest.address;
    expect((await fetch(`${h.server.url}/api/sites/${address}`)).status).toBe(200);
    await writeFile(join(h.dataDir, 'denylist.txt'), `${address}\n`);
    await h.restart();
    expect((await fetch(`${h.server.url}/api/sites/${address}`)).status).toBe(451);
    const seed = `/seed/${b.manifest.torrent.infoHash}/${address}/index.html`;
    expect((await fetchAs(siteHost(address, h.server.port), `${h.server.url}${seed}`)).status).toBe(451);
  });
});

describe('peer servers', () => {
  it('a site published on A opens on B: B asks A, verifies, stores the manifest and every file (sha256-checked)', async () => {
    const { a, b } = await twoPeers();
    const { b: bundled } = await publish(a.server.url, undefined, 1, 'on A');
    const address = bundled.manifest.address;
    expect(b.server.store.current(address)).toBeUndefined();
    const res = await fetch(`${b.server.url}/api/sites/${address}`);
    expect(res.status).toBe(200);
    expect((await res.json()).seq).toBe(1);
    expect(b.server.store.current(address)?.seq).toBe(1);
    // B's origin seed now serves A's bytes, the same bytes.
    for (const { file, bytes } of bundled.files) {
      const got = await fetchAs(siteHost(address, b.server.port), `${b.server.url}/seed/${bundled.manifest.torrent.infoHash}/${address}/${file.path}`);
      expect(got.status).toBe(200);
      expect(Buffer.from(await got.arrayBuffer()).equals(Buffer.from(bytes))).toBe(true);
    }
    // An address nobody has is still 404 on B.
    const nobody = addressFromPublicKey((await generateKeyPair()).publicKey);
    expect((await fetch(`${b.server.url}/api/sites/${nobody}`)).status).toBe(404);
  });

  it('a newer version published on A reaches B, and a page held on B hears of it', async () => {
    const a = await server();
    const b = await server({ endpoints: parseEndpointsConfig({ peerServers: [a.server.url] }), peerRecheckMs: 0 });
    const { b: v1, key } = await publish(a.server.url, undefined, 1, 'one');
    const address = v1.manifest.address;
    const first = await fetch(`${b.server.url}/api/sites/${address}`);
    expect((await first.json()).seq).toBe(1);
    const etag = first.headers.get('etag')!;
    const v2 = await publish(a.server.url, key, 2, 'two');
    expect(v2.res.status).toBe(201);
    // A page's long poll on B: held until B learns of seq 2 from A (asked in the background).
    const held = fetch(`${b.server.url}/api/sites/${address}`, { headers: { 'If-None-Match': etag, Prefer: 'wait=20' } });
    // Every request on B asks A again in the background (no recheck interval here), until B holds seq 2.
    await expect.poll(async () => (await (await fetch(`${b.server.url}/api/sites/${address}`)).json()).seq, { timeout: 10_000 }).toBe(2);
    const answer = await held;
    expect(answer.status).toBe(200);
    expect((await answer.json()).seq).toBe(2);
    expect(b.server.store.current(address)?.seq).toBe(2);
  });

  it('a peer that sends a manifest for another address, a bad signature or wrong bytes gets nothing stored', async () => {
    const liar = await server();
    const b = await server({ endpoints: parseEndpointsConfig({ peerServers: [liar.server.url] }) });
    // The liar holds a real site and answers for another address with its manifest.
    const { b: real } = await publish(liar.server.url);
    const other = await generateKeyPair();
    const otherAddress = addressFromPublicKey(other.publicKey);
    const sitesDir = join(liar.dataDir, 'sites');
    const { mkdir, cp } = await import('node:fs/promises');
    await mkdir(join(sitesDir, otherAddress), { recursive: true });
    await cp(join(sitesDir, real.manifest.address, '1.json'), join(sitesDir, otherAddress, '1.json'));
    await liar.restart();
    const res = await fetch(`${b.server.url}/api/sites/${otherAddress}`);
    expect(res.status).toBe(404);
    expect(b.server.store.current(otherAddress)).toBeUndefined();
  });

  it('p2psite mirror writes a version in the webseed layout, every file sha256-checked', async () => {
    const h = await server();
    const { b } = await publish(h.server.url, undefined, 1, 'mirrored');
    const dir = await mkdtemp(join(tmpdir(), 'p2p-mirror-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const run = await cli(['mirror', b.manifest.address, dir, '--server', h.server.url]);
    expect(run.err.split('\n').filter((l) => l && !/%/.test(l))).toEqual([]);
    expect(run.code).toBe(0);
    expect(run.out).toContain(`Mirrored version 1 (2 files, 2 written)`);
    for (const { file } of b.files) {
      const bytes = await readFile(join(dir, b.manifest.torrent.infoHash, b.manifest.address, file.path));
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(file.sha256);
    }
    // A second run keeps the files that already match.
    expect((await cli(['mirror', b.manifest.address, dir, '--server', h.server.url])).out).toContain('0 written');
    expect((await cli(['mirror', b.manifest.address])).code).toBe(2);
  });
});
