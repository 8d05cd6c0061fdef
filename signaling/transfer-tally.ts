/**
 * Turns the `uploaded` and `downloaded` totals browsers put in every tracker announce
 * (WebTorrent sends its torrent's running totals: bittorrent-tracker's client,
 * `getAnnounceOpts`) into byte counts the server can add up, without trusting them beyond
 * counting. Nothing here changes what the tracker answers.
 *
 * - A report is counted per *place* (one socket, peer_id and swarm), as the increase over
 *   the highest total that place reported before: a total that goes down counts nothing
 *   and does not lower the mark, so sending X, 0, X, 0 counts X once.
 * - Values that are not safe non-negative integers count nothing.
 * - One report counts at most `maxReportBytes` per field; one IP address at most
 *   `bytesPerIpPerMinute` per field in a fixed one-minute window. The rest is counted as
 *   refused, so an operator sees when the caps bite.
 *
 * A new socket starts from nothing, so a page that reconnects (a server restart) counts
 * its totals again; a client can also simply lie within the caps. These are visitors'
 * claims, bounded; see docs/PROTOCOL.md, "Operations".
 */

export interface TransferCounts {
  uploaded: number;
  downloaded: number;
}

export interface TransferTallyOptions {
  /** Most one announce may add, per field. Default 1 GiB (about 2 minutes at 8 MB/s between announces). */
  maxReportBytes?: number;
  /** Most one IP address may add per minute, per field. Default 2 GiB. */
  bytesPerIpPerMinute?: number;
  /** IP windows kept before stale ones are swept. Default 10,000. */
  maxIpWindows?: number;
  /** Places remembered per socket, the oldest forgotten first. Default 256. */
  marksPerSocket?: number;
}

export const DEFAULT_TRANSFER_TALLY: Readonly<Required<TransferTallyOptions>> = Object.freeze({
  maxReportBytes: 1024 ** 3,
  bytesPerIpPerMinute: 2 * 1024 ** 3,
  maxIpWindows: 10_000,
  marksPerSocket: 256,
});

/** What one report adds, and what the caps left out. */
export interface TallyResult {
  counted: TransferCounts;
  refused: TransferCounts;
}

const FIELDS = ['uploaded', 'downloaded'] as const;
const WINDOW_MS = 60_000;

/** A safe non-negative integer, or undefined for anything else (null, NaN, strings, 2^60). */
function total(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}

export class TransferTally<S extends object> {
  private readonly options: Required<TransferTallyOptions>;
  /** Highest totals per place; a closed socket's entries go with it. */
  private readonly marks = new WeakMap<S, Map<string, TransferCounts>>();
  private readonly windows = new Map<string, { start: number } & TransferCounts>();

  constructor(options: TransferTallyOptions = {}) {
    this.options = { ...DEFAULT_TRANSFER_TALLY, ...options };
  }

  /**
   * Counts one announce of `socket` (from `ip`) for `peerId` in swarm `infoHash`, whose
   * `uploaded` and `downloaded` fields are as the client sent them.
   */
  report(socket: S, ip: string, infoHash: string, peerId: string, fields: { uploaded?: unknown; downloaded?: unknown }, now = Date.now()): TallyResult {
    const result: TallyResult = { counted: { uploaded: 0, downloaded: 0 }, refused: { uploaded: 0, downloaded: 0 } };
    let places = this.marks.get(socket);
    if (!places) this.marks.set(socket, (places = new Map()));
    const key = `${infoHash}:${peerId}`;
    let mark = places.get(key);
    if (!mark) {
      // A `stopped` place keeps its mark (a stop and a new start cannot count the same
      // totals twice), so a socket cycling through swarms is bounded here instead.
      if (places.size >= this.options.marksPerSocket) places.delete(places.keys().next().value!);
      places.set(key, (mark = { uploaded: 0, downloaded: 0 }));
    }
    const window = this.window(ip, now);
    for (const field of FIELDS) {
      const value = total(fields[field]);
      if (value === undefined || value <= mark[field]) continue;
      const increase = value - mark[field];
      mark[field] = value;
      const allowed = Math.max(0, Math.min(increase, this.options.maxReportBytes, this.options.bytesPerIpPerMinute - window[field]));
      window[field] += allowed;
      result.counted[field] = allowed;
      result.refused[field] = increase - allowed;
    }
    return result;
  }

  /** IP windows held now, for tests. */
  get windowCount(): number {
    return this.windows.size;
  }

  private window(ip: string, now: number): { start: number } & TransferCounts {
    if (this.windows.size >= this.options.maxIpWindows) {
      for (const [k, w] of this.windows) if (now - w.start >= WINDOW_MS) this.windows.delete(k);
    }
    let w = this.windows.get(ip);
    if (!w || now - w.start >= WINDOW_MS) {
      w = { start: now, uploaded: 0, downloaded: 0 };
      // Still full of live windows (a flood of addresses): the oldest goes, so memory stays bounded.
      if (this.windows.size >= this.options.maxIpWindows) this.windows.delete(this.windows.keys().next().value!);
      this.windows.delete(ip);
      this.windows.set(ip, w);
    }
    return w;
  }
}
