import { HttpError } from './errors.js';

/** One page's report (src/site/usage-report.ts): bytes moved since its last report. */
export interface PageReport {
  address: string;
  fromPeers: number;
  fromOrigin: number;
  uploaded: number;
}

export interface PageReportLimits {
  /** Largest report body. */
  maxBodyBytes: number;
  /** Most one report may claim, per field. Default 1 GiB. */
  maxReportBytes: number;
  /** Reports one IP address may send per minute (a page sends one a minute). Default 120. */
  reportsPerIpPerMinute: number;
  /** Most all reports of one IP address may claim per minute, per field. Default 2 GiB. */
  bytesPerIpPerMinute: number;
}

export const DEFAULT_PAGE_REPORT_LIMITS: Readonly<PageReportLimits> = Object.freeze({
  maxBodyBytes: 1024,
  maxReportBytes: 1024 ** 3,
  reportsPerIpPerMinute: 120,
  bytesPerIpPerMinute: 2 * 1024 ** 3,
});

const FIELDS = ['fromPeers', 'fromOrigin', 'uploaded'] as const;
const KEYS = new Set(['address', ...FIELDS]);

/**
 * Reads a report body: a JSON object of exactly `address` (a string) and the three
 * counts, each a safe integer from 0 to `maxReportBytes`.
 * @throws {HttpError} 400 E_BAD_REPORT saying which field is wrong
 */
export function parsePageReport(body: Uint8Array, limits: Pick<PageReportLimits, 'maxReportBytes'> = DEFAULT_PAGE_REPORT_LIMITS): PageReport {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
  } catch {
    throw new HttpError(400, 'E_BAD_REPORT', 'a report is a JSON object: { "address", "fromPeers", "fromOrigin", "uploaded" }');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new HttpError(400, 'E_BAD_REPORT', 'a report is a JSON object: { "address", "fromPeers", "fromOrigin", "uploaded" }');
  const record = value as Record<string, unknown>;
  const extra = Object.keys(record).find((k) => !KEYS.has(k));
  if (extra !== undefined) throw new HttpError(400, 'E_BAD_REPORT', `a report has no field "${extra.slice(0, 40)}"; send only address, fromPeers, fromOrigin and uploaded`);
  if (typeof record.address !== 'string') throw new HttpError(400, 'E_BAD_REPORT', 'address must be the site address as a string');
  const report: PageReport = { address: record.address, fromPeers: 0, fromOrigin: 0, uploaded: 0 };
  for (const field of FIELDS) {
    const n = record[field];
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0 || n > limits.maxReportBytes) {
      throw new HttpError(400, 'E_BAD_REPORT', `${field} must be a whole number of bytes from 0 to ${limits.maxReportBytes}, got ${JSON.stringify(n)?.slice(0, 40)}`);
    }
    report[field] = n;
  }
  return report;
}

/**
 * Per-IP budget of reports: at most `reportsPerIpPerMinute` reports and
 * `bytesPerIpPerMinute` claimed bytes per field in a fixed one-minute window; claims
 * beyond it are cut to what is left. Memory: one window per IP address seen in the last
 * minute, swept when it grows past `maxWindows`.
 */
export class PageReportBudget {
  private readonly windows = new Map<string, { start: number; reports: number } & Omit<PageReport, 'address'>>();

  constructor(
    private readonly limits: Pick<PageReportLimits, 'reportsPerIpPerMinute' | 'bytesPerIpPerMinute'> = DEFAULT_PAGE_REPORT_LIMITS,
    private readonly maxWindows = 10_000,
  ) {}

  /**
   * The part of `report` that fits this IP's budget, or undefined when it has sent too
   * many reports this minute.
   */
  admit(ip: string, report: PageReport, now = Date.now()): PageReport | undefined {
    if (this.windows.size >= this.maxWindows) {
      for (const [k, w] of this.windows) if (now - w.start >= 60_000) this.windows.delete(k);
      if (this.windows.size >= this.maxWindows) return undefined; // a flood of addresses: count none until it passes
    }
    let w = this.windows.get(ip);
    if (!w || now - w.start >= 60_000) this.windows.set(ip, (w = { start: now, reports: 0, fromPeers: 0, fromOrigin: 0, uploaded: 0 }));
    if (w.reports >= this.limits.reportsPerIpPerMinute) return undefined;
    w.reports++;
    const admitted: PageReport = { address: report.address, fromPeers: 0, fromOrigin: 0, uploaded: 0 };
    for (const field of FIELDS) {
      admitted[field] = Math.max(0, Math.min(report[field], this.limits.bytesPerIpPerMinute - w[field]));
      w[field] += admitted[field];
    }
    return admitted;
  }
}
