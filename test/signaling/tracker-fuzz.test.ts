import { afterEach, describe, expect, it } from 'vitest';
import { parseTrackerMessage } from '../../signaling/tracker-message.js';
import { harness, type Harness } from './helpers.js';
import { announce, codeOf, id20, RawTrackerClient, until, type TrackerReply } from './tracker-client.js';

/**
 * Seeded fuzz of the tracker over real WebSocket connections: every message type with
 * every JSON type in every field bittorrent-tracker reads (and a few it overwrites), then
 * random mixes of several such fields. After each batch the server must still answer
 * /healthz and a well-formed announce; at the end every swarm must be gone.
 */

let h: Harness | undefined;
const clients: RawTrackerClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.terminate();
  await h?.close();
  h = undefined;
});

/** JSON text that JSON.stringify cannot produce (1e400, a `__proto__` key). */
class Raw {
  constructor(readonly text: string) {}
}
type Value = null | boolean | number | string | Raw | Value[] | { [key: string]: Value };

function toJson(v: Value): string {
  if (v instanceof Raw) return v.text;
  if (Array.isArray(v)) return `[${v.map(toJson).join(',')}]`;
  if (v !== null && typeof v === 'object') return `{${Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}:${toJson(x)}`).join(',')}}`;
  return JSON.stringify(v);
}

/** mulberry32: small, seeded, the same sequence on every run. */
function prng(seed: number): (n: number) => number {
  let a = seed >>> 0;
  return (n) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}

const SWARM = id20(1, '-IH-');
const LISTENER = id20(1, '-LI-');
const FUZZER = id20(2, '-FZ-');
const sdp = 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n';
const offer = (n: number): Value => ({ offer: { type: 'offer', sdp }, offer_id: id20(n, '-OF-') });

let deep: Value = 1;
for (let i = 0; i < 64; i++) deep = { d: deep };

/** Every JSON type: null, booleans, numbers (huge, negative, fractional), strings of odd lengths, arrays, nested objects. */
const POOL: Value[] = [
  null, true, false,
  0, -0, 1, -1, 5, 1.5, -1.5, 2 ** 53, -(2 ** 53), 1e21, 1e308, -1e308, new Raw('1e400'), new Raw('-1e400'), new Raw('123456789012345678901234567890'), new Raw('1E-400'),
  '', 'a', 'x'.repeat(19), id20(3), 'x'.repeat(21), 'Ā'.repeat(20), '\u0000'.repeat(20), '\ud800'.repeat(20), '\u00ff'.repeat(20), 'x'.repeat(5000),
  LISTENER, FUZZER, SWARM, 'started', 'stopped', 'completed', 'update', 'offer', 'answer', 'announce', 'scrape', '__proto__', 'constructor',
  [], [null], [SWARM], [SWARM, id20(4, '-IH-')], Array.from({ length: 100 }, () => SWARM), [[[]]], [{}], [offer(1)], [offer(1), offer(2)], Array.from({ length: 11 }, (_, i) => offer(i)),
  {}, { a: 1 }, { type: 'offer', sdp }, { type: 'answer', sdp }, { type: 'answer', sdp: 5 }, { type: 'offer' }, { length: 20 }, deep,
  new Raw('{"__proto__":{"polluted":true}}'), { toString: 'x', valueOf: 1 }, { constructor: { prototype: { polluted: true } } },
];

/** The messages a browser sends, one of each kind, plus one no tracker speaks. */
const TEMPLATES: Record<string, Value> = {
  started: { action: 'announce', info_hash: SWARM, peer_id: FUZZER, numwant: 2, uploaded: 0, downloaded: 0, left: 100, event: 'started', offers: [offer(1), offer(2)] },
  update: { action: 'announce', info_hash: SWARM, peer_id: FUZZER, numwant: 1, uploaded: 10, downloaded: 20, left: 0, offers: [offer(3)] },
  stopped: { action: 'announce', info_hash: SWARM, peer_id: FUZZER, numwant: 5, uploaded: 0, downloaded: 0, left: 0, event: 'stopped' },
  completed: { action: 'announce', info_hash: SWARM, peer_id: FUZZER, numwant: 5, uploaded: 0, downloaded: 100, left: 0, event: 'completed' },
  answer: { action: 'announce', info_hash: SWARM, peer_id: FUZZER, to_peer_id: LISTENER, offer_id: id20(9, '-OF-'), answer: { type: 'answer', sdp } },
  scrape: { action: 'scrape', info_hash: SWARM },
  scrapeMany: { action: 'scrape', info_hash: [SWARM, id20(5, '-IH-')] },
  unknown: { action: 'connect', info_hash: SWARM, peer_id: FUZZER },
};

/** Fields bittorrent-tracker's server reads, and some its parser overwrites (type, socket, ip, compact). */
const PATHS: (string | number)[][] = [
  ['action'], ['info_hash'], ['peer_id'], ['numwant'], ['uploaded'], ['downloaded'], ['left'], ['event'],
  ['offers'], ['offers', 0], ['offers', 0, 'offer'], ['offers', 0, 'offer', 'type'], ['offers', 0, 'offer', 'sdp'], ['offers', 0, 'offer_id'], ['offers', 0, 'extra'],
  ['answer'], ['answer', 'type'], ['answer', 'sdp'], ['to_peer_id'], ['offer_id'],
  ['trackerid'], ['type'], ['socket'], ['ip'], ['compact'],
];

function clone(v: Value): Value {
  if (v instanceof Raw || v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(clone);
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, clone(x)]));
}

/** A copy of `template` with `value` at `path`, or undefined when the path's parent is missing. */
function mutate(template: Value, path: (string | number)[], value: Value): Value | undefined {
  const copy = clone(template);
  let parent = copy as Record<string | number, Value>;
  for (const key of path.slice(0, -1)) {
    const next = parent[key];
    if (next === null || typeof next !== 'object' || next instanceof Raw) return undefined;
    parent = next as Record<string | number, Value>;
  }
  parent[path[path.length - 1]] = value;
  return copy;
}

function messages(): string[] {
  const out: string[] = [];
  // Every type in every field of every message kind.
  for (const template of Object.values(TEMPLATES)) {
    for (const path of PATHS) {
      for (const value of POOL) {
        const m = mutate(template, path, value);
        if (m !== undefined) out.push(toJson(m));
      }
    }
  }
  // Then several fields at once, chosen by a seeded generator.
  const rand = prng(20_260_101);
  const kinds = Object.values(TEMPLATES);
  for (let i = 0; i < 2000; i++) {
    let m: Value | undefined = kinds[rand(kinds.length)];
    for (let k = 0, n = 2 + rand(3); k < n; k++) m = mutate(m!, PATHS[rand(PATHS.length)], POOL[rand(POOL.length)]) ?? m;
    out.push(toJson(m!));
  }
  // Whole messages that are not objects at all.
  for (const value of POOL) out.push(toJson(value));
  out.push('', 'not json', '{', '{"action":"announce"', '[]]', '\u0000', 'null null');
  return out;
}

const OUR_CODES = new Set(['E_BAD_MESSAGE', 'E_DENIED', 'E_PEER_ID_TAKEN', 'E_TOO_MANY_PEER_IDS', 'E_TOO_MANY_SWARMS', 'E_IP_TOO_MANY_SWARMS']);
/** Warnings bittorrent-tracker gives for well-formed messages (an answer to a peer that left). */
const BENIGN_LIBRARY_WARNINGS = new Set(['no swarm with that `info_hash`', 'no peer with that `to_peer_id`']);
const BATCH = 500;

describe('tracker fuzz', () => {
  it('answers every message type with every JSON type in every field, seeded; the server keeps serving and ends with no swarms', async () => {
    const started = Date.now();
    const logs: string[] = [];
    h = await harness({ log: (line) => logs.push(line) });
    const url = `${h.server.url.replace('http', 'ws')}/announce`;
    const open = async () => {
      const c = await RawTrackerClient.open(url);
      clients.push(c);
      return c;
    };
    // A listener in the swarm, so valid offers and answers are relayed (the paths that used to throw).
    const listener = await open();
    expect((await listener.request(announce(SWARM, LISTENER))).interval).toBeGreaterThan(0);
    const fuzzers = [await open(), await open(), await open()];

    const all = messages();
    let expectedBad = 0;
    for (const text of all) {
      try {
        parseTrackerMessage(text);
      } catch {
        expectedBad++;
      }
    }
    expect(all.length).toBeGreaterThan(10_000);

    for (let b = 0; b * BATCH < all.length; b++) {
      const f = b % fuzzers.length;
      const fuzzer = fuzzers[f];
      // Each socket speaks as a peer of its own (FUZZER is ASCII, so this is a plain text swap).
      for (const text of all.slice(b * BATCH, (b + 1) * BATCH)) fuzzer.send(f === 0 ? text : text.replaceAll(FUZZER, id20(2 + f, '-FZ-')));
      // A scrape of a swarm of its own after the batch: its answer means the batch was handled.
      const sentinel = id20(b, '-SENTINEL-');
      const done = fuzzer.next((m) => m.action === 'scrape' && typeof m.files === 'object' && m.files !== null && sentinel in m.files, 10_000);
      fuzzer.send({ action: 'scrape', info_hash: sentinel });
      await done;
      // Still serving: HTTP, and a well-formed announce from a new socket.
      expect((await fetch(`${h.server.url}/healthz`)).status).toBe(200);
      const probe = await open();
      const reply = await probe.request(announce(id20(b, '-PROBE-IH-'), id20(b, '-PROBE-')));
      expect(reply['failure reason']).toBeUndefined();
      expect(reply.interval).toBeGreaterThan(0);
      probe.terminate();
    }

    const replies: TrackerReply[] = fuzzers.flatMap((f) => f.messages);
    const failures = replies.filter((m) => m['failure reason'] !== undefined);
    // Every refusal is ours (the library's own parser never saw junk), with a known code.
    // Well-formed messages got through to the library (so its paths were exercised too).
    expect(replies.filter((m) => m.interval !== undefined).length).toBeGreaterThan(1000);
    expect(replies.filter((m) => m.action === 'scrape' && m.files !== undefined).length).toBeGreaterThan(100);
    const unknown = failures.filter((m) => !OUR_CODES.has(codeOf(m) ?? ''));
    expect(unknown.slice(0, 3)).toEqual([]);
    expect(failures.filter((m) => codeOf(m) === 'E_BAD_MESSAGE')).toHaveLength(expectedBad);
    // The listener was only ever relayed well-formed offers and answers.
    const relayed = listener.messages.filter((m) => m.offer !== undefined || m.answer !== undefined);
    expect(relayed.length).toBeGreaterThan(0);
    for (const m of relayed) {
      const description = (m.offer ?? m.answer) as Record<string, unknown>;
      expect(Object.keys(description).sort()).toEqual(['sdp', 'type']);
      expect(typeof description.sdp).toBe('string');
      expect(m.offer_id).toMatch(/^[\u0000-\u00ff]{20}$/);
      expect(m.peer_id).toMatch(/^[\u0000-\u00ff]{20}$/);
    }
    const records = logs.map((l) => JSON.parse(l) as { level: string; event: string; message?: string });
    expect(records.filter((r) => r.level === 'error')).toEqual([]);
    expect(records.filter((r) => r.event === 'tracker_warning' && !BENIGN_LIBRARY_WARNINGS.has(r.message ?? ''))).toEqual([]);

    for (const c of clients.splice(0)) c.terminate();
    await until(() => h!.server.metrics.swarms() === 0 && h!.server.metrics.peers() === 0, 'every swarm to be dropped');
    expect(Date.now() - started).toBeLessThan(20_000);
  }, 20_000);
});
