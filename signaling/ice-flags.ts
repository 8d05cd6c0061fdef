import { readFileSync } from 'node:fs';
import { IceConfigError, parseOperatorIce, splitIceServerList, type OperatorIceConfig } from './ice-servers.js';

/** The command line's NAT traversal flags, as `parseArgs` hands them over. */
export interface IceFlags {
  'ice-server'?: string[];
  'turn-secret'?: string;
  'turn-secret-file'?: string;
  'turn-ttl'?: string;
}

export const ICE_HELP = `NAT traversal (pages get these from /api/ice, with TURN credentials that expire):
  --ice-server <url>            STUN or TURN server, repeatable: stun:HOST[:PORT],
                                turn:HOST[:PORT][?transport=udp|tcp], stuns:, turns:
                                [P2P_ICE_SERVERS, comma-separated; default none]
  --turn-secret <secret>        coturn's static-auth-secret (use-auth-secret)  [P2P_TURN_SECRET]
  --turn-secret-file <file>     the same, read from a file (keeps it out of ps)  [P2P_TURN_SECRET_FILE]
  --turn-ttl <seconds>          lifetime of a page's TURN credential  [P2P_TURN_TTL, default 3600]
`;

/**
 * The operator's ICE servers from flags, else environment variables. Flags win.
 * @throws {IceConfigError} for a bad URL, a missing or unreadable secret, a bad lifetime
 */
export function iceConfigFromFlags(flags: IceFlags, env: NodeJS.ProcessEnv): OperatorIceConfig {
  const urls = flags['ice-server']?.length ? flags['ice-server'] : splitIceServerList(env.P2P_ICE_SERVERS);
  let secret = flags['turn-secret'] ?? undefined;
  const file = flags['turn-secret-file'] ?? (secret === undefined ? env.P2P_TURN_SECRET_FILE : undefined);
  if (secret !== undefined && flags['turn-secret-file']) throw new IceConfigError('E_TURN_SECRET', 'give the TURN secret once: --turn-secret or --turn-secret-file, not both');
  if (file) {
    try {
      secret = readFileSync(file, 'utf8').trim();
    } catch (err) {
      throw new IceConfigError('E_TURN_SECRET', `cannot read the TURN secret file ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}; check the path and its permissions`);
    }
  }
  secret ??= env.P2P_TURN_SECRET || undefined;
  const ttlText = flags['turn-ttl'] ?? env.P2P_TURN_TTL;
  const ttl = ttlText === undefined || ttlText === '' ? undefined : Number(ttlText);
  if (ttl !== undefined && !Number.isSafeInteger(ttl)) throw new IceConfigError('E_TURN_TTL', `--turn-ttl expects whole seconds, got "${ttlText}"`);
  return parseOperatorIce({ urls, turnSecret: secret, ttlSeconds: ttl });
}
