import { DhtError } from './dht-errors.js';
import { parseBootstrap } from './dht-node.js';
import type { ServerDhtOptions } from './dht-pointers.js';

/** The DHT flags, as `parseArgs` hands them over (the server's and `p2psite publish`'s). */
export interface DhtFlags {
  dht?: boolean;
  'dht-bootstrap'?: string;
  'dht-port'?: string;
}

export const DHT_HELP = `BitTorrent DHT (signed pointers, BEP 44/46; off by default):
  --dht                         join the DHT: re-put the pointers publishers give, and look up
                                addresses this server does not hold  [P2P_DHT=1]
  --dht-bootstrap <host:port,...>  nodes to join through; default: the mainline DHT's public
                                bootstrap nodes  [P2P_DHT_BOOTSTRAP]
  --dht-port <n>                UDP port of the DHT node  [P2P_DHT_PORT, default: any free port]
`;

/**
 * The DHT options from flags, else environment variables (flags win); undefined without
 * `--dht`. A DHT reached only through loopback nodes is joined on 127.0.0.1; otherwise
 * the node binds every interface (the public DHT must reach it over UDP).
 * @throws {DhtError} E_DHT_BOOTSTRAP, E_DHT_FLAGS
 */
export function dhtFromFlags(flags: DhtFlags, env: NodeJS.ProcessEnv = {}): ServerDhtOptions | undefined {
  const on = flags.dht || env.P2P_DHT === '1';
  const bootstrapText = flags['dht-bootstrap'] ?? env.P2P_DHT_BOOTSTRAP;
  const portText = flags['dht-port'] ?? env.P2P_DHT_PORT;
  if (!on) {
    if (flags['dht-bootstrap'] !== undefined || flags['dht-port'] !== undefined) throw new DhtError('E_DHT_FLAGS', '--dht-bootstrap and --dht-port need --dht');
    return undefined;
  }
  let port = 0;
  if (portText !== undefined && portText !== '') {
    port = Number(portText);
    if (!/^\d{1,5}$/.test(portText) || port > 65535) throw new DhtError('E_DHT_FLAGS', `--dht-port expects a UDP port from 0 to 65535, got "${portText.slice(0, 40)}"`);
  }
  const bootstrap = bootstrapText ? parseBootstrap(bootstrapText) : undefined;
  const loopbackOnly = bootstrap !== undefined && bootstrap.length > 0 && bootstrap.every((e) => /^(127\.\d+\.\d+\.\d+|localhost|\[::1\]):/.test(e));
  return { port, bootstrap, host: loopbackOnly ? '127.0.0.1' : '0.0.0.0' };
}
