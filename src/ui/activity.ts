import { parseVisitsChannelMessage, VISIT_OPEN_EXPIRY_MS, VISITS_CHANNEL, type VisitsChannelMessage, type VisitSummary } from '../bridge/frame-messages.js';
import { seeding, type Seeding } from './seeding.js';
import { keepSummary } from '../bridge/visits-store.js';

/** What this browser is doing right now, for the status indicator. */
export interface ActivityStatus {
  /** Sites shared now: published from this tab, or open in a tab and sharing. */
  sitesSeeding: number;
  peers: number;
  /** Bytes per second over the last few seconds. */
  upRate: number;
  downRate: number;
}

/**
 * Listens to the site pages' reports (relayed by their visits frames), keeps them for
 * "My sites", and sums up this browser's activity: the publisher's own seeding plus
 * every open site page. Emits `change` when something is new.
 */
export class Activity extends EventTarget {
  status: ActivityStatus = { sitesSeeding: 0, peers: 0, upRate: 0, downRate: 0 };
  /** Newest summary of each open site page, by session. */
  private readonly open = new Map<string, { summary: VisitSummary; first: VisitSummary; heardAt: number }>();
  private readonly samples: { at: number; up: number; down: number }[] = [];
  private channel?: BroadcastChannel;
  private timer?: ReturnType<typeof setInterval>;

  constructor(private readonly seeded: Seeding = seeding) {
    super();
  }

  start(): void {
    if (this.channel) return;
    this.channel = new BroadcastChannel(VISITS_CHANNEL);
    this.channel.onmessage = (event: MessageEvent<unknown>) => {
      const m = parseVisitsChannelMessage(event.data);
      if (m?.type === 'visit') void this.heard(m.summary);
    };
    // Ask open site pages to report now rather than in a couple of seconds.
    this.channel.postMessage({ type: 'query' } satisfies VisitsChannelMessage);
    this.seeded.addEventListener('change', () => this.tick());
    this.timer = setInterval(() => this.tick(), 1000);
    this.tick();
  }

  stop(): void {
    this.channel?.close();
    this.channel = undefined;
    if (this.timer) clearInterval(this.timer);
  }

  /** Open site pages as last heard, newest first. */
  openSites(): VisitSummary[] {
    return [...this.open.values()].map((o) => o.summary);
  }

  private async heard(summary: VisitSummary): Promise<void> {
    const known = this.open.get(summary.session);
    if (summary.open) this.open.set(summary.session, { summary, first: known?.first ?? summary, heardAt: Date.now() });
    else this.open.delete(summary.session);
    try {
      await keepSummary(summary);
    } catch (err) {
      console.warn('[p2p] could not keep a visited site', err);
    }
    this.tick();
    this.dispatchEvent(new CustomEvent('visit', { detail: summary }));
  }

  private tick(): void {
    const now = Date.now();
    for (const [session, o] of this.open) if (now - o.heardAt > VISIT_OPEN_EXPIRY_MS) this.open.delete(session);
    const published = this.seeded.all();
    const pages = [...this.open.values()];
    let up = 0;
    let down = 0;
    for (const p of published) up += p.transfer.stats.uploaded;
    for (const o of pages) {
      up += o.summary.uploaded - o.first.uploaded;
      down += o.summary.downloaded - o.first.downloaded;
    }
    this.samples.push({ at: now, up, down });
    while (this.samples.length > 1 && now - this.samples[0].at > 4000) this.samples.shift();
    const first = this.samples[0];
    const seconds = Math.max(1, (now - first.at) / 1000);
    const sharedHere = this.seeded.sharing.upload ? published : [];
    const addresses = new Set([...sharedHere.map((p) => p.manifest.address), ...pages.filter((o) => o.summary.seeding).map((o) => o.summary.address)]);
    const next: ActivityStatus = {
      sitesSeeding: addresses.size,
      peers: published.reduce((n, p) => n + p.transfer.stats.peers, 0) + pages.reduce((n, o) => n + o.summary.peers, 0),
      // A page that closed makes the sum drop; never show a negative rate.
      upRate: Math.max(0, (up - first.up) / seconds),
      downRate: Math.max(0, (down - first.down) / seconds),
    };
    if (JSON.stringify(next) !== JSON.stringify(this.status)) {
      this.status = next;
      this.dispatchEvent(new Event('change'));
    }
  }
}

export const activity = new Activity();
