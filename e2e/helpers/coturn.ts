import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A coturn (`turnserver`) on 127.0.0.1, started and stopped by a test. */
export interface Coturn {
  port: number;
  secret: string;
  /** What coturn printed, for a failing test's message. */
  log(): string;
  stop(): Promise<void>;
}

/** A port free for both UDP and TCP on 127.0.0.1 (coturn listens on both). */
async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const tcp = createServer();
    const port = await new Promise<number>((resolve, reject) => {
      tcp.once('error', reject);
      tcp.listen(0, '127.0.0.1', () => resolve((tcp.address() as { port: number }).port));
    });
    const udp = createSocket('udp4');
    const free = await new Promise<boolean>((resolve) => {
      udp.once('error', () => resolve(false));
      udp.bind(port, '127.0.0.1', () => resolve(true));
    });
    udp.close();
    await new Promise<void>((resolve) => tcp.close(() => resolve()));
    if (free) return port;
  }
  throw new Error('no free port for coturn on 127.0.0.1 after 20 tries');
}

/** Resolves once coturn answers a STUN Binding request (RFC 5389) on UDP: it is listening. */
async function stunAnswers(port: number, timeoutMs: number): Promise<boolean> {
  const socket = createSocket('udp4');
  // Binding request: type 0x0001, length 0, magic cookie, 12-byte transaction id.
  const request = Buffer.concat([Buffer.from([0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42]), randomBytes(12)]);
  try {
    return await new Promise<boolean>((resolve) => {
      const deadline = setTimeout(() => resolve(false), timeoutMs);
      socket.on('message', (msg) => {
        if (msg.readUInt16BE(0) === 0x0101) {
          clearTimeout(deadline);
          resolve(true);
        }
      });
      socket.on('error', () => undefined);
      // UDP may be lost before coturn binds: send again until the answer or the deadline.
      const send = () => socket.send(request, port, '127.0.0.1');
      send();
      const again = setInterval(send, 100);
      socket.once('close', () => clearInterval(again));
      deadline.unref?.();
    });
  } finally {
    socket.close();
  }
}

/**
 * Starts coturn with the TURN REST scheme (`use-auth-secret`) on 127.0.0.1 only, relaying
 * on 127.0.0.1 (`--allow-loopback-peers`: coturn refuses loopback peers otherwise), no
 * TLS, no CLI, its pid file and database in a folder of its own.
 */
export async function startCoturn(): Promise<Coturn> {
  const port = await freePort();
  const secret = randomBytes(16).toString('hex');
  const dir = await mkdtemp(join(tmpdir(), 'p2p-coturn-'));
  // A window of relay ports; coturn skips any that are taken.
  const minPort = 50_000 + Math.floor(Math.random() * 150) * 100;
  const args = [
    '-n',
    '--listening-ip=127.0.0.1',
    '--relay-ip=127.0.0.1',
    `--listening-port=${port}`,
    `--min-port=${minPort}`,
    `--max-port=${minPort + 99}`,
    '--use-auth-secret',
    `--static-auth-secret=${secret}`,
    '--realm=test',
    '--no-tls',
    '--no-dtls',
    '--allow-loopback-peers',
    '--no-cli',
    '--log-file=stdout',
    '--simple-log',
    `--pidfile=${join(dir, 'turnserver.pid')}`,
    `--db=${join(dir, 'turndb')}`,
  ];
  const child: ChildProcess = spawn('turnserver', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000)));
  child.stderr!.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    await rm(dir, { recursive: true, force: true });
  };
  const failed = new Promise<boolean>((resolve) => {
    child.once('error', () => resolve(false));
    child.once('exit', () => resolve(false));
  });
  if (!(await Promise.race([stunAnswers(port, 10_000), failed]))) {
    await stop();
    throw new Error(`coturn did not answer STUN on 127.0.0.1:${port} within 10 s (is the coturn package installed? scripts/ensure-packages.sh installs it):\n${output.slice(-3000)}`);
  }
  return { port, secret, log: () => output, stop };
}
