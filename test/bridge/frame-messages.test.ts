import { describe, expect, it } from 'vitest';
import {
  HUB_PATH,
  LOADER_HUB_PATH,
  MANAGE_PATH,
  parseEngineBeat,
  parseHubHello,
  parseHubMessage,
  parseManageCommand,
  parseManageReply,
  parsePageMessage,
  parseSettingsChannelMessage,
  parseSiteActionsMessage,
  parseVisitsChannelMessage,
} from '../../src/bridge/frame-messages.js';
import { engineName, partyOf } from '../../src/bridge/frame-origins.js';
import { normaliseSettings } from '../../src/swarm/governor.js';

const A = 'a'.repeat(52);
const Q = `${'a'.repeat(51)}q`;
const NOW = 1_764_000_000_000;
const summary = { address: A, seq: 3, title: 'Site', size: 1200, pinned: true, lastVisit: 5, downloaded: 10, uploaded: 20, peers: 2, seeding: true, session: 's1', at: 9, open: true };
const settings = normaliseSettings({ sharing: 'origin-only', updatedAt: NOW - 1000 });

/** Every JSON type and a few hostile shapes, for any field. */
const JUNK: unknown[] = [undefined, null, true, false, 0, -1, 1.5, NaN, Infinity, '', 'x', 'ready', [], [1], {}, { type: 'ready' }, { toString: 1 }, Object.create(null)];

