import { getSite, type SiteRecord } from '../store/site-cache.js';
import type { VisitSummary } from './frame-messages.js';

/** What the page knows live, beside the cache record. */
export interface LiveFacts {
  peers: number;
  seeding: boolean;
  /** Bytes this page moved so far (the record counts them only when the page saves). */
  downloaded: number;
  uploaded: number;
}

/** Totals saved before this page started, so live counters add to them once. */
export interface Baseline {
  downloaded: number;
  uploaded: number;
}

export function baselineOf(record: SiteRecord | undefined): Baseline {
  return { downloaded: (record?.bytesFromPeers ?? 0) + (record?.bytesFromOrigin ?? 0), uploaded: record?.bytesUploaded ?? 0 };
}

/** A summary of this origin's site: its cache record plus what this page does now. */
export function summaryOf(address: string, record: SiteRecord | undefined, baseline: Baseline, live: LiveFacts, session: string, title?: string): VisitSummary {
  const manifest = record?.current;
  const unique = new Map((manifest?.files ?? []).map((f) => [f.sha256, f.size]));
  return {
    address,
    seq: manifest?.seq,
    title,
    size: [...unique.values()].reduce((a, b) => a + b, 0),
    pinned: record?.pinned ?? false,
    lastVisit: record?.lastVisit ?? 0,
    downloaded: baseline.downloaded + live.downloaded,
    uploaded: baseline.uploaded + live.uploaded,
    peers: live.peers,
    seeding: live.seeding,
    session,
    at: Date.now(),
    open: true,
  };
}

export async function readRecord(address: string): Promise<SiteRecord | undefined> {
  return getSite(address);
}
