/**
 * `node --import tsx signaling/main.ts [flags]`: the server browsers fall back on.
 * Flags win over environment variables, which win over defaults. See `--help`.
 */
import { parseArgs } from 'node:util';
import { DEFAULT_SERVER_LIMITS, startServer, type ServerLimits } from './server.js';
import { publishDemo } from './demo.js';
import { LOCAL_APP_HOSTNAME } from '../src/core/origins.js';
import { parsePublicUrl, publicSiteUrl, publicTrackerUrl, PublicUrlError } from './public-url.js';
import { ICE_HELP, iceConfigFromFlags } from './ice-flags.js';
import { IceConfigError } from './ice-servers.js';
import { ENDPOINTS_HELP, endpointsFromFlags } from './endpoints-flags.js';
import { EndpointsConfigError } from './endpoints-answer.js';
import { DHT_HELP, dhtFromFlags } from './dht-flags.js';
import { DhtError } from './dht-errors.js';

const HELP = `Usage: node --import tsx signaling/main.ts [options]

  --port <n>          port (env P2P_PORT, default 8080)
  --host <addr>       address to bind (env P2P_HOST, default 127.0.0.1)
  --data <dir>        data folder (env P2P_DATA, default .data)
  --dist <dir>        built app (env P2P_DIST, default dist)
  --no-origin         do not serve site files over HTTP; tracker and API keep running
                      (env P2P_NO_ORIGIN=1)
  --denylist <file>   blocked addresses and info hashes, reloaded while running
                      (env P2P_DENYLIST, default <data>/denylist.txt)
  --log-ips           include client IP addresses in logs (env P2P_LOG_IPS=1, default off)
  --public-url <url>  where visitors reach the server, e.g. https://p2p.example.org: the app
                      there, sites at https://<address>.p2p.example.org/, the tracker at
                      wss://p2p.example.org/announce; other Hosts get 421 (env P2P_PUBLIC_URL)
  --trust-proxy       take the client IP (logs, rate limits, per-IP caps) from the proxy's
                      X-Forwarded-For; only when nothing but the proxy reaches the port
                      (env P2P_TRUST_PROXY=1, default off)
  --demo              publish demo/site/ at start and print its URL

Limits (env in brackets):
  --max-body <bytes>            manifest upload       [P2P_MAX_BODY, default ${DEFAULT_SERVER_LIMITS.maxBodyBytes}]
  --max-blob <bytes>            one file              [P2P_MAX_BLOB, default ${DEFAULT_SERVER_LIMITS.maxBlobBytes}]
  --max-site <bytes>            one site's files      [P2P_MAX_SITE, default ${DEFAULT_SERVER_LIMITS.maxSiteBytes}]
  --max-ws-message <bytes>      tracker message       [P2P_MAX_WS_MESSAGE, default ${DEFAULT_SERVER_LIMITS.maxWsMessageBytes}]
  --peers-per-swarm <n>         tracker peers kept    [P2P_PEERS_PER_SWARM, default ${DEFAULT_SERVER_LIMITS.peersPerSwarm}]
  --sockets-per-ip <n>          tracker sockets       [P2P_SOCKETS_PER_IP, default ${DEFAULT_SERVER_LIMITS.socketsPerIp}]
  --swarms-per-socket <n>       per tracker socket    [P2P_SWARMS_PER_SOCKET, default ${DEFAULT_SERVER_LIMITS.swarmsPerSocket}]
  --swarms-per-ip <n>           all sockets of an IP  [P2P_SWARMS_PER_IP, default ${DEFAULT_SERVER_LIMITS.swarmsPerIp}]
  --publishes-per-minute <n>    per client IP         [P2P_PUBLISHES_PER_MINUTE, default ${DEFAULT_SERVER_LIMITS.publishesPerMinute}]
  --connections-per-ip <n>      open at once          [P2P_CONNECTIONS_PER_IP, default ${DEFAULT_SERVER_LIMITS.connectionsPerIp}]
  --pending-blob-minutes <n>    keep unpublished files [P2P_PENDING_BLOB_MINUTES, default ${DEFAULT_SERVER_LIMITS.pendingBlobMinutes}]
  --pending-bytes-per-ip <bytes> unpublished files    [P2P_PENDING_BYTES_PER_IP, default ${DEFAULT_SERVER_LIMITS.pendingBytesPerIp}]
  --max-header <bytes>          request head          [P2P_MAX_HEADER, default ${DEFAULT_SERVER_LIMITS.maxHeaderBytes}]
  --held-manifest-requests <n>  open pages waiting for updates [P2P_HELD_MANIFEST_REQUESTS, default ${DEFAULT_SERVER_LIMITS.heldManifestRequests}]
`;

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    host: { type: 'string' },
    data: { type: 'string' },
    dist: { type: 'string' },
    'no-origin': { type: 'boolean', default: false },
    denylist: { type: 'string' },
    'log-ips': { type: 'boolean', default: false },
    'public-url': { type: 'string' },
    'trust-proxy': { type: 'boolean', default: false },
    demo: { type: 'boolean', default: false },
    dht: { type: 'boolean', default: false },
    'dht-bootstrap': { type: 'string' },
    'dht-port': { type: 'string' },
    'max-body': { type: 'string' },
    'max-blob': { type: 'string' },
    'max-site': { type: 'string' },
    'max-ws-message': { type: 'string' },
    'peers-per-swarm': { type: 'string' },
    'sockets-per-ip': { type: 'string' },
    'swarms-per-socket': { type: 'string' },
    'swarms-per-ip': { type: 'string' },
    'publishes-per-minute': { type: 'string' },
    'connections-per-ip': { type: 'string' },
    'pending-blob-minutes': { type: 'string' },
    'pending-bytes-per-ip': { type: 'string' },
    'max-header': { type: 'string' },
    'ice-server': { type: 'string', multiple: true },
    'turn-secret': { type: 'string' },
    'turn-secret-file': { type: 'string' },
    'turn-ttl': { type: 'string' },
    'held-manifest-requests': { type: 'string' },
    tracker: { type: 'string', multiple: true },
    mirror: { type: 'string', multiple: true },
    'peer-server': { type: 'string', multiple: true },
    'no-tracker': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});

