import { afterEach, describe, expect, it } from 'vitest';
import { harness, type Harness } from './helpers.js';
import { announce, codeOf, id20, RawTrackerClient, until } from './tracker-client.js';

let h: Harness | undefined;
const clients: RawTrackerClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.terminate();
  await h?.close();
  h = undefined;
});

const wsUrl = () => `${h!.server.url.replace('http', 'ws')}/announce`;
async function client(): Promise<RawTrackerClient> {
  const c = await RawTrackerClient.open(wsUrl());
  clients.push(c);
  return c;
}
const swarms = () => h!.server.metrics.swarms();
const peers = () => h!.server.metrics.peers();
const hash = (n: number) => id20(n, '-IH-');

/** The server still answers HTTP and a well-formed announce. */
async function stillServing(): Promise<void> {
  expect((await fetch(`${h!.server.url}/healthz`)).status).toBe(200);
  const probe = await client();
  const reply = await probe.request(announce(hash(999_999), id20(999_999, '-PROBE-')));
  expect(reply['failure reason']).toBeUndefined();
  expect(reply.interval).toBeGreaterThan(0);
  probe.terminate();
}

describe('tracker messages', () => {
  it('answers a scrape whose info_hash is an object, a number or true with E_BAD_MESSAGE and keeps running', async () => {
    h = await harness();
    const c = await client();
    for (const info_hash of [{ a: 1 }, 5, true, [5], ['short'], { length: 1 }]) {
      expect(codeOf(await c.request({ action: 'scrape', info_hash }))).toBe('E_BAD_MESSAGE');
    }
    await stillServing();
  });

  it('refuses a scrape without info_hash instead of listing every swarm', async () => {
    h = await harness();
    const c = await client();
    expect((await c.request(announce(hash(1), id20(1)))).interval).toBeGreaterThan(0);
    const listed = await c.request({ action: 'scrape' });
    expect(codeOf(listed)).toBe('E_BAD_MESSAGE');
    expect(listed.files).toBeUndefined();
    // A scrape of named swarms still works, one or a bounded list.
    const one = await c.request({ action: 'scrape', info_hash: hash(1) });
    expect(Object.keys(one.files as object)).toEqual([hash(1)]);
    const two = await c.request({ action: 'scrape', info_hash: [hash(1), hash(2)] });
    expect(Object.keys(two.files as object).sort()).toEqual([hash(1), hash(2)]);
    expect(codeOf(await c.request({ action: 'scrape', info_hash: [] }))).toBe('E_BAD_MESSAGE');
    // The library relays (and crashes on) a scrape's offers, relays its answer, keeps its peer_id.
    const offers = [{ offer: { type: 'offer', sdp: 'v=0' }, offer_id: id20(5) }];
    for (const extra of [{ offers }, { answer: { type: 'answer', sdp: 'v=0' }, to_peer_id: id20(1), offer_id: id20(5) }, { peer_id: id20(2) }]) {
      expect(codeOf(await c.request({ action: 'scrape', info_hash: hash(1), ...extra })), Object.keys(extra).join()).toBe('E_BAD_MESSAGE');
    }
    expect(codeOf(await c.request({ action: 'scrape', info_hash: Array.from({ length: 1000 }, (_, i) => hash(i)) }))).toBe('E_BAD_MESSAGE');
  });

  it('refuses every announce field a browser would not send with E_BAD_MESSAGE, and creates no swarm', async () => {
    h = await harness();
    const c = await client();
    const bad: Record<string, unknown>[] = [
      { info_hash: 'ĀĀĀĀĀĀĀĀĀĀĀĀĀĀĀĀĀĀĀĀ' }, // 20 characters, not latin1: would alias another hash
      { peer_id: 'Ā'.repeat(20) },
      { peer_id: 42 },
      { numwant: -1 },
      { numwant: 1e300 },
      { numwant: '5' },
      { uploaded: -5 },
      { downloaded: 'lots' },
      { left: { n: 1 } },
      { left: 2 ** 60 },
      { event: 'bogus' },
      { event: 7 },
      { event: null },
      { offers: {} },
      { answer: { type: 'answer', sdp: 'v=0' }, to_peer_id: id20(3), offer_id: id20(4), offers: [], event: undefined },
      { answer: { type: 'answer', sdp: 'v=0' }, to_peer_id: 5, offer_id: id20(4), offers: undefined, event: undefined },
      { answer: { type: 'answer', sdp: 'v=0', extra: 'x'.repeat(100) }, to_peer_id: id20(3), offer_id: id20(4), offers: undefined, event: undefined },
      { offers: [{ offer: { type: 'offer', sdp: 'v=0', junk: [1, 2, 3] }, offer_id: id20(4) }] },
      { offer_id: { a: 1 } },
      { to_peer_id: [] },
    ];
    for (const fields of bad) {
      const reply = await c.request(announce(hash(7), id20(7), fields));
      expect(codeOf(reply), JSON.stringify(fields)).toBe('E_BAD_MESSAGE');
    }
    for (const action of [undefined, 'connect', 'ANNOUNCE', 1, null]) {
      expect(codeOf(await c.request({ action, info_hash: hash(7), peer_id: id20(7) }))).toBe('E_BAD_MESSAGE');
    }
    expect(swarms()).toBe(0);
    // What browsers send passes: no event (update), null counters (NaN serialised), completed.
    expect((await c.request(announce(hash(7), id20(7), { event: undefined, left: null, numwant: 5 }))).interval).toBeGreaterThan(0);
    expect((await c.request(announce(hash(7), id20(7), { event: 'completed', offers: undefined }))).interval).toBeGreaterThan(0);
    await stillServing();
  });
});

