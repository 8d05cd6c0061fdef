import { writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import * as ed from '@noble/ed25519';
import { addressFromPublicKey, fromHex, generateKeyPair, mutableSignedBytes, publicKeyFromAddress, sha1, signSitePointer, toHex } from '../../src/core/index.js';
import { DhtNode } from '../../signaling/dht-node.js';
import { checkPointer, pointerValue, type SitePointer } from '../../signaling/dht-pointer.js';
import { putPointerOnDht, sendPointerToServer, signManifestPointer } from '../../signaling/cli/dht-publish.js';
import { harness, publish, type Harness } from './helpers.js';
import { localDht, nextPut, rawNode, rawPut, type LocalDht } from './dht-helpers.js';

// Every DHT here is on 127.0.0.1, started by the test with `bootstrap: false`; nothing
// reaches the public DHT. Each test stays under 20 s.
const T = 20_000;
const teardown: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (teardown.length) await teardown.pop()!().catch(() => {});
});

async function dhtOf(count: number, lenient = false): Promise<LocalDht> {
  const d = await localDht(count, { lenient });
  teardown.push(() => d.close());
  return d;
}

async function server(dht: LocalDht | string[] | undefined, more: Parameters<typeof harness>[0] = {}): Promise<Harness> {
  const bootstrap = Array.isArray(dht) ? dht : dht?.bootstrap;
  const h = await harness({ ...(bootstrap ? { dht: { host: '127.0.0.1', bootstrap, timeoutMs: 5000, resolveCacheMs: 0 } } : {}), ...more });
  teardown.push(() => h.close());
  return h;
}

interface ErrorBody {
  error: { code: string; message: string; pointer?: { address: string; seq: number; infoHash: string; sig: string; v: string } };
}

async function manifestOf(h: Harness, address: string): Promise<{ status: number; body: ErrorBody }> {
  const res = await fetch(`${h.server.url}/api/sites/${address}`);
  return { status: res.status, body: (await res.json()) as ErrorBody };
}