if (values.help) {
  process.stdout.write(`${HELP}\n${ICE_HELP}\n${ENDPOINTS_HELP}\n${DHT_HELP}`);
  process.exit(0);
}

const env = process.env;

/** A whole-number flag, else its environment variable, else the default. */
function whole(name: keyof typeof values, fallback: number): number {
  const envName = `P2P_${name.replace(/-/g, '_').toUpperCase()}`;
  const text = (values[name] as string | undefined) ?? env[envName];
  if (text === undefined || text === '') return fallback;
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 0) {
    process.stderr.write(`--${name} (or ${envName}) expects a whole number, got "${text}"\n`);
    process.exit(2);
  }
  return n;
}

const limits: ServerLimits = {
  maxBodyBytes: whole('max-body', DEFAULT_SERVER_LIMITS.maxBodyBytes),
  maxBlobBytes: whole('max-blob', DEFAULT_SERVER_LIMITS.maxBlobBytes),
  maxSiteBytes: whole('max-site', DEFAULT_SERVER_LIMITS.maxSiteBytes),
  maxWsMessageBytes: whole('max-ws-message', DEFAULT_SERVER_LIMITS.maxWsMessageBytes),
  peersPerSwarm: whole('peers-per-swarm', DEFAULT_SERVER_LIMITS.peersPerSwarm),
  socketsPerIp: whole('sockets-per-ip', DEFAULT_SERVER_LIMITS.socketsPerIp),
  swarmsPerSocket: whole('swarms-per-socket', DEFAULT_SERVER_LIMITS.swarmsPerSocket),
  swarmsPerIp: whole('swarms-per-ip', DEFAULT_SERVER_LIMITS.swarmsPerIp),
  publishesPerMinute: whole('publishes-per-minute', DEFAULT_SERVER_LIMITS.publishesPerMinute),
  connectionsPerIp: whole('connections-per-ip', DEFAULT_SERVER_LIMITS.connectionsPerIp),
  pendingBlobMinutes: whole('pending-blob-minutes', DEFAULT_SERVER_LIMITS.pendingBlobMinutes),
  pendingBytesPerIp: whole('pending-bytes-per-ip', DEFAULT_SERVER_LIMITS.pendingBytesPerIp),
  maxHeaderBytes: whole('max-header', DEFAULT_SERVER_LIMITS.maxHeaderBytes),
  headersTimeoutMs: DEFAULT_SERVER_LIMITS.headersTimeoutMs,
  requestTimeoutMs: DEFAULT_SERVER_LIMITS.requestTimeoutMs,
  heldManifestRequests: whole('held-manifest-requests', DEFAULT_SERVER_LIMITS.heldManifestRequests),
};
const ice = (() => {
  try {
    return iceConfigFromFlags(values, env);
  } catch (err) {
    if (!(err instanceof IceConfigError)) throw err;
    process.stderr.write(`${err.message}\n`);
    process.exit(2);
  }
})();
const endpoints = (() => {
  try {
    return endpointsFromFlags(values, env);
  } catch (err) {
    if (!(err instanceof EndpointsConfigError)) throw err;
    process.stderr.write(`${err.message}\n`);
    process.exit(2);
  }
})();
const publicUrl = (() => {
  const text = values['public-url'] ?? env.P2P_PUBLIC_URL;
  if (!text) return undefined;
  try {
    return parsePublicUrl(text);
  } catch (err) {
    if (!(err instanceof PublicUrlError)) throw err;
    process.stderr.write(`--public-url (or P2P_PUBLIC_URL): ${err.message}\n`);
    process.exit(2);
  }
})();
const dht = (() => {
  try {
    return dhtFromFlags(values, env);
  } catch (err) {
    if (!(err instanceof DhtError)) throw err;
    process.stderr.write(`${err.message}\n`);
    process.exit(2);
  }
})();
const dataDir = values.data ?? env.P2P_DATA ?? '.data';
const host = values.host ?? env.P2P_HOST ?? '127.0.0.1';
const server = await startServer({
  host,
  port: whole('port', 8080),
  dataDir,
  distDir: values.dist ?? env.P2P_DIST ?? 'dist',
  origin: !(values['no-origin'] || env.P2P_NO_ORIGIN === '1'),
  denylistPath: values.denylist ?? env.P2P_DENYLIST,
  logIps: values['log-ips'] || env.P2P_LOG_IPS === '1',
  publicUrl,
  trustProxy: values['trust-proxy'] || env.P2P_TRUST_PROXY === '1',
  limits,
  ice,
  endpoints,
  dht,
}).catch((err: NodeJS.ErrnoException) => {
  const hint = err.code === 'EADDRINUSE' ? ' (the port is taken: pick another with --port)' : err.code === 'EACCES' ? ' (not allowed: use a port above 1023)' : '';
  process.stderr.write(`Cannot start the server: ${err.message}${hint}\n`);
  process.exit(1);
});

