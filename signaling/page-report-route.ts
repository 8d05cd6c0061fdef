import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError } from './errors.js';
import type { HostKind } from './host-kind.js';
import { readBody } from './http-util.js';
import type { Metrics } from './metrics.js';
import { DEFAULT_PAGE_REPORT_LIMITS, PageReportBudget, parsePageReport } from './page-reports.js';

export interface PageReportContext {
  metrics: Metrics;
  budget: PageReportBudget;
  /** True when this server stores the site and does not refuse it. */
  hosted: (address: string) => boolean;
  ip: string;
}

/**
 * `POST /api/report` on a site's own origin: a page of that site tells what it moved
 * (src/site/usage-report.ts). Counted within caps, never answered with anything but 204
 * or the reason it was refused. A browser page of another origin can send a simple POST
 * here too, so the `Origin` it must send has to be this very host.
 * @throws {HttpError} 405 E_METHOD, 403 E_WRONG_ORIGIN, 404 E_NOT_FOUND, 400 E_BAD_REPORT, 413, 429 E_RATE_LIMITED
 */
export async function pageReportRoute(req: IncomingMessage, res: ServerResponse, method: string, host: HostKind, context: PageReportContext): Promise<void> {
  if (method !== 'POST') throw new HttpError(405, 'E_METHOD', 'reports are sent with POST');
  if (host.kind !== 'site') throw new HttpError(404, 'E_NOT_FOUND', "reports are taken on the site's own origin: <address>.<this host>/api/report");
  if (!sameHost(req.headers.origin, req.headers.host)) throw new HttpError(403, 'E_WRONG_ORIGIN', "only the site's own pages report on its origin");
  const report = parsePageReport(new Uint8Array(await readBody(req, DEFAULT_PAGE_REPORT_LIMITS.maxBodyBytes)));
  if (report.address !== host.address) throw new HttpError(400, 'E_BAD_REPORT', "address must be the site of this origin");
  if (!context.hosted(report.address)) throw new HttpError(404, 'E_NOT_FOUND', 'this server does not host this site');
  const admitted = context.budget.admit(context.ip, report);
  context.metrics.countPageReport(admitted ? 'accepted' : 'refused');
  if (!admitted) throw new HttpError(429, 'E_RATE_LIMITED', 'too many reports from this address; a page reports once a minute');
  context.metrics.addPageReport(admitted);
  res.writeHead(204, { 'Cache-Control': 'no-store' });
  res.end();
}

function sameHost(origin: string | undefined, host: string | undefined): boolean {
  if (!origin || !host) return false;
  try {
    return new URL(origin).host === host.toLowerCase();
  } catch {
    return false;
  }
}
