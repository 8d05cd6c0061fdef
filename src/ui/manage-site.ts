import { parseVisitSummary, siteOriginFor, type ManageCommandMessage, type ManageDoneMessage, type ManageReadyMessage, type SiteAction, type VisitSummary } from '../bridge/visit-messages.js';

/** Why an action on a site's cache did not happen (messages.ts explains each). */
export class ManageError extends Error {
  constructor(
    readonly code: 'E_POPUP_BLOCKED' | 'E_MANAGE_TIMEOUT' | 'E_MANAGE_FAILED',
    message: string,
  ) {
    super(`${code}: ${message}`);
    this.name = 'ManageError';
  }
}

/**
 * Pins, unpins or removes a visited site from its cache. The cache lives on the site's
 * origin, which only a first-party page there can reach, so this opens that origin's
 * `/__p2p/manage.html` as a small window, sends it the command once it says it is
 * ready, and waits for its answer; the window closes itself. Call it from a click, or
 * the browser blocks the window.
 * @returns the site's summary afterwards (undefined once removed).
 * @throws {ManageError}
 */
export function manageSite(address: string, action: SiteAction, timeoutMs = 15_000): Promise<VisitSummary | undefined> {
  const origin = siteOriginFor(address, location);
  const popup = window.open(`${origin}/__p2p/manage.html`, `p2p-manage-${address}`, 'popup,width=360,height=200');
  if (!popup) return Promise.reject(new ManageError('E_POPUP_BLOCKED', 'the browser blocked the window that changes the site’s cache'));
  return new Promise((resolve, reject) => {
    const finish = (fn: () => void) => {
      clearTimeout(timer);
      window.removeEventListener('message', onMessage);
      fn();
    };
    const timer = setTimeout(() => finish(() => {
      popup.close();
      reject(new ManageError('E_MANAGE_TIMEOUT', 'the site’s window did not answer'));
    }), timeoutMs);
    const onMessage = (event: MessageEvent<ManageReadyMessage | ManageDoneMessage>) => {
      if (event.origin !== origin || event.source !== popup) return;
      const m = event.data;
      if (m?.type === 'p2p-manage-ready' && m.address === address) {
        popup.postMessage({ type: 'p2p-manage', action } satisfies ManageCommandMessage, origin);
      } else if (m?.type === 'p2p-manage-done' && m.address === address && m.action === action) {
        finish(() => (m.ok ? resolve(m.summary ? parseVisitSummary(m.summary, address) : undefined) : reject(new ManageError('E_MANAGE_FAILED', 'the browser refused to change the site’s cache'))));
      }
    };
    window.addEventListener('message', onMessage);
  });
}
