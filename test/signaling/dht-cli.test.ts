import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { dhtFromFlags } from '../../signaling/dht-flags.js';
import { DhtNode } from '../../signaling/dht-node.js';
import { harness } from './helpers.js';
import { localDht } from './dht-helpers.js';
import { runCli } from '../helpers/cli.js';

const teardown: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (teardown.length) await teardown.pop()!().catch(() => {});
});

const cli = runCli;

describe('p2psite publish --dht', () => {
  it('puts the pointer on a local DHT and gives it to a server that re-puts it; a lost store publishes seq 2', { timeout: 20_000 }, async () => {
    const dht = await localDht(4);
    teardown.push(() => dht.close());
    const bootstrap = dht.bootstrap.join(',');
    const h = await harness({ dht: { host: '127.0.0.1', bootstrap: dht.bootstrap, timeoutMs: 5000, resolveCacheMs: 0 } });
    teardown.push(() => h.close());
    const dir = await mkdtemp(join(tmpdir(), 'p2p-dht-cli-'));
    teardown.push(() => rm(dir, { recursive: true, force: true }));
    const key = join(dir, 'site.key');
    const address = /Address: ([a-z2-7]{52})/.exec((await cli(['keygen', '--out', key])).out)![1];
    await mkdir(join(dir, 'site'));
    await writeFile(join(dir, 'site', 'index.html'), '<h1>dht</h1>');

    const run = await cli(['publish', join(dir, 'site'), '--key', key, '--server', h.server.url, '--dht', '--dht-bootstrap', bootstrap]);
    expect(run.err).not.toMatch(/p2psite:/);
    expect(run.code).toBe(0);
    expect(run.out).toMatch(/Pointer: the server re-announces the pointer on the DHT every hour/);
    // The server may have put it first (bittorrent-dht answers an equal seq with 302).
    expect(run.out).toMatch(/DHT: the pointer \(seq 1, info hash [0-9a-f]{40}\) (is on [1-9]\d* nodes|was already on the DHT)/);
    const node = await DhtNode.start({ host: '127.0.0.1', bootstrap: dht.bootstrap, timeoutMs: 5000 });
    teardown.push(() => node.close());
    expect((await node.get(address))?.seq).toBe(1);

    // A fresh server (its store lost) hears of seq 1 on the DHT, so the next publish is seq 2.
    const fresh = await harness({ dht: { host: '127.0.0.1', bootstrap: dht.bootstrap, timeoutMs: 5000 } });
    teardown.push(() => fresh.close());
    const again = await cli(['publish', join(dir, 'site'), '--key', key, '--server', fresh.server.url]);
    expect(again.code).toBe(0);
    expect(again.out).toMatch(/Published version 2 /);
  });

  it('flags: --dht-bootstrap and --dht-port need --dht; bad values are refused with E_DHT_BOOTSTRAP and E_DHT_FLAGS', () => {
    expect(dhtFromFlags({})).toBeUndefined();
    expect(dhtFromFlags({ dht: true })).toEqual({ port: 0, bootstrap: undefined, host: '0.0.0.0' });
    expect(dhtFromFlags({ dht: true, 'dht-bootstrap': '127.0.0.1:6881, 127.0.0.1:6882', 'dht-port': '7000' })).toEqual({ port: 7000, bootstrap: ['127.0.0.1:6881', '127.0.0.1:6882'], host: '127.0.0.1' });
    expect(dhtFromFlags({}, { P2P_DHT: '1', P2P_DHT_BOOTSTRAP: 'dht.example.org:6881' })).toEqual({ port: 0, bootstrap: ['dht.example.org:6881'], host: '0.0.0.0' });
    expect(() => dhtFromFlags({ 'dht-port': '1' })).toThrow(expect.objectContaining({ code: 'E_DHT_FLAGS' }));
    expect(() => dhtFromFlags({ dht: true, 'dht-port': '70000' })).toThrow(expect.objectContaining({ code: 'E_DHT_FLAGS' }));
    expect(() => dhtFromFlags({ dht: true, 'dht-bootstrap': 'nohost' })).toThrow(expect.objectContaining({ code: 'E_DHT_BOOTSTRAP' }));
    expect(() => dhtFromFlags({ dht: true, 'dht-bootstrap': 'a:0' })).toThrow(expect.objectContaining({ code: 'E_DHT_BOOTSTRAP' }));
  });
});
