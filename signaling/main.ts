/**
 * `node --import tsx signaling/main.ts [flags]`: the server browsers fall back on.
 * Flags win over environment variables, which win over defaults. See `--help`.
 */
import { parseArgs } from 'node:util';
import { DEFAULT_SERVER_LIMITS, startServer, type ServerLimits } from './server.js';
import { publishDemo } from './demo.js';

const HELP = `Usage: node --import tsx signaling/main.ts [options]

  --port <n>          port (env P2P_PORT, default 8080)
  --host <addr>       address to bind (env P2P_HOST, default 127.0.0.1)
  --data <dir>        data folder (env P2P_DATA, default .data)
  --dist <dir>        built app (env P2P_DIST, default dist)
  --no-origin         do not serve site files over HTTP (tracker and API keep running)
  --denylist <file>   blocked addresses and info hashes (env P2P_DENYLIST, default <data>/denylist.txt)
  --log-ips           include client IP addresses in logs (off by default)
  --demo              publish demo/site/ at start and print its address
  --max-body <bytes>, --max-blob <bytes>, --max-site <bytes>, --max-ws-message <bytes>,
  --peers-per-swarm <n>, --publishes-per-minute <n>   limits (defaults in docs/PROTOCOL.md)
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
    demo: { type: 'boolean', default: false },
    'max-body': { type: 'string' },
    'max-blob': { type: 'string' },
    'max-site': { type: 'string' },
    'max-ws-message': { type: 'string' },
    'peers-per-swarm': { type: 'string' },
    'publishes-per-minute': { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});

if (values.help) {
  process.stdout.write(HELP);
  process.exit(0);
}

function positive(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 0) {
    process.stderr.write(`--${name} expects a whole number, got "${text}"\n`);
    process.exit(2);
  }
  return n;
}

const env = process.env;
const limits: ServerLimits = {
  maxBodyBytes: positive('max-body', values['max-body'], DEFAULT_SERVER_LIMITS.maxBodyBytes),
  maxBlobBytes: positive('max-blob', values['max-blob'], DEFAULT_SERVER_LIMITS.maxBlobBytes),
  maxSiteBytes: positive('max-site', values['max-site'], DEFAULT_SERVER_LIMITS.maxSiteBytes),
  maxWsMessageBytes: positive('max-ws-message', values['max-ws-message'], DEFAULT_SERVER_LIMITS.maxWsMessageBytes),
  peersPerSwarm: positive('peers-per-swarm', values['peers-per-swarm'], DEFAULT_SERVER_LIMITS.peersPerSwarm),
  publishesPerMinute: positive('publishes-per-minute', values['publishes-per-minute'], DEFAULT_SERVER_LIMITS.publishesPerMinute),
};
const dataDir = values.data ?? env.P2P_DATA ?? '.data';
const server = await startServer({
  host: values.host ?? env.P2P_HOST ?? '127.0.0.1',
  port: positive('port', values.port ?? env.P2P_PORT, 8080),
  dataDir,
  distDir: values.dist ?? env.P2P_DIST ?? 'dist',
  origin: !values['no-origin'],
  denylistPath: values.denylist ?? env.P2P_DENYLIST,
  logIps: values['log-ips'] || env.P2P_LOG_IPS === '1',
  limits,
});

const appUrl = server.url.replace('127.0.0.1', 'localhost');
if (values.demo) {
  const { address, seq } = await publishDemo(server, dataDir, 'demo/site');
  process.stderr.write(`\nDemo site (version ${seq}): http://${address}.localhost:${server.port}/\n`);
}
process.stderr.write(`App: ${appUrl}/\n\n`);

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    void server.close().then(() => process.exit(0));
  });
}