function putPointer(h: Harness, address: string, body: unknown): Promise<Response> {
  return fetch(`${h.server.url}/api/sites/${address}/pointer`, { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
}

const wire = (p: SitePointer) => ({ seq: p.seq, sig: toHex(p.sig), v: toHex(p.v) });

describe('the signed pointer on a local DHT', () => {
  it('a publisher puts the pointer; a server without the site resolves it by its address from the DHT alone', { timeout: T }, async () => {
    const dht = await dhtOf(5);
    const origin = await server(undefined);
    const { key, b, res } = await publish(origin.server.url);
    expect(res.status).toBe(201);
    const pointer = await signManifestPointer(key.secretKey, b.manifest);
    expect((await putPointerOnDht(pointer, { host: '127.0.0.1', bootstrap: dht.bootstrap, timeoutMs: 5000 })).nodes).toBeGreaterThan(0);

    const other = await server(dht);
    const { status, body } = await manifestOf(other, b.manifest.address);
    expect(status).toBe(404);
    expect(body.error.code).toBe('E_POINTER_ONLY');
    expect(body.error.pointer).toMatchObject({ address: b.manifest.address, seq: 1, infoHash: b.manifest.torrent.infoHash });
    // What the server repeats verifies on its own, under the strict rule.
    const p = body.error.pointer!;
    expect((await checkPointer(p.address, p.seq, fromHex(p.v), fromHex(p.sig))).infoHash).toBe(b.manifest.torrent.infoHash);
    // An address nobody put a pointer for is still a plain 404.
    const nobody = addressFromPublicKey((await generateKeyPair()).publicKey);
    expect((await manifestOf(other, nobody)).body.error.code).toBe('E_NOT_FOUND');
  });

  it('a server keeps a pointer given with a publish and re-puts it; another server then resolves it', { timeout: T }, async () => {
    const dht = await dhtOf(4);
    const host = await server(dht, { dht: { host: '127.0.0.1', bootstrap: dht.bootstrap, timeoutMs: 5000, reputMs: 300 } });
    const { key, b } = await publish(host.server.url);
    const pointer = await signManifestPointer(key.secretKey, b.manifest);
    const target = await sha1(publicKeyFromAddress(b.manifest.address));
    // The first put, then at least one re-put, reach a node of the DHT.
    const first = nextPut(dht.nodes[0], target, 8000);
    expect(await sendPointerToServer(host.server.url, pointer)).toMatch(/re-announces/);
    await first;
    await nextPut(dht.nodes[0], target, 8000);
    const held = await fetch(`${host.server.url}/api/sites/${b.manifest.address}/pointer`);
    expect(held.status).toBe(200);
    expect(await held.json()).toMatchObject({ seq: 1, infoHash: b.manifest.torrent.infoHash, sig: toHex(pointer.sig) });

    const other = await server(dht);
    const { body } = await manifestOf(other, b.manifest.address);
    expect(body.error.code).toBe('E_POINTER_ONLY');
    expect(body.error.pointer?.seq).toBe(1);
  });

  it('a server keeps the pointers it was given across a restart, and puts them again at start', { timeout: T }, async () => {
    const dht = await dhtOf(4);
    const host = await server(dht);
    const { key, b } = await publish(host.server.url);
    const pointer = await signManifestPointer(key.secretKey, b.manifest);
    const target = await sha1(publicKeyFromAddress(b.manifest.address));
    const firstPut = nextPut(dht.nodes[1], target, 8000);
    expect((await putPointer(host, b.manifest.address, wire(pointer))).status).toBe(202);
    await firstPut;
    // Only the restarted server can put it now: the first put has arrived.
    const putAtStart = nextPut(dht.nodes[1], target, 8000);
    await host.restart();
    await putAtStart;
    const held = await fetch(`${host.server.url}/api/sites/${b.manifest.address}/pointer`);
    expect(await held.json()).toMatchObject({ seq: 1, sig: toHex(pointer.sig) });
  });

  it('a stale pointer (lower seq than one already seen) is not taken', { timeout: T }, async () => {
    const { secretKey, publicKey } = await ed.keygenAsync();
    const address = addressFromPublicKey(publicKey);
    const [ih1, ih2] = ['11'.repeat(20), '22'.repeat(20)];
    const sign = async (seq: number, ih: string) => {
      const item = await signSitePointer(secretKey, seq, ih);
      return checkPointer(address, seq, item.value, item.signature);
    };
    // Two DHTs that never met: one holds seq 2, the other seq 1.
    const newer = await localDht(3);
    teardown.push(() => newer.close());
    const older = await dhtOf(3);
    await putPointerOnDht(await sign(2, ih2), { host: '127.0.0.1', bootstrap: newer.bootstrap, timeoutMs: 5000 });
    await putPointerOnDht(await sign(1, ih1), { host: '127.0.0.1', bootstrap: older.bootstrap, timeoutMs: 5000 });
    const lines: string[] = [];
    const s = await server([...newer.bootstrap, ...older.bootstrap], { log: (line) => lines.push(line) });
    expect((await manifestOf(s, address)).body.error.pointer).toMatchObject({ seq: 2, infoHash: ih2 });
    // The DHT that knew seq 2 goes away: the DHT now answers seq 1, which is not taken.
    await newer.close();
    const again = await manifestOf(s, address);
    expect(again.body.error.pointer).toMatchObject({ seq: 2, infoHash: ih2 });
    expect(lines.some((l) => JSON.parse(l).event === 'dht_stale_pointer')).toBe(true);
  });

  it('forged pointers on the DHT (bad signature, signed by another key) are refused, even where hostile nodes store them', { timeout: T }, async () => {
    const dht = await dhtOf(4, true);
    const victim = await ed.keygenAsync();
    const attacker = await ed.keygenAsync();
    const address = addressFromPublicKey(victim.publicKey);
    const k = Buffer.from(victim.publicKey);
    const v = { ih: Buffer.from('33'.repeat(20), 'hex') };
    const signed = mutableSignedBytes(5, pointerValue(v.ih));
    const good = await ed.signAsync(signed, victim.secretKey);
    const flipped = Buffer.from(good);
    flipped[7] ^= 1;
    const evil = await rawNode(dht);
    teardown.push(() => new Promise<void>((r) => evil.destroy(() => r())));
    const s = await server(dht);
    const target = await sha1(victim.publicKey);
    for (const [seq, sig] of [
      [5, flipped],
      [6, Buffer.from(await ed.signAsync(mutableSignedBytes(6, pointerValue(v.ih)), attacker.secretKey))],
    ] as const) {
      expect(await rawPut(evil, { k, v, seq, sig })).toBeGreaterThan(0);
      // The hostile nodes do hold it (a lenient reader would take it) ...
      const held = await new Promise<{ seq?: unknown } | null>((resolve, reject) => evil.get(Buffer.from(target), { cache: false }, (err, r) => (err ? reject(err) : resolve(r))));
      expect(held?.seq).toBe(seq);
      // ... and the server refuses it: nothing is said to be published.
      expect((await manifestOf(s, address)).body.error.code).toBe('E_NOT_FOUND');
    }
  });

  it('the pointer of a refused (denylisted) site is not served', { timeout: T }, async () => {
    const dht = await dhtOf(4);
    const { secretKey, publicKey } = await ed.keygenAsync();
    const address = addressFromPublicKey(publicKey);
    const ih = '44'.repeat(20);
    const item = await signSitePointer(secretKey, 3, ih);
    await putPointerOnDht(await checkPointer(address, 3, item.value, item.signature), { host: '127.0.0.1', bootstrap: dht.bootstrap, timeoutMs: 5000 });
    const dir = await mkdtemp(join(tmpdir(), 'p2p-dht-deny-'));
    teardown.push(() => rm(dir, { recursive: true, force: true }));
    // Listed by its info hash only: the server learns which site it is from the DHT, and refuses.
    await writeFile(join(dir, 'deny.txt'), `${ih}\n`);
    const s = await server(dht, { denylistPath: join(dir, 'deny.txt') });
    const { status, body } = await manifestOf(s, address);
    expect(status).toBe(451);
    expect(body.error.code).toBe('E_DENIED');
    expect(body.error.pointer).toBeUndefined();
    // Listed by address: refused before any lookup, the pointer route too.
    await writeFile(join(dir, 'deny2.txt'), `${address}\n`);
    const s2 = await server(dht, { denylistPath: join(dir, 'deny2.txt') });
    expect((await manifestOf(s2, address)).status).toBe(451);
    expect((await fetch(`${s2.server.url}/api/sites/${address}/pointer`)).status).toBe(451);
  });
});

describe('PUT /api/sites/<address>/pointer checks what it is given', () => {
  it('refuses forged, mismatched, unknown, stale and malformed pointers with their codes; 503 E_DHT_OFF without --dht', { timeout: T }, async () => {
    const dht = await dhtOf(4);
    const h = await server(dht);
    const { key, b } = await publish(h.server.url);
    const two = await publish(h.server.url, key, 2, 'two');
    const address = b.manifest.address;
    const p1 = await signManifestPointer(key.secretKey, b.manifest);
    const p2 = await signManifestPointer(key.secretKey, two.b.manifest);
    const code = async (res: Response) => ({ status: res.status, code: ((await res.json()) as ErrorBody).error?.code });

    const flipped = wire(p1);
    flipped.sig = `${flipped.sig.slice(0, 10)}${flipped.sig[10] === '0' ? '1' : '0'}${flipped.sig.slice(11)}`;
    expect(await code(await putPointer(h, address, flipped))).toEqual({ status: 400, code: 'E_BAD_SIGNATURE' });
    const other = await generateKeyPair();
    const byOther = await signSitePointer(other.secretKey, 1, b.manifest.torrent.infoHash);
    expect(await code(await putPointer(h, address, { seq: 1, sig: toHex(byOther.signature), v: toHex(byOther.value) }))).toEqual({ status: 400, code: 'E_BAD_SIGNATURE' });
    const wrongIh = await signSitePointer(key.secretKey, 1, two.b.manifest.torrent.infoHash);
    expect(await code(await putPointer(h, address, { seq: 1, sig: toHex(wrongIh.signature), v: toHex(wrongIh.value) }))).toEqual({ status: 409, code: 'E_POINTER_MISMATCH' });
    const noSuch = await signSitePointer(key.secretKey, 9, b.manifest.torrent.infoHash);
    expect(await code(await putPointer(h, address, { seq: 9, sig: toHex(noSuch.signature), v: toHex(noSuch.value) }))).toEqual({ status: 404, code: 'E_NOT_FOUND' });
    expect(await code(await putPointer(h, address, { ...wire(p1), salt: '' }))).toEqual({ status: 400, code: 'E_BAD_POINTER' });
    expect(await code(await putPointer(h, address, { ...wire(p1), seq: 0 }))).toEqual({ status: 400, code: 'E_BAD_POINTER' });

    expect((await putPointer(h, address, wire(p2))).status).toBe(202);
    expect(await code(await putPointer(h, address, wire(p1)))).toEqual({ status: 409, code: 'E_STALE_SEQ' });

    const plain = await server(undefined);
    expect(await code(await putPointer(plain, address, wire(p1)))).toEqual({ status: 503, code: 'E_DHT_OFF' });
  });

  it('DhtNode.get answers undefined for an address nobody put, within its timeout', { timeout: T }, async () => {
    const dht = await dhtOf(4);
    const node = await DhtNode.start({ host: '127.0.0.1', bootstrap: dht.bootstrap, timeoutMs: 5000 });
    teardown.push(() => node.close());
    expect(node.nodeCount).toBe(4);
    expect(await node.get(addressFromPublicKey((await generateKeyPair()).publicKey))).toBeUndefined();
  });
});
