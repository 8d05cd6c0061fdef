import { createSocket, type Socket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { addressFromPublicKey, bdecode, bencode, generateKeyPair, type BValue } from '../../src/core/index.js';
import { DhtNode } from '../../signaling/dht-node.js';

// One UDP packet used to stop a process running bittorrent-dht 11 (a put whose k is an
// integer; a reply whose id is not bytes): signaling/dht-node.ts guards the socket.
const teardown: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  while (teardown.length) await teardown.pop()!();
});

async function udp(): Promise<Socket> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  teardown.push(() => new Promise<void>((r) => s.close(() => r())));
  return s;
}

function ask(s: Socket, port: number, msg: BValue): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no answer in 3 s')), 3000);
    s.once('message', (m) => {
      clearTimeout(timer);
      resolve(bdecode(new Uint8Array(m)) as Record<string, unknown>);
    });
    s.send(bencode(msg), port, '127.0.0.1');
  });
}

const id = new Uint8Array(20).fill(7);

describe('starting a DHT node', () => {
  it('a UDP port already taken is E_DHT_START, with what to do', { timeout: 10_000 }, async () => {
    const first = await DhtNode.start({ host: '127.0.0.1', bootstrap: [] });
    teardown.push(() => first.close());
    await expect(DhtNode.start({ host: '127.0.0.1', port: first.port, bootstrap: [] })).rejects.toMatchObject({ code: 'E_DHT_START', message: expect.stringMatching(/--dht-port/) });
  });
});

describe('a DHT node survives hostile packets', () => {
  it('a put whose k is an integer (with a valid token) is dropped; the node goes on answering', { timeout: 20_000 }, async () => {
    const node = await DhtNode.start({ host: '127.0.0.1', bootstrap: [], timeoutMs: 3000 });
    teardown.push(() => node.close());
    const attacker = await udp();
    const got = await ask(attacker, node.port, { t: 'aa', y: 'q', q: 'get', a: { id, target: new Uint8Array(20).fill(1) } });
    const token = (got.r as { token: Uint8Array }).token;
    expect(token).toBeInstanceOf(Uint8Array);
    attacker.send(bencode({ t: 'bb', y: 'q', q: 'put', a: { id, token, v: 'x', k: 5, sig: new Uint8Array(64) } }), node.port, '127.0.0.1');
    // Another sender's ping is answered after it: the node is alive and handled the bad one.
    const other = await udp();
    const pong = await ask(other, node.port, { t: 'cc', y: 'q', q: 'ping', a: { id: new Uint8Array(20).fill(8) } });
    expect(pong.y).toEqual(new TextEncoder().encode('r'));
    expect(node.hostileMessages).toBe(1);
  });

  it('a reply whose id is not bytes is dropped; the get ends (nothing found or E_DHT_TIMEOUT) and the process goes on', { timeout: 20_000 }, async () => {
    const liar = await udp();
    const liarId = new Uint8Array(20).fill(9);
    liar.on('message', (m, rinfo) => {
      const q = bdecode(new Uint8Array(m)) as { t: Uint8Array; q: Uint8Array };
      const isPing = new TextDecoder().decode(q.q) === 'ping';
      liar.send(bencode({ t: q.t, y: 'r', r: isPing ? { id: liarId } : { id: 5, token: 'x' } }), rinfo.port, rinfo.address);
    });
    const node = await DhtNode.start({ host: '127.0.0.1', bootstrap: [`127.0.0.1:${liar.address().port}`], timeoutMs: 3000 });
    teardown.push(() => node.close());
    expect(node.nodeCount).toBe(1);
    const address = addressFromPublicKey((await generateKeyPair()).publicKey);
    const outcome = await node.get(address).then(
      (p) => (p === undefined ? 'nothing' : 'found'),
      (err: { code?: string }) => err.code,
    );
    expect(['nothing', 'E_DHT_TIMEOUT']).toContain(outcome);
    expect(node.hostileMessages).toBeGreaterThanOrEqual(1);
  });
});
