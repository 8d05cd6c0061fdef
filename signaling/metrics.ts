import { SiteBytes, type ByteSource } from './site-bytes.js';
import type { PageReport } from './page-reports.js';
import type { TallyResult } from './transfer-tally.js';

export interface MetricsOptions {
  /** Sites named in `p2p_site_bytes`; the rest are summed under `site="other"`. Default 20. */
  topSites?: number;
  /** Sites whose bytes are kept in memory (the busiest; see SiteBytes). Default 1,000. */
  trackedSites?: number;
}

/** What the tracker's tables hold now (Tracker.bookkeeping). */
export interface TrackerGauges {
  sockets: number;
  ips: number;
  peerIds: number;
}

/**
 * Counters and gauges, printed in the Prometheus text format (version 0.0.4). Every label
 * has a bounded set of values: `source` and `field` fixed words, `status` an HTTP status,
 * `site` one of at most `topSites` addresses or "other". What each series means and how
 * far to trust it: docs/PROTOCOL.md, "Operations".
 */
export class Metrics {
  private readonly bytes: SiteBytes;
  private readonly topSites: number;
  private readonly announced = { uploaded: 0, downloaded: 0, refusedUploaded: 0, refusedDownloaded: 0 };
  private readonly pages = { fromOrigin: 0, uploaded: 0, accepted: 0, refused: 0 };
  private readonly publishes = { accepted: 0, refused: 0 };
  private readonly requests = new Map<number, number>();
  swarms = () => 0;
  peers = () => 0;
  tracker = (): TrackerGauges => ({ sockets: 0, ips: 0, peerIds: 0 });
  /** Manifest requests held open (manifest-waiters.ts): one per open page of a site. */
  openPages = () => 0;

  constructor(options: MetricsOptions = {}) {
    this.topSites = options.topSites ?? 20;
    this.bytes = new SiteBytes(Math.max(this.topSites, options.trackedSites ?? 1000));
  }

  /** Bytes of site files the origin seed sent (measured as they are written). */
  addOriginBytes(address: string, bytes: number): void {
    this.bytes.add(address, 'origin', bytes);
  }

  /**
   * One page's report (page-reports.ts), already within its caps: `fromPeers` is what the
   * page says it got from peers, the bytes the origin did not have to send.
   */
  addPageReport(report: PageReport): void {
    this.bytes.add(report.address, 'peers', report.fromPeers);
    this.pages.fromOrigin += report.fromOrigin;
    this.pages.uploaded += report.uploaded;
  }

  countPageReport(result: 'accepted' | 'refused'): void {
    this.pages[result]++;
  }

  /**
   * One tracker announce's counted totals (transfer-tally.ts), from any BitTorrent client
   * of the tracker, stock WebTorrent included.
   */
  addAnnounced(result: TallyResult): void {
    this.announced.uploaded += result.counted.uploaded;
    this.announced.downloaded += result.counted.downloaded;
    this.announced.refusedUploaded += result.refused.uploaded;
    this.announced.refusedDownloaded += result.refused.downloaded;
  }

  countPublish(result: 'accepted' | 'refused'): void {
    this.publishes[result]++;
  }

  countRequest(status: number): void {
    this.requests.set(status, (this.requests.get(status) ?? 0) + 1);
  }

  originBytesFor(address: string): number {
    return this.bytes.of(address).origin;
  }

