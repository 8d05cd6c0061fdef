import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { normaliseSettings, rtcConfiguration } from '../../src/swarm/governor.js';
import { OperatorIce } from '../../src/swarm/operator-ice.js';

const stun = { urls: ['stun:stun.example.org:3478'] };
const turn = (n: number) => ({ urls: ['turn:turn.example.org:3478?transport=udp'], username: `${n}:id`, credential: `cred-${n}` });

describe('rtcConfiguration with the operator\'s servers', () => {
  const operator = [stun, turn(1)];
  it('uses the operator\'s servers when the visitor named none', () => {
    expect(rtcConfiguration(normaliseSettings(undefined), operator)).toEqual({ iceServers: operator, iceTransportPolicy: 'all' });
    expect(rtcConfiguration(normaliseSettings(undefined))).toEqual({ iceServers: [], iceTransportPolicy: 'all' });
  });
  it('lets the visitor\'s own servers replace them', () => {
    const own = [{ urls: 'stun:mine.example' }];
    expect(rtcConfiguration(normaliseSettings({ iceServers: own }), operator).iceServers).toEqual(own);
  });
  it('relay only: the operator\'s TURN when the visitor named no TURN server, the visitor\'s own otherwise', () => {
    expect(rtcConfiguration(normaliseSettings({ relayOnly: true }), operator)).toEqual({ iceServers: operator, iceTransportPolicy: 'relay' });
    const ownStun = [{ urls: 'stun:mine.example' }];
    expect(rtcConfiguration(normaliseSettings({ relayOnly: true, iceServers: ownStun }), operator).iceServers).toEqual([...ownStun, turn(1)]);
    const ownTurn = [{ urls: ['turns:mine.example'], username: 'u', credential: 'p' }];
    expect(rtcConfiguration(normaliseSettings({ relayOnly: true, iceServers: ownTurn }), operator).iceServers).toEqual(ownTurn);
  });
});

/**
 * Waits until `fn` was called `n` times, letting the fake fetch's promises settle
 * (setImmediate is a real timer here; vi.waitFor would move the fake clock on).
 */
async function calls(fn: { mock: { calls: unknown[] } }, n: number): Promise<void> {
  for (let i = 0; i < 500 && fn.mock.calls.length < n; i++) await new Promise((resolve) => setImmediate(resolve));
  expect(fn.mock.calls.length).toBe(n);
}

describe('OperatorIce', () => {
  let now = 1_700_000_000_000;
  let answers: unknown[];
  let asked: string[];
  const fakeFetch = (async (url: string) => {
    asked.push(url);
    const next = answers.shift();
    if (next instanceof Error) throw next;
    if (typeof next === 'number') return new Response('{}', { status: next });
    return new Response(JSON.stringify(next), { status: 200 });
  }) as unknown as typeof fetch;

  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    answers = [];
    asked = [];
  });
  afterEach(() => vi.useRealTimers());

  function make(changed = vi.fn()) {
    return { ice: new OperatorIce({ server: 'http://site.p2p.localhost:8080', fetch: fakeFetch, changed, now: () => now, warn: () => {} }), changed };
  }

  it('asks nothing until peers are to be used, then asks once and hands out one configuration', async () => {
    answers.push({ iceServers: [stun, turn(1)], expiresAt: now + 3_600_000 });
    const { ice, changed } = make();
    expect(asked).toEqual([]);
    const settings = normaliseSettings(undefined);
    expect(ice.configFor(settings)).toBeUndefined();
    expect(ice.configFor(settings)).toBeUndefined();
    await calls(changed, 1);
    expect(asked).toEqual(['http://site.p2p.localhost:8080/api/ice']);
    const config = ice.configFor(settings)!;
    expect(config.iceServers).toEqual([stun, turn(1)]);
    expect(ice.configFor(normaliseSettings({ updatedAt: 5 }))).toBe(config);
    expect(ice.configFor(normaliseSettings({ relayOnly: true }))).not.toBe(config);
    ice.destroy();
  });

  it('refreshes the credentials in place before they expire', async () => {
    answers.push({ iceServers: [turn(1)], expiresAt: now + 3_600_000 }, { iceServers: [turn(2)], expiresAt: now + 7_200_000 });
    const { ice, changed } = make();
    const settings = normaliseSettings({ relayOnly: true });
    ice.configFor(settings);
    await calls(changed, 1);
    const config = ice.configFor(settings)!;
    expect(config.iceServers).toEqual([turn(1)]);
    // Four fifths into the hour: not before, then at once.
    vi.advanceTimersByTime(0.8 * 3_600_000 - 1);
    expect(asked.length).toBe(1);
    vi.advanceTimersByTime(1);
    await calls(changed, 2);
    expect(asked.length).toBe(2);
    // The very object WebTorrent holds now names the new credential.
    expect(config.iceServers).toEqual([turn(2)]);
    expect(config.iceTransportPolicy).toBe('relay');
    expect(ice.configFor(settings)).toBe(config);
    ice.destroy();
  });

  it('goes on without the operator\'s servers when the answer is missing or bad, and asks again later', async () => {
    answers.push(new Error('offline'), new Error('offline'), 503, { iceServers: [stun], expiresAt: null });
    const { ice, changed } = make();
    const settings = normaliseSettings(undefined);
    ice.configFor(settings);
    await calls(changed, 1);
    const config = ice.configFor(settings)!;
    expect(config.iceServers).toEqual([]);
    // Again after 5 s, 10 s, 20 s (doubling, up to a minute).
    for (const [wait, n] of [[5000, 2], [10_000, 3], [20_000, 4]]) {
      vi.advanceTimersByTime(wait - 1);
      expect(asked.length).toBe(n - 1);
      vi.advanceTimersByTime(1);
      await calls(changed, n);
    }
    expect(config.iceServers).toEqual([stun]);
    // No TURN, nothing expires: no more asking.
    vi.advanceTimersByTime(10 * 3_600_000);
    expect(asked.length).toBe(4);
    ice.destroy();
  });

  it('ignores an answer that is not valid, and an older server\'s 404', async () => {
    answers.push({ iceServers: [{ urls: ['http://evil.example'] }], expiresAt: null });
    const first = make();
    first.ice.configFor(normaliseSettings(undefined));
    await calls(first.changed, 1);
    expect(first.ice.configFor(normaliseSettings(undefined))!.iceServers).toEqual([]);
    first.ice.destroy();
    answers.push(404);
    const second = make();
    second.ice.configFor(normaliseSettings(undefined));
    await calls(second.changed, 1);
    expect(second.ice.configFor(normaliseSettings(undefined))!.iceServers).toEqual([]);
    vi.advanceTimersByTime(10 * 3_600_000);
    expect(asked.length).toBe(2);
    second.ice.destroy();
  });

  it('stops asking once destroyed', async () => {
    answers.push({ iceServers: [turn(1)], expiresAt: now + 3_600_000 });
    const { ice, changed } = make();
    ice.configFor(normaliseSettings(undefined));
    await calls(changed, 1);
    ice.destroy();
    vi.advanceTimersByTime(10 * 3_600_000);
    expect(asked.length).toBe(1);
  });
});
