import { CodedError } from '../core/index.js';

/**
 * Why an action on a site's cache (pin, unpin, remove, evict, measure) did not happen,
 * on either side of the frame: the app page asking (site-frame.ts, ui/manage-site.ts)
 * or the site's manage page doing it (site-actions.ts, manage-page.ts), which sends its
 * code back as the reply's `reason`. The app explains each (src/ui/messages.ts, `errorText`).
 */
export type SiteActionErrorCode =
  /** The site's manage page, in a frame or a window, did not answer in time. */
  | 'E_MANAGE_TIMEOUT'
  /** It answered that the browser refused to change the cache. */
  | 'E_MANAGE_FAILED'
  /** The browser blocked the window that reaches a site on an origin of its own. */
  | 'E_POPUP_BLOCKED'
  /** Evicting for the cache quota: the site's own record says pinned. */
  | 'E_PINNED'
  /** Evicting for the cache quota: a page of the site runs its engine now. */
  | 'E_OPEN';

export class SiteActionError extends CodedError<SiteActionErrorCode> {}
