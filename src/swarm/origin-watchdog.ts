/** Help from the origin seed when peers alone would need longer than this for the rest. */
export const SLOW_PEERS_MS = 4000;

/** How often `watchOrigin` looks at a transfer's progress. */
const TICK_MS = 250;

/** A transfer's progress at one moment, as the watchdog sees it. */
export interface OriginSample {
  /** Milliseconds on the clock `startedAt` was read from. */
  now: number;
  /** Bytes received so far, from peers and webseeds together. */
  bytes: number;
  /** Bytes of files not stored yet. */
  remaining: number;
}

export interface OriginCheckOptions {
  /** How long peers may stall, or how long they have before their pace is judged, in ms. */
  graceMs: number;
  /** When the transfer started, on the same clock as `OriginSample.now`. */
  startedAt: number;
  /** The longest the rest may take from peers alone before the origin helps, in ms. Default SLOW_PEERS_MS. */
  slowPeersMs?: number;
}

/**
 * Decides, from one sample after another, whether peers need the origin seed's help:
 * they stalled for `graceMs`, or after `graceMs` their pace says the rest would take more
 * than `slowPeersMs`. Peers that keep up are left to do the job. Pure: time comes in with
 * each sample.
 */
export function originCheck(options: OriginCheckOptions): (sample: OriginSample) => boolean {
  const { graceMs, startedAt, slowPeersMs = SLOW_PEERS_MS } = options;
  let lastBytes = -1;
  let stalledSince = startedAt;
  return ({ now, bytes, remaining }) => {
    if (bytes !== lastBytes) {
      lastBytes = bytes;
      stalledSince = now;
    }
    if (now - stalledSince >= graceMs) return true;
    const elapsed = now - startedAt;
    if (elapsed < graceMs || bytes <= 0) return false;
    return remaining / (bytes / elapsed) > slowPeersMs;
  };
}

/** True when a tracker's swarm counts (its `update` event) show nobody but this browser. */
export function nobodyElse(counts: { complete?: number; incomplete?: number }): boolean {
  return (counts.complete ?? 0) + (counts.incomplete ?? 0) <= 1;
}

export interface WatchOriginOptions {
  graceMs: number;
  /** Bytes received and bytes still missing, read at each tick. */
  progress(): { bytes: number; remaining: number };
  /**
   * Called at every tick on which peers need help, until the returned stop is called:
   * the caller may decline (the origin is off) and be asked again.
   */
  needed(): void;
  /** Default `Date.now`. */
  clock?: () => number;
}

/** Runs `originCheck` every 250 ms on a transfer's progress; returns the function that stops it. */
export function watchOrigin(options: WatchOriginOptions): () => void {
  const clock = options.clock ?? Date.now;
  const check = originCheck({ graceMs: options.graceMs, startedAt: clock() });
  const timer = setInterval(() => {
    if (check({ now: clock(), ...options.progress() })) options.needed();
  }, TICK_MS);
  return () => clearInterval(timer);
}
