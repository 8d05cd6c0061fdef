import { actInSiteFrame, commandManagePage, sitesShareAppSite } from '../bridge/site-frame.js';
import { SiteActionError } from '../bridge/errors.js';
import { MANAGE_PATH, parseVisitSummary, type SiteAction, type VisitSummary } from '../bridge/frame-messages.js';
import { siteOriginFor } from '../bridge/frame-origins.js';

/**
 * Pins, unpins or removes a visited site from its cache. The cache lives on the site's
 * origin, which only a page of that origin can reach: a hidden frame of the site's
 * `/__p2p/manage.html` when site origins are under the app's domain (see site-frame.ts),
 * otherwise that page as a small window (call it from a click, or the browser blocks
 * the window), which closes itself.
 * @returns the site's summary afterwards (undefined once removed).
 * @throws {SiteActionError} E_POPUP_BLOCKED, E_MANAGE_TIMEOUT, E_MANAGE_FAILED
 */
export async function manageSite(address: string, action: SiteAction, timeoutMs = 15_000): Promise<VisitSummary | undefined> {
  let result;
  if (sitesShareAppSite(location)) {
    result = await actInSiteFrame(address, action, location, timeoutMs);
  } else {
    const popup = window.open(`${siteOriginFor(address, location)}${MANAGE_PATH}`, `p2p-manage-${address}`, 'popup,width=360,height=200');
    if (!popup) throw new SiteActionError('E_POPUP_BLOCKED', 'the browser blocked the window that changes the site’s cache');
    // The window closes itself once done; after a timeout it is closed here.
    result = await commandManagePage(() => popup, address, action, location, timeoutMs).catch((err: unknown) => {
      popup.close();
      throw err;
    });
  }
  if (!result.ok) throw new SiteActionError('E_MANAGE_FAILED', 'the browser refused to change the site’s cache');
  return result.summary ? parseVisitSummary(result.summary, address) : undefined;
}
