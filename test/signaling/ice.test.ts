import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { iceConfigFromFlags } from '../../signaling/ice-flags.js';
import { IceConfigError, iceAnswer, parseIceServerUrl, parseOperatorIce, splitIceServerList, turnCredential } from '../../signaling/ice-servers.js';
import { parseIceAnswer } from '../../src/core/ice-answer.js';
import { harness, type Harness } from './helpers.js';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(IceConfigError);
    return (err as IceConfigError).code;
  }
  return undefined;
}

describe('TURN REST credentials (coturn use-auth-secret)', () => {
  it('matches HMAC-SHA1 vectors computed with openssl', () => {
    // printf '%s' '1700003600:test-id' | openssl dgst -sha1 -hmac 'coturn-shared-secret' -binary | base64
    expect(turnCredential('coturn-shared-secret', 1_700_003_600, 'test-id')).toEqual({ username: '1700003600:test-id', credential: 'tJse5qtafLbPy1vHFUut6ilU+9w=' });
    // printf '%s' '1433895918506:my_username' | openssl dgst -sha1 -hmac 'my_secret' -binary | base64
    expect(turnCredential('my_secret', 1_433_895_918_506, 'my_username').credential).toBe('gKwSWE2uKuZnhCArog06lwc23/A=');
  });

  it('names the expiry in the username, in seconds, TTL after now, and never the secret', () => {
    const config = parseOperatorIce({ urls: ['stun:stun.example.org:3478', 'turn:turn.example.org:3478?transport=udp'], turnSecret: 'coturn-shared-secret', ttlSeconds: 3600 });
    const answer = iceAnswer(config, 1_700_000_000_000, 'test-id');
    expect(answer).toEqual({
      iceServers: [
        { urls: ['stun:stun.example.org:3478'] },
        { urls: ['turn:turn.example.org:3478?transport=udp'], username: '1700003600:test-id', credential: 'tJse5qtafLbPy1vHFUut6ilU+9w=' },
      ],
      expiresAt: 1_700_003_600_000,
    });
    expect(JSON.stringify(answer)).not.toContain('coturn-shared-secret');
    // What the server writes, the browser accepts.
    expect(parseIceAnswer(answer, 1_700_000_000_000)).toEqual(answer);
  });

  it('gives each answer an id of its own', () => {
    const config = parseOperatorIce({ urls: ['turn:127.0.0.1:3478'], turnSecret: 's' });
    const a = iceAnswer(config).iceServers[0].username;
    const b = iceAnswer(config).iceServers[0].username;
    expect(a).not.toBe(b);
    expect(a).toMatch(/^\d{10}:[A-Za-z0-9_-]{12}$/);
  });

  it('answers an empty list when the operator names nothing', () => {
    expect(iceAnswer(parseOperatorIce({ urls: [] }))).toEqual({ iceServers: [], expiresAt: null });
  });
});