describe('peer ids', () => {
  it('a peer_id in use by one socket cannot be stopped, updated or offered from another socket', async () => {
    h = await harness();
    const victim = await client();
    const other = await client();
    expect((await victim.request(announce(hash(1), id20(1)))).interval).toBeGreaterThan(0);
    expect((await other.request(announce(hash(1), id20(2)))).interval).toBeGreaterThan(0);
    expect(peers()).toBe(2);

    const attacker = await client();
    for (const event of ['stopped', 'started', 'completed', undefined]) {
      expect(codeOf(await attacker.request(announce(hash(1), id20(1), { event })))).toBe('E_PEER_ID_TAKEN');
    }
    // Offers in the victim's name are refused, so nobody is sent an offer it did not make.
    const offer = { offer: { type: 'offer', sdp: 'v=0' }, offer_id: id20(77) };
    expect(codeOf(await attacker.request(announce(hash(1), id20(1), { event: undefined, numwant: 1, offers: [offer] })))).toBe('E_PEER_ID_TAKEN');
    // An answer in the victim's name is refused too.
    const answer = { action: 'announce', info_hash: hash(1), peer_id: id20(1), to_peer_id: id20(2), offer_id: id20(77), answer: { type: 'answer', sdp: 'v=0' } };
    expect(codeOf(await attacker.request(answer))).toBe('E_PEER_ID_TAKEN');
    expect(peers()).toBe(2);
    expect(other.messages.filter((m) => m.offer || m.answer)).toHaveLength(0);

    // The owner itself still can stop; once its socket is gone the id is free again.
    expect((await victim.request(announce(hash(1), id20(1), { event: 'stopped', offers: undefined }))).interval).toBeGreaterThan(0);
    expect(peers()).toBe(1);
    await victim.close();
    // The client sees the close before the server has taken the socket down: retry, as a client would.
    await until(async () => ((await attacker.request(announce(hash(1), id20(1)))).interval ?? 0) > 0, 'the peer_id to be free');
  });

  it('bounds the distinct peer_ids of one socket', async () => {
    h = await harness({ limits: { swarmsPerSocket: 64 } });
    const c = await client();
    for (let i = 0; i < 16; i++) expect((await c.request(announce(hash(1), id20(i)))).interval).toBeGreaterThan(0);
    expect(codeOf(await c.request(announce(hash(1), id20(16))))).toBe('E_TOO_MANY_PEER_IDS');
    // Its own ids keep working.
    expect((await c.request(announce(hash(2), id20(3)))).interval).toBeGreaterThan(0);
  });
});

