/**
 * Our own HTML pages: their sources are in `pages/`, and the build puts each at its
 * root, served as `/__p2p/<file>` (the app also at `/`, the boot page for every page of a
 * site's origin). One list for the Vite inputs (vite.config.ts), the server's guard and
 * its cache headers (signaling/app-files.ts, signaling/static-files.ts).
 */

/** Vite entry name → the page's file name. */
export const APP_PAGES = {
  /** The app, at `/` of the app's origin only, where it refuses to be framed. */
  app: 'index.html',
  /** Any page of a site's origin before its service worker runs. */
  boot: 'boot.html',
  /** The app's frame hub in site pages and boot pages (src/bridge/frame-hub.ts). */
  settings: 'settings.html',
  /** The same hub in the embed loader's host pages. */
  'loader-frame': 'loader-frame.html',
  /** A page of a site's origin that the app opens to pin, unpin or remove that site's cache. */
  manage: 'manage.html',
} as const;

/** The app-origin pages other origins embed as frames: never served on a site's origin. */
export const APP_ORIGIN_FRAMES: readonly string[] = [APP_PAGES.settings, APP_PAGES['loader-frame']];

/**
 * Every page keeps its name across builds while the build folder is emptied on each one,
 * so a cached copy would name assets that are gone: all of them are revalidated.
 */
export const PAGE_FILES: readonly string[] = Object.values(APP_PAGES);