describe('--ice-server values', () => {
  it('accepts STUN and TURN URLs as RFC 7064 and 7065 spell them', () => {
    expect(parseIceServerUrl('stun:stun.example.org:3478')).toBe('stun:stun.example.org:3478');
    expect(parseIceServerUrl(' STUN:Stun.Example.org ')).toBe('stun:stun.example.org');
    expect(parseIceServerUrl('turn:turn.example.org:3478?transport=udp')).toBe('turn:turn.example.org:3478?transport=udp');
    expect(parseIceServerUrl('turns:turn.example.org:5349?transport=TCP')).toBe('turns:turn.example.org:5349?transport=tcp');
    expect(parseIceServerUrl('turn:127.0.0.1:3478')).toBe('turn:127.0.0.1:3478');
    expect(parseIceServerUrl('stun:[2001:db8::1]:3478')).toBe('stun:[2001:db8::1]:3478');
  });

  it.each([
    ['http://stun.example.org', /unknown scheme/],
    ['stun.example.org:3478', /unknown scheme/],
    ['stun://stun.example.org', /no "\/\/"/],
    ['turn:user:pass@turn.example.org', /no user name or password/],
    ['stun:stun.example.org?transport=udp', /STUN URL takes no query/],
    ['turn:turn.example.org?transport=sctp', /transport=udp or transport=tcp/],
    ['turn:turn.example.org:70000', /out of range/],
    ['turn:turn.example.org:0', /out of range/],
    ['turn:', /host is missing/],
    ['stun:bad_host!:3478', /not a host name/],
    ['stun:999.1.1.1', /not a host name/],
    ['turn:host:34x', /not a host name|host is missing/],
  ])('refuses %s with E_ICE_URL and says what is expected', (value, why) => {
    try {
      parseIceServerUrl(value);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(IceConfigError);
      expect((err as IceConfigError).code).toBe('E_ICE_URL');
      expect((err as Error).message).toMatch(why);
      expect((err as Error).message).toContain('expected stun:HOST[:PORT]');
    }
  });

  it('needs a secret for TURN, TURN for a secret, and a sane lifetime', () => {
    expect(codeOf(() => parseOperatorIce({ urls: ['turn:turn.example.org'] }))).toBe('E_TURN_SECRET');
    expect(codeOf(() => parseOperatorIce({ urls: ['stun:stun.example.org'], turnSecret: 's' }))).toBe('E_TURN_SECRET');
    expect(codeOf(() => parseOperatorIce({ urls: ['turn:turn.example.org'], turnSecret: '  ' }))).toBe('E_TURN_SECRET');
    expect(codeOf(() => parseOperatorIce({ urls: ['turn:turn.example.org'], turnSecret: 's', ttlSeconds: 10 }))).toBe('E_TURN_TTL');
    expect(codeOf(() => parseOperatorIce({ urls: ['stun:a.example', 'stun:a.example'] }))).toBeUndefined();
    expect(parseOperatorIce({ urls: ['stun:a.example', 'STUN:a.example'] }).stun).toEqual(['stun:a.example']);
  });

  it('reads flags before the environment, and the secret from a file', async () => {
    expect(splitIceServerList(' stun:a.example , ,turn:b.example ')).toEqual(['stun:a.example', 'turn:b.example']);
    const env = { P2P_ICE_SERVERS: 'stun:env.example,turn:env.example:3478', P2P_TURN_SECRET: 'from-env' };
    expect(iceConfigFromFlags({}, env)).toMatchObject({ stun: ['stun:env.example'], turn: ['turn:env.example:3478'], turnSecret: 'from-env', ttlSeconds: 3600 });
    expect(iceConfigFromFlags({ 'ice-server': ['stun:flag.example'] }, { P2P_ICE_SERVERS: env.P2P_ICE_SERVERS })).toMatchObject({ stun: ['stun:flag.example'], turn: [] });
    const dir = await mkdtemp(join(tmpdir(), 'p2p-ice-'));
    try {
      await writeFile(join(dir, 'secret'), 'from-file\n');
      expect(iceConfigFromFlags({ 'ice-server': ['turn:t.example'], 'turn-secret-file': join(dir, 'secret'), 'turn-ttl': '600' }, {})).toMatchObject({ turnSecret: 'from-file', ttlSeconds: 600 });
      expect(codeOf(() => iceConfigFromFlags({ 'ice-server': ['turn:t.example'], 'turn-secret-file': join(dir, 'missing') }, {}))).toBe('E_TURN_SECRET');
      expect(codeOf(() => iceConfigFromFlags({ 'ice-server': ['turn:t.example'], 'turn-secret': 'a', 'turn-secret-file': join(dir, 'secret') }, {}))).toBe('E_TURN_SECRET');
      expect(codeOf(() => iceConfigFromFlags({ 'ice-server': ['turn:t.example'], 'turn-secret': 'a', 'turn-ttl': '1h' }, {}))).toBe('E_TURN_TTL');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('GET /api/ice', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  const site = 'a'.repeat(52);

  it('hands out the operator list with fresh credentials on the app and site origins, never cached, never to other origins', async () => {
    h = await harness({ ice: parseOperatorIce({ urls: ['stun:127.0.0.1:3478', 'turn:127.0.0.1:3478?transport=udp'], turnSecret: 'shh', ttlSeconds: 600 }) });
    for (const host of [`p2p.localhost:${h.server.port}`, `${site}.p2p.localhost:${h.server.port}`]) {
      const before = Date.now();
      const res = await fetch(`${h.server.url}/api/ice`, { headers: { Host: host } });
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('no-store');
      // Not readable from other websites (the embed loader runs there).
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
      const body = (await res.json()) as { iceServers: { urls: string[]; username?: string; credential?: string }[]; expiresAt: number };
      expect(parseIceAnswer(body)).toEqual(body);
      expect(body.iceServers[0]).toEqual({ urls: ['stun:127.0.0.1:3478'] });
      const turn = body.iceServers[1];
      const [expiry, id] = turn.username!.split(':');
      expect(Number(expiry) * 1000).toBe(body.expiresAt);
      expect(body.expiresAt).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + 600_000);
      expect(body.expiresAt).toBeLessThanOrEqual(Date.now() + 601_000);
      expect(turn.credential).toBe(turnCredential('shh', Number(expiry), id).credential);
      expect(JSON.stringify(body)).not.toContain('shh');
    }
  });

  it('answers an empty list by default and refuses anything but GET', async () => {
    h = await harness();
    const res = await fetch(`${h.server.url}/api/ice`);
    expect(await res.json()).toEqual({ iceServers: [], expiresAt: null });
    const put = await fetch(`${h.server.url}/api/ice`, { method: 'POST', body: '{}' });
    expect(put.status).toBe(405);
    expect(((await put.json()) as { error: { code: string } }).error.code).toBe('E_METHOD');
    expect((await fetch(`${h.server.url}/api/ice/x`)).status).toBe(404);
  });
});

describe('the answer as a page checks it', () => {
  const now = 1_700_000_000_000;
  const turn = { urls: ['turn:t.example:3478'], username: '1700003600:x', credential: 'c' };
  it('accepts the shape the server writes', () => {
    expect(parseIceAnswer({ iceServers: [{ urls: ['stun:s.example'] }, turn], expiresAt: now + 3_600_000 }, now)).toBeDefined();
    expect(parseIceAnswer({ iceServers: [], expiresAt: null }, now)).toEqual({ iceServers: [], expiresAt: null });
  });
  it.each([
    ['not an object', 'x'],
    ['no list', { expiresAt: null }],
    ['another scheme', { iceServers: [{ urls: ['http://evil.example'] }], expiresAt: null }],
    ['urls as a string', { iceServers: [{ urls: 'stun:s.example' }], expiresAt: null }],
    ['TURN without a credential', { iceServers: [{ urls: ['turn:t.example'] }], expiresAt: now + 1000 }],
    ['a credential on STUN', { iceServers: [{ urls: ['stun:s.example'], username: 'u', credential: 'c' }], expiresAt: null }],
    ['TURN already expired', { iceServers: [turn], expiresAt: now - 1 }],
    ['TURN with no expiry', { iceServers: [turn], expiresAt: null }],
    ['a huge list', { iceServers: Array.from({ length: 17 }, () => ({ urls: ['stun:s.example'] })), expiresAt: null }],
    ['a bad date', { iceServers: [], expiresAt: 'soon' }],
  ])('refuses %s', (_, input) => {
    expect(parseIceAnswer(input, now)).toBeUndefined();
  });
});