describe('caps', () => {
  it('caps the swarms of one socket, and a stopped swarm frees its slot', async () => {
    h = await harness({ limits: { swarmsPerSocket: 4 } });
    const c = await client();
    for (let i = 0; i < 4; i++) expect((await c.request(announce(hash(i), id20(1)))).interval).toBeGreaterThan(0);
    expect(codeOf(await c.request(announce(hash(4), id20(1))))).toBe('E_TOO_MANY_SWARMS');
    // Re-announcing into a swarm it is in is not a new swarm.
    expect((await c.request(announce(hash(0), id20(1), { event: undefined }))).interval).toBeGreaterThan(0);
    expect((await c.request(announce(hash(0), id20(1), { event: 'stopped', offers: undefined }))).interval).toBeGreaterThan(0);
    expect((await c.request(announce(hash(4), id20(1)))).interval).toBeGreaterThan(0);
    expect(swarms()).toBe(4);
  });

  it('caps the swarms of all sockets of one IP', async () => {
    h = await harness({ limits: { swarmsPerSocket: 4, swarmsPerIp: 6 } });
    const a = await client();
    const b = await client();
    for (let i = 0; i < 4; i++) expect((await a.request(announce(hash(i), id20(1)))).interval).toBeGreaterThan(0);
    for (let i = 0; i < 2; i++) expect((await b.request(announce(hash(10 + i), id20(2)))).interval).toBeGreaterThan(0);
    expect(codeOf(await b.request(announce(hash(12), id20(2))))).toBe('E_IP_TOO_MANY_SWARMS');
    // Closing a socket gives its swarms back to the IP.
    await a.close();
    await until(() => swarms() === 2, 'the closed socket to leave its swarms');
    expect((await b.request(announce(hash(12), id20(2)))).interval).toBeGreaterThan(0);
  });

  it('refuses sockets beyond socketsPerIp with 429 E_IP_TOO_MANY_SOCKETS, and accepts again once one closes', async () => {
    h = await harness({ limits: { socketsPerIp: 3 } });
    const open = [await client(), await client(), await client()];
    const refused = await RawTrackerClient.open(wsUrl()).then(
      () => undefined,
      (err: { status?: number; body?: string }) => err,
    );
    expect(refused?.status).toBe(429);
    expect((JSON.parse(refused?.body ?? '{}') as { error?: { code?: string } }).error?.code).toBe('E_IP_TOO_MANY_SOCKETS');
    await open[0].close();
    await until(async () => {
      const again = await RawTrackerClient.open(wsUrl()).catch(() => undefined);
      if (again) clients.push(again);
      return again !== undefined;
    }, 'a socket slot to free up');
    expect((await fetch(`${h.server.url}/healthz`)).status).toBe(200);
  });
});

describe('empty swarms', () => {
  it('are dropped when their last peer stops, and when the sockets of all peers close', async () => {
    h = await harness();
    const a = await client();
    expect((await a.request(announce(hash(1), id20(1)))).interval).toBeGreaterThan(0);
    expect(swarms()).toBe(1);
    expect((await a.request(announce(hash(1), id20(1), { event: 'stopped', offers: undefined }))).interval).toBeGreaterThan(0);
    await until(() => swarms() === 0, 'the stopped swarm to be dropped');
    // A stopped announce for a swarm nobody is in leaves nothing behind either.
    expect((await a.request(announce(hash(2), id20(1), { event: 'stopped', offers: undefined }))).interval).toBeGreaterThan(0);
    await until(() => swarms() === 0, 'the empty swarm to be dropped');
    // A socket with several peer ids: closing it removes every one of them, not only the first.
    for (let i = 0; i < 3; i++) expect((await a.request(announce(hash(3), id20(10 + i)))).interval).toBeGreaterThan(0);
    expect(peers()).toBe(3);
    await a.close();
    await until(() => swarms() === 0 && peers() === 0, 'the closed socket to leave');
  });
});
