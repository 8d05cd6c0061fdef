import { MANAGE_PATH, parseManageReply, type ManageCommandMessage, type SiteAction, type VisitSummary } from './frame-messages.js';
import { sentBy, siteOriginFor } from './frame-origins.js';
import { SiteActionError } from './errors.js';

export interface SiteActionResult {
  ok: boolean;
  reason?: string;
  summary?: VisitSummary;
  usage?: number;
}

/**
 * True when site origins share the app's registrable domain (`<address>.p2p.localhost`
 * under `p2p.localhost`, `<address>.p2p.example.org` under `p2p.example.org`), so a
 * frame of a site's origin inside an app-origin page keeps the site's own storage. A
 * bare `localhost` app is a site of its own, as is each `<address>.localhost`.
 */
export function sitesShareAppSite(app: { hostname: string }): boolean {
  return app.hostname.includes('.') && !/^\d+(\.\d+){3}$/.test(app.hostname);
}

/**
 * Runs a cache action on a site's origin from an app-origin page, without a window: a
 * hidden frame of `<site>/__p2p/manage.html` (a page of the site's origin that acts only
 * on commands from its app-origin parent) does it and answers. Needs `sitesShareAppSite`;
 * otherwise the frame has no storage and answers `ok: false`.
 * @throws {SiteActionError} E_MANAGE_TIMEOUT when the frame does not answer in time.
 */
export function actInSiteFrame(address: string, action: SiteAction, app: { protocol: string; host: string } = location, timeoutMs = 10_000): Promise<SiteActionResult> {
  const frame = document.createElement('iframe');
  frame.src = `${siteOriginFor(address, app)}${MANAGE_PATH}`;
  frame.hidden = true;
  frame.setAttribute('aria-hidden', 'true');
  frame.tabIndex = -1;
  const done = commandManagePage(() => frame.contentWindow, address, action, app, timeoutMs).finally(() => frame.remove());
  document.documentElement.append(frame);
  return done;
}

/**
 * The exchange with a site's manage page, in a frame or a window (`target`): wait for
 * it to say it is ready, send the command, wait for its answer.
 * @throws {SiteActionError} E_MANAGE_TIMEOUT when it does not answer in time.
 */
export function commandManagePage(target: () => Window | null, address: string, action: SiteAction, app: { protocol: string; host: string }, timeoutMs: number): Promise<SiteActionResult> {
  const origin = siteOriginFor(address, app);
  return new Promise<SiteActionResult>((resolve, reject) => {
    const finish = (fn: () => void) => {
      clearTimeout(timer);
      window.removeEventListener('message', onMessage);
      fn();
    };
    const timer = setTimeout(() => finish(() => reject(new SiteActionError('E_MANAGE_TIMEOUT', 'the site’s cache did not answer'))), timeoutMs);
    const onMessage = (event: MessageEvent<unknown>) => {
      const m = sentBy(event, origin, target()) ? parseManageReply(event.data, address) : undefined;
      if (m?.type === 'p2p-manage-ready') {
        target()!.postMessage({ type: 'p2p-manage', action } satisfies ManageCommandMessage, origin);
      } else if (m?.type === 'p2p-manage-done' && m.action === action) {
        finish(() => resolve({ ok: m.ok, reason: m.reason, summary: m.summary, usage: m.usage }));
      }
    };
    window.addEventListener('message', onMessage);
  });
}
