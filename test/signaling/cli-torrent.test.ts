import { afterEach, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bdecode, bencode, fromUtf8, sha1, siteTorrent, toHex, type BDecoded, type BValue } from '../../src/core/index.js';
import { fetchAs, harness, publish, siteHost, type Harness } from './helpers.js';
import { runCli } from '../helpers/cli.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const cli = runCli;

type Dict = { [key: string]: BDecoded };
const text = (v: BDecoded) => fromUtf8(v as Uint8Array);

/** The decoded `.torrent` and the SHA-1 of its info dictionary as written. */
async function readTorrent(path: string): Promise<{ dict: Dict; infoHash: string }> {
  const dict = bdecode(new Uint8Array(await readFile(path))) as Dict;
  // bencode is canonical (sorted keys, one encoding per value): re-encoding the decoded
  // info dictionary gives back the bytes the file holds.
  return { dict, infoHash: toHex(await sha1(bencode(dict.info as BValue))) };
}

async function twoVersions(): Promise<{ h: Harness; address: string; hashes: string[] }> {
  const h = await harness();
  cleanups.push(() => h.close());
  const first = await publish(h.server.url, undefined, 1, 'one');
  const second = await publish(h.server.url, first.key, 2, 'two');
  expect(second.res.status).toBe(201);
  return { h, address: first.b.manifest.address, hashes: [first.b.manifest.torrent.infoHash, second.b.manifest.torrent.infoHash] };
}

describe('p2psite info --torrent', () => {
  it('writes the current version\'s .torrent (tracker, origin seed) and prints its magnet link', async () => {
    const { h, address, hashes } = await twoVersions();
    const dir = await mkdtemp(join(tmpdir(), 'p2p-torrent-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const file = join(dir, 'site.torrent');
    const run = await cli(['info', address, '--torrent', file, '--server', h.server.url]);
    expect(run.code, run.err).toBe(0);
    expect(run.out).toContain('Version: 2');
    expect(run.out).toContain(`Torrent written to ${file}`);

    const { dict, infoHash } = await readTorrent(file);
    expect(infoHash).toBe(hashes[1]);
    const tracker = `ws://127.0.0.1:${h.server.port}/announce`;
    const webseed = `http://${address}.p2p.localhost:${h.server.port}/seed/${hashes[1]}/`;
    expect(text(dict.announce)).toBe(tracker);
    expect((dict['url-list'] as BDecoded[]).map(text)).toEqual([webseed]);

    const magnet = /^Magnet: (magnet:\?\S+)$/m.exec(run.out)![1];
    const params = new URLSearchParams(magnet.slice('magnet:?'.length));
    expect(params.get('xt')).toBe(`urn:btih:${hashes[1]}`);
    expect(params.get('dn')).toBe(text((dict.info as Dict).name));
    expect(params.getAll('tr')).toEqual([tracker]);
    expect(params.getAll('ws')).toEqual([webseed]);

    // The webseed URL a client builds from the file (BEP 19: url + name + path) is served.
    const info = dict.info as Dict;
    const firstFile = (info.files as Dict[])[0];
    const path = (firstFile.path as BDecoded[]).map(text).join('/');
    const got = await fetchAs(siteHost(address, h.server.port), `${h.server.url}/seed/${hashes[1]}/${text(info.name)}/${path}`, { headers: { Range: 'bytes=0-3' } });
    expect(got.status).toBe(206);
  });

  it('--seq writes an older version; an unknown or malformed version is refused with a reason', async () => {
    const { h, address, hashes } = await twoVersions();
    const dir = await mkdtemp(join(tmpdir(), 'p2p-torrent-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const file = join(dir, 'v1.torrent');
    const run = await cli(['info', address, '--seq', '1', '--torrent', file, '--server', h.server.url]);
    expect(run.code, run.err).toBe(0);
    expect(run.out).toContain('Version: 1');
    expect((await readTorrent(file)).infoHash).toBe(hashes[0]);

    const missing = await cli(['info', address, '--seq', '9', '--server', h.server.url]);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('E_NOT_FOUND');
    const malformed = await cli(['info', address, '--seq', '1e3', '--server', h.server.url]);
    expect(malformed.code).toBe(2);
    expect(malformed.err).toContain('--seq takes a version number');
  });

  it('GET /api/sites/<address>/<seq> answers that stored version only', async () => {
    const { h, address } = await twoVersions();
    const one = await fetch(`${h.server.url}/api/sites/${address}/1`);
    expect(one.status).toBe(200);
    expect(((await one.json()) as { seq: number }).seq).toBe(1);
    expect((await fetch(`${h.server.url}/api/sites/${address}/3`)).status).toBe(404);
    for (const bad of ['0', '01', '-1', 'x', '1.5', '99999999999999999']) {
      const res = await fetch(`${h.server.url}/api/sites/${address}/${bad}`);
      expect(res.status, bad).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('E_BAD_REQUEST');
    }
    expect((await fetch(`${h.server.url}/api/sites/${'1'.repeat(52)}/1`)).status).toBe(400);
  });
});

describe('siteTorrent (core)', () => {
  it('percent-encodes the name and the URLs in the magnet link', async () => {
    const { h, address } = await twoVersions();
    const manifest = await (await fetch(`${h.server.url}/api/sites/${address}`)).json();
    const t = siteTorrent({ ...manifest, torrent: { ...manifest.torrent, name: 'a b&c' } }, { tracker: 'wss://x.example/announce', siteOrigin: 'https://s.x.example/' });
    expect(t.webseed).toBe(`https://s.x.example/seed/${manifest.torrent.infoHash}/`);
    const params = new URLSearchParams(t.magnet.slice('magnet:?'.length));
    expect(params.get('dn')).toBe('a b&c');
    expect(params.get('tr')).toBe('wss://x.example/announce');
  });
});
