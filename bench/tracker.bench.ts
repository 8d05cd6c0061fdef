/**
 * Tracker load: 500 simulated WebRTC clients (WebSocket announces carrying offers, as
 * browsers send them) from this process against the server running in another process.
 * - tracker_announces_per_s: announces answered per second when all 500 announce at
 *   once, round after round (saturation throughput);
 * - tracker_p99_ms: 99th percentile announce latency at half that rate, paced evenly
 *   (under saturation the latency only measures the queue the benchmark itself built);
 * - tracker_kb_per_peer: growth of the server's resident memory per connected peer.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import WebSocket from 'ws';
import { startServerProcess } from '../test/helpers/server-process.js';

export const figures = ['tracker_announces_per_s', 'tracker_p99_ms', 'tracker_kb_per_peer'];

const CLIENTS = 500;
const SWARMS = 20;
const ROUNDS = 10;
const OFFERS = 5;
const PACED = 3000;
const FAKE_SDP = `v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\nc=IN IP4 0.0.0.0\r\na=ice-ufrag:abcd\r\na=ice-pwd:${'x'.repeat(24)}\r\na=fingerprint:sha-256 ${'AB:'.repeat(31)}AB\r\na=setup:actpass\r\na=mid:0\r\na=sctp-port:5000\r\n`;

const bin = (buf: Buffer) => buf.toString('latin1');
const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];

export default async function run(): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'p2p-bench-tracker-'));
  // Every simulated client comes from 127.0.0.1: lift the per-IP caps a real crowd never meets.
  const server = await startServerProcess(['--data', dataDir, '--dist', join(dataDir, 'dist'), '--sockets-per-ip', '2000', '--connections-per-ip', '2000', '--swarms-per-ip', '100000']);
  let unpin = () => {};
  try {
    // As in origin.bench.ts: the server on the last CPU, these clients on the first, so
    // where the scheduler puts them does not decide the figures.
    const cpus = availableParallelism();
    const pin = (cpu: string, pid: number) => spawnSync('taskset', ['-a', '-p', '-c', cpu, String(pid)], { stdio: 'ignore' });
    if (cpus >= 2) {
      pin(String(cpus - 1), server.child.pid!);
      pin('0', process.pid);
    }
    unpin = () => cpus >= 2 && pin(`0-${cpus - 1}`, process.pid);
    const before = await server.rssKb();
    const infoHashes = Array.from({ length: SWARMS }, () => bin(randomBytes(20)));
    const sockets: WebSocket[] = [];
    for (let i = 0; i < CLIENTS; i++) {
      const ws = new WebSocket(`ws://127.0.0.1:${server.port}/announce`, { perMessageDeflate: false });
      await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
      sockets.push(ws);
    }
    const latencies: number[] = [];
    const announce = (ws: WebSocket, i: number, event?: string) =>
      new Promise<void>((resolve) => {
        const infoHash = infoHashes[i % SWARMS];
        const onMessage = (data: WebSocket.RawData) => {
          const m = JSON.parse(String(data)) as { action?: string; offer?: unknown; info_hash?: string; interval?: number };
          // Offers relayed from other clients also arrive here; wait for our own answer.
          if (m.action === 'announce' && !m.offer && m.info_hash === infoHash && m.interval) {
            ws.off('message', onMessage);
            latencies.push(performance.now() - started);
            resolve();
          }
        };
        ws.on('message', onMessage);
        const started = performance.now();
        ws.send(
          JSON.stringify({
            action: 'announce',
            info_hash: infoHash,
            peer_id: bin(Buffer.from(`-WW0000-${String(i).padStart(12, '0')}`)),
            numwant: OFFERS,
            uploaded: 0,
            downloaded: 0,
            left: 0,
            ...(event ? { event } : {}),
            offers: Array.from({ length: OFFERS }, (_, k) => ({ offer: { type: 'offer', sdp: FAKE_SDP }, offer_id: bin(randomBytes(20).fill(k, 0, 1)) })),
          }),
        );
      });
    await Promise.all(sockets.map((ws, i) => announce(ws, i, 'started')));
    const peak = await server.rssKb();
    latencies.length = 0;
    const t0 = performance.now();
    for (let round = 0; round < ROUNDS; round++) await Promise.all(sockets.map((ws, i) => announce(ws, i)));
    const seconds = (performance.now() - t0) / 1000;
    const rate = latencies.length / seconds;
    const burstP99 = percentile(latencies, 0.99);

    // Paced: one announce every 1/(rate/2) s, each client in turn, for PACED announces.
    latencies.length = 0;
    const gapMs = 1000 / (rate / 2);
    const pending: Promise<void>[] = [];
    const tp = performance.now();
    for (let k = 0; k < PACED; k++) {
      const due = tp + k * gapMs;
      const wait = due - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      pending.push(announce(sockets[k % CLIENTS], k % CLIENTS));
    }
    await Promise.all(pending);
    const p99 = percentile(latencies, 0.99);
    console.error(
      `${CLIENTS} clients, ${SWARMS} swarms, ${ROUNDS} rounds: ${ROUNDS * CLIENTS} announces in ${seconds.toFixed(2)} s (p99 ${burstP99.toFixed(0)} ms at saturation); ` +
        `paced at ${Math.round(rate / 2)}/s: p99 ${p99.toFixed(1)} ms, median ${percentile(latencies, 0.5).toFixed(1)} ms; RSS ${before} kB -> ${peak} kB`,
    );
    console.log(`BENCH tracker_announces_per_s ${Math.round(rate)} /s`);
    console.log(`BENCH tracker_p99_ms ${p99.toFixed(1)} ms`);
    console.log(`BENCH tracker_kb_per_peer ${((peak - before) / CLIENTS).toFixed(1)} kB`);
    for (const ws of sockets) ws.terminate();
  } finally {
    unpin();
    await server.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}
