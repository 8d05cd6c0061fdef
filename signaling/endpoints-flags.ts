import { EndpointsConfigError, parseEndpointsConfig, type EndpointsConfig } from './endpoints-answer.js';

/** The command line's flags for other servers, as `parseArgs` hands them over. */
export interface EndpointsFlags {
  tracker?: string[];
  mirror?: string[];
  'peer-server'?: string[];
  'no-tracker'?: boolean;
}

export const ENDPOINTS_HELP = `Several servers, mirrors and trackers (pages get these from /api/endpoints; every byte
is still verified against the signed manifest, so none of them is trusted):
  --tracker <wss url>           another WebSocket tracker pages announce to, repeatable
                                [P2P_TRACKERS, comma-separated]
  --mirror <base url>           a static host or CDN holding versions in the webseed layout
                                <base>/<infoHash>/<address>/<file path> (p2psite mirror writes
                                it), answering range requests with CORS, repeatable [P2P_MIRRORS]
  --peer-server <url>           another server of this kind: manifests and files it has are
                                fetched from it (verified), and pages also use its tracker and
                                origin seed, repeatable [P2P_PEER_SERVERS]
  --no-tracker                  run no tracker here; name an external one with --tracker
                                [P2P_NO_TRACKER=1]
`;

function list(flag: string[] | undefined, env: string | undefined): string[] {
  if (flag?.length) return flag;
  return (env ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}

/**
 * The other servers from flags, else environment variables. Flags win.
 * @throws {EndpointsConfigError} for a bad URL, too many, or no tracker at all while peers need one
 */
export function endpointsFromFlags(flags: EndpointsFlags, env: NodeJS.ProcessEnv): EndpointsConfig {
  const config = parseEndpointsConfig({
    builtInTracker: !(flags['no-tracker'] || env.P2P_NO_TRACKER === '1'),
    trackers: list(flags.tracker, env.P2P_TRACKERS),
    mirrors: list(flags.mirror, env.P2P_MIRRORS),
    peerServers: list(flags['peer-server'], env.P2P_PEER_SERVERS),
  });
  if (!config.builtInTracker && !config.trackers.length && !config.peerServers.length) {
    throw new EndpointsConfigError('E_BAD_TRACKER', '--no-tracker leaves pages no tracker to meet peers on: name one with --tracker wss://tracker.example.org/announce');
  }
  return config;
}
