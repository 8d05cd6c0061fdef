import type { ResourceSettings } from '../swarm/governor.js';

/**
 * The visitor's own ICE servers as the settings panel shows them: one per line, a URL
 * and, for TURN, its user name and password (`turn:relay.example.org:3478 alice s3cret`).
 */
export type IceServerList = ResourceSettings['iceServers'];

const SCHEME = /^(stuns?|turns?):[^\s/?#@][^\s@]*$/i;

/**
 * Reads the panel's text. Blank lines are skipped.
 * @throws {RangeError} naming the line, what is wrong and what is expected
 */
export function parseIceServersText(text: string): IceServerList {
  const servers: IceServerList = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, i) => {
    const words = raw.trim().split(/\s+/).filter(Boolean);
    if (!words.length) return;
    const where = `ICE server line ${i + 1}`;
    const [url, username, credential, ...extra] = words;
    if (!SCHEME.test(url)) throw new RangeError(`${where}: "${url.slice(0, 100)}" is not a STUN or TURN URL; expected stun:HOST[:PORT] or turn:HOST[:PORT][?transport=udp|tcp]`);
    const turn = /^turns?:/i.test(url);
    if (extra.length) throw new RangeError(`${where}: expected a URL${turn ? ', a user name and a password' : ''}, got ${words.length} words`);
    if (turn && credential === undefined) throw new RangeError(`${where}: a TURN server needs a user name and a password after its URL`);
    if (!turn && username !== undefined) throw new RangeError(`${where}: a STUN server takes no user name or password`);
    servers.push(turn ? { urls: url, username, credential } : { urls: url });
  });
  if (servers.length > 16) throw new RangeError(`at most 16 ICE servers, got ${servers.length}`);
  return servers;
}

/** The panel's text for a list (the inverse of `parseIceServersText` for what it accepts). */
export function formatIceServersText(servers: IceServerList): string {
  return servers
    .flatMap((s) => (Array.isArray(s.urls) ? s.urls : [s.urls]).map((url) => [url, s.username, s.credential].filter((w) => w !== undefined).join(' ')))
    .join('\n');
}
