/** Bytes a page's transfers moved, as VersionTransfer counts them (running totals). */
export interface UsageCounts {
  fromPeers: number;
  fromOrigin: number;
  uploaded: number;
}

/** How a report leaves the page; the default survives the page closing (`pagehide`). */
export type ReportSender = (url: string, body: string) => void;

const FIELDS = ['fromPeers', 'fromOrigin', 'uploaded'] as const;

/**
 * Tells the server what this page's transfers moved, as deltas since the last report:
 * `POST <site origin>/api/report` with `{ address, fromPeers, fromOrigin, uploaded }`
 * every `everyMs`, when the page goes hidden, and once more when the engine stops (page
 * hide, best effort: a beacon sent while a page unloads is sometimes lost). The server counts
 * these claims within caps and nothing else (docs/PROTOCOL.md, "Operations"). It learns
 * nothing it does not already see: the page's address and which site it has open.
 */
export class UsageReporter {
  private readonly marks = new WeakMap<object, UsageCounts>();
  private timer?: ReturnType<typeof setInterval>;
  private readonly onVisibility = () => {
    if (document.visibilityState === 'hidden') this.flush();
  };

  constructor(
    private readonly url: string,
    private readonly address: string,
    /** Each live transfer with its running totals; a transfer is its own key. */
    private readonly read: () => readonly { stats: UsageCounts }[],
    private readonly send: ReportSender = beacon,
  ) {}

  start(everyMs = 60_000): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => this.flush(), everyMs);
    // A page going hidden may never come back (a closed tab on a phone fires no pagehide),
    // and a beacon from a live page arrives, where one sent while unloading may be lost.
    if (typeof document !== 'undefined') document.addEventListener('visibilitychange', this.onVisibility);
  }

  /** Sends what moved since the last report, if anything did. Synchronous, so it works inside `pagehide`. */
  flush(): void {
    const delta: UsageCounts = { fromPeers: 0, fromOrigin: 0, uploaded: 0 };
    for (const transfer of this.read()) {
      const mark = this.marks.get(transfer) ?? { fromPeers: 0, fromOrigin: 0, uploaded: 0 };
      const now = { ...mark };
      for (const field of FIELDS) {
        const value = transfer.stats[field];
        if (Number.isSafeInteger(value) && value > mark[field]) {
          delta[field] += value - mark[field];
          now[field] = value;
        }
      }
      this.marks.set(transfer, now);
    }
    if (!delta.fromPeers && !delta.fromOrigin && !delta.uploaded) return;
    this.send(this.url, JSON.stringify({ address: this.address, ...delta }));
  }

  /** Stops the timer and sends the last report. */
  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    if (typeof document !== 'undefined') document.removeEventListener('visibilitychange', this.onVisibility);
    this.flush();
  }
}

/** `sendBeacon` (delivered after the page is gone), else a keepalive `fetch`. */
function beacon(url: string, body: string): void {
  const blob = new Blob([body], { type: 'application/json' });
  if (typeof navigator !== 'undefined' && navigator.sendBeacon?.(url, blob)) return;
  void fetch(url, { method: 'POST', body, keepalive: true, headers: { 'Content-Type': 'application/json' } }).catch(() => undefined);
}