  text(): string {
    const tracker = this.tracker();
    const top = this.bytes.top(this.topSites);
    const siteLines: string[] = [];
    for (const source of ['origin', 'peers'] as ByteSource[]) {
      let named = 0;
      for (const [site, bytes] of top) {
        siteLines.push(`p2p_site_bytes{site="${site}",source="${source}"} ${bytes[source]}`);
        named += bytes[source];
      }
      siteLines.push(`p2p_site_bytes{site="other",source="${source}"} ${this.bytes.totals[source] - named}`);
    }
    const lines = [
      '# HELP p2p_swarms Torrents the tracker knows of.',
      '# TYPE p2p_swarms gauge',
      `p2p_swarms ${this.swarms()}`,
      '# HELP p2p_peers Peer entries in the tracker\'s swarms (one per peer_id and swarm).',
      '# TYPE p2p_peers gauge',
      `p2p_peers ${this.peers()}`,
      '# HELP p2p_open_pages Open pages of sites waiting on the server for their next version (one held manifest request each, "origin only" visitors included).',
      '# TYPE p2p_open_pages gauge',
      `p2p_open_pages ${this.openPages()}`,
      '# HELP p2p_tracker_sockets Open tracker WebSockets: about one per open page that may use peers.',
      '# TYPE p2p_tracker_sockets gauge',
      `p2p_tracker_sockets ${tracker.sockets}`,
      '# HELP p2p_tracker_peer_ids Distinct peer_ids on open tracker sockets: one per page engine.',
      '# TYPE p2p_tracker_peer_ids gauge',
      `p2p_tracker_peer_ids ${tracker.peerIds}`,
      '# HELP p2p_visitors Distinct client IP addresses holding a tracker socket (visitors behind one NAT count once).',
      '# TYPE p2p_visitors gauge',
      `p2p_visitors ${tracker.ips}`,
      '# HELP p2p_bytes_total Bytes of site files visitors got, by source: from the origin seed (measured here), from peers (as the sites\' pages report, capped).',
      '# TYPE p2p_bytes_total counter',
      `p2p_bytes_total{source="origin"} ${this.bytes.totals.origin}`,
      `p2p_bytes_total{source="peers"} ${this.bytes.totals.peers}`,
      '# HELP p2p_page_reported_bytes_total What the sites\' pages report beside bytes from peers: bytes from the origin (compare with p2p_bytes_total{source="origin"}) and uploaded to peers.',
      '# TYPE p2p_page_reported_bytes_total counter',
      `p2p_page_reported_bytes_total{field="from_origin"} ${this.pages.fromOrigin}`,
      `p2p_page_reported_bytes_total{field="uploaded"} ${this.pages.uploaded}`,
      '# HELP p2p_page_reports_total Reports of the sites\' pages (POST /api/report) by result; refused = over the per-IP rate.',
      '# TYPE p2p_page_reports_total counter',
      `p2p_page_reports_total{result="accepted"} ${this.pages.accepted}`,
      `p2p_page_reports_total{result="refused"} ${this.pages.refused}`,
      '# HELP p2p_announced_bytes_total Increases of the uploaded and downloaded totals any tracker client announces (stock WebTorrent included), capped.',
      '# TYPE p2p_announced_bytes_total counter',
      `p2p_announced_bytes_total{field="uploaded"} ${this.announced.uploaded}`,
      `p2p_announced_bytes_total{field="downloaded"} ${this.announced.downloaded}`,
      '# HELP p2p_announced_bytes_refused_total Announced increases left out by the caps per announce and per IP address.',
      '# TYPE p2p_announced_bytes_refused_total counter',
      `p2p_announced_bytes_refused_total{field="uploaded"} ${this.announced.refusedUploaded}`,
      `p2p_announced_bytes_refused_total{field="downloaded"} ${this.announced.refusedDownloaded}`,
      `# HELP p2p_site_bytes Bytes by source of the ${this.topSites} busiest sites since start; every other site summed under site="other". Which sites are named changes, so this is a gauge: use p2p_bytes_total for rates.`,
      '# TYPE p2p_site_bytes gauge',
      ...siteLines,
      '# HELP p2p_publishes_total Manifest uploads by result.',
      '# TYPE p2p_publishes_total counter',
      `p2p_publishes_total{result="accepted"} ${this.publishes.accepted}`,
      `p2p_publishes_total{result="refused"} ${this.publishes.refused}`,
      '# HELP p2p_http_requests_total HTTP requests by status.',
      '# TYPE p2p_http_requests_total counter',
      ...[...this.requests].map(([status, n]) => `p2p_http_requests_total{status="${status}"} ${n}`),
    ];
    return `${lines.join('\n')}\n`;
  }
}