// Browsers resolve `localhost` and every `*.localhost` to loopback (site origins need it).
const local = ['127.0.0.1', 'localhost', '0.0.0.0', '::', '::1'].includes(host);
const appUrl = publicUrl ? publicUrl.appOrigin : local ? `http://${LOCAL_APP_HOSTNAME}:${server.port}` : server.url;
if (values.demo) {
  const demoFolder = new URL('../demo/site/', import.meta.url).pathname;
  const { address, seq } = await publishDemo(server, dataDir, demoFolder).catch(async (err: Error) => {
    process.stderr.write(`Cannot publish the demo site: ${err.message}\n`);
    await server.close();
    process.exit(1);
  });
  const demoUrl = publicUrl ? publicSiteUrl(publicUrl, address) : `http://${address}.${LOCAL_APP_HOSTNAME}:${server.port}/`;
  process.stderr.write(`\nDemo site: ${demoUrl}\n(version ${seq}, address ${address})\n`);
}
process.stderr.write(`App: ${appUrl}/\n${publicUrl ? `Tracker: ${publicTrackerUrl(publicUrl)}\n` : ''}\n`);

// Graceful shutdown: close the tracker's sockets and the HTTP server, then exit. A second
// signal, or a close that hangs for 10 s, exits at once.
let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) process.exit(1);
    stopping = true;
    setTimeout(() => process.exit(1), 10_000).unref();
    void server.close().then(() => process.exit(0));
  });
}
