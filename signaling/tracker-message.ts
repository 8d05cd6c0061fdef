/**
 * Checks a tracker WebSocket message before bittorrent-tracker's server sees it. The
 * library trusts what it reads: a scrape whose `info_hash` is an object or a number
 * throws inside its handler and takes the process down, `offers: [null]` into a swarm
 * with peers does the same, a 20-character id outside latin1 is cut to bytes and aliases
 * another id, a scrape without `info_hash` lists every swarm, and `offer`/`answer` are
 * relayed to other peers as they came. So every field it reads must have the shape a
 * browser's WebTorrent client (bittorrent-tracker's `lib/client/websocket-tracker.js`)
 * sends; anything else is refused here with a reason. Fields the library never reads
 * (`trackerid`, whatever an app's `getAnnounceOpts` adds) are left alone.
 */
import { badMessage } from './tracker-errors.js';

/** The `event` values a WebTorrent client sends; none means a regular update. */
export type AnnounceEvent = 'started' | 'stopped' | 'completed' | 'update';

export interface AnnounceMessage {
  action: 'announce';
  /** 20 bytes as a latin1 string, as on the wire. */
  infoHash: string;
  /** 20 bytes as a latin1 string, as on the wire. */
  peerId: string;
  event: AnnounceEvent | undefined;
}

export interface ScrapeMessage {
  action: 'scrape';
  /** 20 bytes each, as latin1 strings; at least one. */
  infoHashes: string[];
}

export type TrackerMessage = AnnounceMessage | ScrapeMessage;

/**
 * Offers in one announce. bittorrent-tracker's client makes at most 5 per announce
 * (`Math.min(opts.numwant, 5)`); the server relays one per peer it picks, so this also
 * bounds how many messages one announce fans out to.
 */
export const MAX_OFFERS = 10;
/** Info hashes in one scrape. Browsers scrape one torrent at a time. */
export const MAX_SCRAPE_HASHES = 64;

const EVENTS: readonly string[] = ['started', 'stopped', 'completed', 'update'];

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const hasOnlyKeys = (v: Record<string, unknown>, keys: readonly string[]) => Object.keys(v).every((k) => keys.includes(k));

/** Ids on the wire are 20 bytes as a latin1 string (BEP 3 peer ids, info hashes, offer ids). */
const LATIN1_ID = /^[\u0000-\u00ff]{20}$/;
const isId = (v: unknown): v is string => typeof v === 'string' && LATIN1_ID.test(v);

/** What arrived, in a few words, for an error message. */
function got(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (typeof v === 'string') return `a string of ${v.length} characters`;
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${String(v).slice(0, 24)}`;
}

function id(message: Record<string, unknown>, field: string): string {
  const v = message[field];
  if (!isId(v)) throw badMessage(`"${field}" must be 20 bytes as a latin1 string (characters U+0000-U+00FF), got ${got(v)}`);
  return v;
}

/** `numwant`, `uploaded`, `downloaded`, `left`: absent, null (a client's NaN) or a whole number. */
function counter(message: Record<string, unknown>, field: string): void {
  const v = message[field];
  if (v === undefined || v === null) return;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw badMessage(`"${field}" must be a whole number from 0 to 2^53-1, got ${got(v)}`);
}

/** A WebRTC session description as simple-peer signals it without trickle ICE: exactly `{ type, sdp }`. */
function description(v: unknown, type: 'offer' | 'answer', where: string): void {
  if (!isObject(v) || v.type !== type || typeof v.sdp !== 'string' || v.sdp.length === 0 || !hasOnlyKeys(v, ['type', 'sdp'])) {
    throw badMessage(`${where} must be exactly { "type": "${type}", "sdp": "<non-empty string>" }, got ${got(v)}`);
  }
}

function parseAnnounce(message: Record<string, unknown>): AnnounceMessage {
  const infoHash = id(message, 'info_hash');
  const peerId = id(message, 'peer_id');
  const event = message.event;
  if (event !== undefined && !(typeof event === 'string' && EVENTS.includes(event))) {
    throw badMessage(`"event" must be absent or one of ${EVENTS.join(', ')}, got ${got(event)}`);
  }
  for (const field of ['numwant', 'uploaded', 'downloaded', 'left']) counter(message, field);
  const { offers, answer } = message;
  if (offers !== undefined) {
    if (!Array.isArray(offers) || offers.length > MAX_OFFERS) throw badMessage(`"offers" must be an array of at most ${MAX_OFFERS}, got ${got(offers)}`);
    for (const o of offers) {
      if (!isObject(o) || !isId(o.offer_id) || !hasOnlyKeys(o, ['offer', 'offer_id'])) {
        throw badMessage('each offer must be exactly { "offer": { "type": "offer", "sdp" }, "offer_id": <20 latin1 characters> }');
      }
      description(o.offer, 'offer', 'each "offer"');
    }
  }
  if (answer !== undefined) {
    // An answer goes to one peer: the one whose offer (offer_id) it answers.
    description(answer, 'answer', '"answer"');
    id(message, 'to_peer_id');
    id(message, 'offer_id');
    if (offers !== undefined) throw badMessage('an answer comes without "offers"; send offers in an announce of their own');
  } else {
    for (const field of ['to_peer_id', 'offer_id']) {
      if (message[field] !== undefined) throw badMessage(`"${field}" is sent only with an "answer", got ${got(message[field])}`);
    }
  }
  return { action: 'announce', infoHash, peerId, event: event as AnnounceEvent | undefined };
}

/**
 * The library reads these on a scrape too: it relays a scrape's `offers` or `answer`
 * (and crashes on `offers`, having no peers to give them to), and keeps a scrape's raw
 * `peer_id` as the socket's. A browser's scrape is `{ action, info_hash }`.
 */
const NOT_IN_SCRAPE = ['peer_id', 'offers', 'answer', 'to_peer_id', 'offer_id'];

function parseScrape(message: Record<string, unknown>): ScrapeMessage {
  for (const field of NOT_IN_SCRAPE) {
    if (message[field] !== undefined) throw badMessage(`a scrape carries only "info_hash", got "${field}" as well; send it in an announce`);
  }
  const v = message.info_hash;
  // Without info_hash the library would list every swarm it knows: refused.
  if (typeof v === 'string') return { action: 'scrape', infoHashes: [id(message, 'info_hash')] };
  if (!Array.isArray(v) || v.length === 0 || v.length > MAX_SCRAPE_HASHES || !v.every(isId)) {
    throw badMessage(`a scrape's "info_hash" must be one info hash or an array of 1 to ${MAX_SCRAPE_HASHES}, each 20 bytes as a latin1 string; got ${got(v)}`);
  }
  return { action: 'scrape', infoHashes: v };
}

/**
 * Parses and checks one tracker message.
 * @throws {TrackerError} E_BAD_MESSAGE when it is not JSON, not an object, has another
 *   action, or any field bittorrent-tracker reads has another type or shape than a
 *   browser's WebTorrent client sends
 */
export function parseTrackerMessage(text: string): TrackerMessage {
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    throw badMessage('the message is not JSON');
  }
  if (!isObject(message)) throw badMessage(`the message must be a JSON object, got ${got(message)}`);
  if (message.action === 'announce') return parseAnnounce(message);
  if (message.action === 'scrape') return parseScrape(message);
  throw badMessage(`"action" must be "announce" or "scrape", got ${got(message.action)}`);
}