/** A seeded pseudo-random generator (mulberry32), so a failing case can be replayed. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

describe('where the frames live', () => {
  it('the hub and the manage page keep the paths the server, the CSP check and host pages know', () => {
    expect([HUB_PATH, LOADER_HUB_PATH, MANAGE_PATH]).toEqual(['/__p2p/settings.html', '/__p2p/loader-frame.html', '/__p2p/manage.html']);
  });
});

describe('page -> hub', () => {
  it('takes a hello only with version 1 and exactly one port', () => {
    const { port1, port2 } = new MessageChannel();
    expect(parseHubHello({ type: 'p2p-hub-hello', v: 1 }, [port1])).toBe(port1);
    expect(parseHubHello({ type: 'p2p-hub-hello', v: 2 }, [port1])).toBeUndefined();
    expect(parseHubHello({ type: 'p2p-hub-hello', v: 1 }, [])).toBeUndefined();
    expect(parseHubHello({ type: 'p2p-hub-hello', v: 1 }, [port1, port2])).toBeUndefined();
    for (const junk of JUNK) expect(parseHubHello(junk, [port1])).toBeUndefined();
    port1.close();
    port2.close();
  });

  it('copies a heartbeat with only its own fields, a start time no later than now, and gone as a boolean', () => {
    expect(parsePageMessage({ type: 'heartbeat', seeding: true, since: NOW + 5000, gone: 'yes', address: 'someone-else' }, A, NOW)).toEqual({ type: 'heartbeat', seeding: true, since: NOW, gone: false });
    expect(parsePageMessage({ type: 'heartbeat', seeding: false, since: 7, gone: true }, undefined, NOW)).toEqual({ type: 'heartbeat', seeding: false, since: 7, gone: true });
    for (const bad of [{ seeding: 'true', since: 1 }, { seeding: true, since: -1 }, { seeding: true, since: NaN }, { seeding: true }]) {
      expect(parsePageMessage({ type: 'heartbeat', ...bad }, A, NOW)).toBeUndefined();
    }
  });

  it('takes a visit summary only from a site page, and only about its own site', () => {
    expect(parsePageMessage({ type: 'visit', summary }, A)).toEqual({ type: 'visit', summary });
    expect(parsePageMessage({ type: 'visit', summary }, Q), 'about another site').toBeUndefined();
    expect(parsePageMessage({ type: 'visit', summary }, undefined), 'from a host page').toBeUndefined();
    expect(parsePageMessage({ type: 'visit', summary: { ...summary, size: -1 } }, A)).toBeUndefined();
  });
});

describe('hub -> page', () => {
  it('takes the bare messages by their type alone, dropping anything beside it', () => {
    for (const type of ['ready', 'settings-none', 'settings-unavailable', 'visit-query'] as const) expect(parseHubMessage({ type, extra: 1 })).toEqual({ type });
  });

  it('takes settings only when complete, in range and not dated ahead of the clock', () => {
    expect(parseHubMessage({ type: 'settings', settings, fromStorage: 1 }, NOW)).toEqual({ type: 'settings', settings, fromStorage: false });
    expect(parseHubMessage({ type: 'settings', settings, fromStorage: true }, NOW)).toMatchObject({ fromStorage: true });
    expect(parseHubMessage({ type: 'settings', settings: { ...settings, updatedAt: NOW + 3_600_000 } }, NOW), 'dated an hour ahead').toBeUndefined();
    expect(parseHubMessage({ type: 'settings', settings: { ...settings, uploadLimit: -5 } }, NOW)).toBeUndefined();
    expect(parseHubMessage({ type: 'settings', settings: 'origin-only' }, NOW)).toBeUndefined();
  });

  it('takes engine counts as whole numbers, at least one engine and rank zero', () => {
    expect(parseHubMessage({ type: 'engines', active: 0, rank: -3 })).toEqual({ type: 'engines', active: 1, rank: 0 });
    expect(parseHubMessage({ type: 'engines', active: 1.5, rank: 0 })).toBeUndefined();
    expect(parseHubMessage({ type: 'engines', active: '2', rank: 0 })).toBeUndefined();
  });
});

describe('app-origin channels', () => {
  it('settings: a query, or settings that pass the same checks as on the port', () => {
    expect(parseSettingsChannelMessage({ type: 'query', settings })).toEqual({ type: 'query' });
    expect(parseSettingsChannelMessage({ type: 'settings', settings }, NOW)).toEqual({ type: 'settings', settings });
    expect(parseSettingsChannelMessage({ type: 'settings', settings: { ...settings, maxConnections: -1 } }, NOW)).toBeUndefined();
  });

  it('engines: a heartbeat named by a hub, with a bounded name', () => {
    expect(parseEngineBeat({ type: 'p2p-heartbeat', address: `loader:http://host.example`, seeding: true, since: 1 }, NOW)).toEqual({ type: 'p2p-heartbeat', address: 'loader:http://host.example', seeding: true, since: 1, gone: false });
    expect(parseEngineBeat({ type: 'p2p-heartbeat', address: 'x'.repeat(301), seeding: true, since: 1 }, NOW)).toBeUndefined();
    expect(parseEngineBeat({ type: 'heartbeat', address: A, seeding: true, since: 1 }, NOW)).toBeUndefined();
  });

  it('visits: a query, or a well-formed summary about any site', () => {
    expect(parseVisitsChannelMessage({ type: 'query' })).toEqual({ type: 'query' });
    expect(parseVisitsChannelMessage({ type: 'visit', summary: { ...summary, address: Q } })).toEqual({ type: 'visit', summary: { ...summary, address: Q } });
    expect(parseVisitsChannelMessage({ type: 'visit', summary: { ...summary, address: 'b'.repeat(52) } }), 'not an address: its last character has unused bits set').toBeUndefined();
  });
});

describe('app <-> a site manage page', () => {
  it('takes a command with a known action only', () => {
    expect(parseManageCommand({ type: 'p2p-manage', action: 'evict' })).toEqual({ type: 'p2p-manage', action: 'evict' });
    expect(parseManageCommand({ type: 'p2p-manage', action: 'delete-everything' })).toBeUndefined();
  });

  it('takes replies about the site asked only, trimming the reason and dropping a summary or usage it cannot trust', () => {
    expect(parseManageReply({ type: 'p2p-manage-ready', address: A }, A)).toEqual({ type: 'p2p-manage-ready', address: A });
    expect(parseManageReply({ type: 'p2p-manage-ready', address: Q }, A)).toBeUndefined();
    const done = parseManageReply({ type: 'p2p-manage-done', address: A, action: 'pin', ok: false, reason: 'E_OPEN'.padEnd(100, '!'), summary: { ...summary, address: Q }, usage: -1 }, A);
    expect(done).toEqual({ type: 'p2p-manage-done', address: A, action: 'pin', ok: false, reason: 'E_OPEN'.padEnd(40, '!'), summary: undefined, usage: undefined });
    expect(parseManageReply({ type: 'p2p-manage-done', address: A, action: 'pin', ok: 'true' }, A)).toBeUndefined();
  });

  it('takes a site action on its own origin only for pin, unpin and remove', () => {
    expect(parseSiteActionsMessage({ action: 'remove' })).toEqual({ action: 'remove' });
    expect(parseSiteActionsMessage({ action: 'evict' })).toBeUndefined();
  });
});

describe('every parser on hostile input', () => {
  const parsers: [string, (data: unknown) => unknown][] = [
    ['hello', (d) => parseHubHello(d, [])],
    ['page (site)', (d) => parsePageMessage(d, A, NOW)],
    ['page (host)', (d) => parsePageMessage(d, undefined, NOW)],
    ['hub', (d) => parseHubMessage(d, NOW)],
    ['settings channel', (d) => parseSettingsChannelMessage(d, NOW)],
    ['engines channel', (d) => parseEngineBeat(d, NOW)],
    ['visits channel', (d) => parseVisitsChannelMessage(d)],
    ['manage command', (d) => parseManageCommand(d)],
    ['manage reply', (d) => parseManageReply(d, A)],
    ['site actions', (d) => parseSiteActionsMessage(d)],
  ];
  const TYPES = ['p2p-hub-hello', 'heartbeat', 'visit', 'ready', 'settings', 'settings-none', 'engines', 'query', 'p2p-heartbeat', 'p2p-manage', 'p2p-manage-ready', 'p2p-manage-done'];
  const FIELDS = ['v', 'seeding', 'since', 'gone', 'summary', 'settings', 'fromStorage', 'active', 'rank', 'address', 'action', 'ok', 'reason', 'usage'];

  it('never throws, and answers undefined for anything that is not an object with a known type (4,000 seeded cases)', () => {
    const next = random(16);
    const pick = <T>(list: readonly T[]) => list[Math.floor(next() * list.length)];
    for (const [name, parse] of parsers) {
      for (const junk of JUNK) {
        const readyToHub = name === 'hub' && JSON.stringify(junk) === '{"type":"ready"}';
        expect(parse(junk), `${name} on ${JSON.stringify(junk) ?? typeof junk}`).toEqual(readyToHub ? { type: 'ready' } : undefined);
      }
    }
    for (let i = 0; i < 4000; i++) {
      const message: Record<string, unknown> = { type: pick(TYPES) };
      for (const field of FIELDS) if (next() < 0.5) message[field] = pick([...JUNK, A, settings, summary, NOW, 'pin', 'E_OPEN']);
      for (const [name, parse] of parsers) {
        let result: unknown;
        expect(() => (result = parse(message)), `${name} on ${JSON.stringify(message)}`).not.toThrow();
        if (result !== undefined) expect(typeof result).toBe('object');
      }
    }
  });
});

describe('who may speak to the hub', () => {
  const app = { protocol: 'http:', host: 'p2p.localhost:8080', origin: 'http://p2p.localhost:8080' };

  it('a page of a site under this app is that site; any other page is a host, named once per origin', () => {
    expect(partyOf(`http://${A}.p2p.localhost:8080`, app)).toEqual({ kind: 'site', origin: `http://${A}.p2p.localhost:8080`, address: A });
    for (const origin of [`http://${A}.p2p.localhost:9090`, `https://${A}.p2p.localhost:8080`, `http://${A}.evil.example`, 'http://127.0.0.1:3000', `http://x.${A}.p2p.localhost:8080`]) {
      expect(partyOf(origin, app), origin).toEqual({ kind: 'host', origin });
    }
    expect(engineName(partyOf('http://127.0.0.1:3000', app)!)).toBe('loader:http://127.0.0.1:3000');
    expect(engineName(partyOf(`http://${A}.p2p.localhost:8080`, app)!)).toBe(A);
  });

  it('an opaque origin (a sandboxed page) or the app itself is no party', () => {
    expect(partyOf('null', app)).toBeUndefined();
    expect(partyOf('', app)).toBeUndefined();
    expect(partyOf(app.origin, app)).toBeUndefined();
  });
});
