import { afterEach, describe, expect, it } from 'vitest';
import { announce, id20, RawTrackerClient, startTracker, until } from './tracker-client.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const SOCKETS = 250;
const SWARMS = 8;
const PEER_IDS = 2; // per socket: the library itself only takes a socket's first peer_id out on close
const sdp = 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n'.repeat(20);

/** Heap in use after a full collection when the run exposes `gc` (NODE_OPTIONS=--expose-gc). */
function heapMb(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed / 2 ** 20;
}

type Running = Awaited<ReturnType<typeof startTracker>>;

/**
 * SOCKETS sockets each announce, with an offer, into SWARMS swarms under PEER_IDS peer
 * ids; then a third leave politely (stopped, then close), a third close, a third vanish.
 * Returns the heap at the peak.
 */
async function flood(t: Running): Promise<number> {
  const open = new Set<RawTrackerClient>();
  cleanups.push(() => open.forEach((c) => c.terminate()));
  const sockets: RawTrackerClient[] = [];
  for (let s = 0; s < SOCKETS; s++) {
    const c = await RawTrackerClient.open(t.url);
    open.add(c);
    sockets.push(c);
  }
  await Promise.all(
    sockets.map(async (c, s) => {
      for (let w = 0; w < SWARMS; w++) {
        for (let p = 0; p < PEER_IDS; p++) {
          const offers = [{ offer: { type: 'offer', sdp }, offer_id: id20(s * 100 + w * 10 + p, '-OF-') }];
          const reply = await c.request(announce(id20((s + w) % 40, '-IH-'), id20(s * PEER_IDS + p), { numwant: 1, offers }));
          expect(reply.interval).toBeGreaterThan(0);
        }
      }
    }),
  );
  expect(t.tracker.swarmCount).toBe(40);
  expect(t.tracker.peerCount).toBe(SOCKETS * SWARMS * PEER_IDS);
  const peak = heapMb();
  await Promise.all(
    sockets.map(async (c, s) => {
      if (s % 3 === 0) {
        for (let w = 0; w < SWARMS; w++) await c.request(announce(id20((s + w) % 40, '-IH-'), id20(s * PEER_IDS), { event: 'stopped', offers: undefined }));
        await c.close();
      } else if (s % 3 === 1) await c.close();
      else c.terminate();
    }),
  );
  open.clear();
  await until(() => t.tracker.swarmCount === 0 && t.tracker.peerCount === 0, 'every swarm to be dropped', 250, 20);
  await until(() => t.tracker.bookkeeping.sockets === 0 && t.tracker.bookkeeping.ips === 0, 'the tables to empty', 250, 20);
  expect(t.tracker.bookkeeping).toEqual({ sockets: 0, ips: 0, peerIds: 0 });
  return peak;
}

describe('tracker memory', () => {
  it('returns to no swarms, no peers, empty tables and its baseline heap after a flood of sockets and swarms closes', async () => {
    const t = await startTracker();
    cleanups.push(() => t.close());
    const start = heapMb();
    // The first flood warms up code and buffer pools; the baseline is the heap after it.
    await flood(t);
    const baseline = heapMb();
    const peak = await flood(t);
    const after = heapMb();
    console.info(
      `tracker heap (MB): ${start.toFixed(1)} at start, ${baseline.toFixed(1)} after a first flood, ${peak.toFixed(1)} with ${SOCKETS} sockets and ${SOCKETS * SWARMS * PEER_IDS} peers, ${after.toFixed(1)} after they closed`,
    );
    // Only meaningful with a forced collection; without one the figures are printed only.
    if ((globalThis as { gc?: () => void }).gc) expect(after - baseline).toBeLessThan(Math.max(1, (peak - baseline) / 4));
  }, 20_000);
});
