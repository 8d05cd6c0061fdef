import { SettingsClient } from '../settings/settings-client.js';
import { addressOfHost, appOriginOf } from '../core/origins.js';
import { SiteEngine } from './engine.js';
import { watchPageConditions } from './page-conditions.js';
import { P2pSiteStatus } from './status-view.js';
import { reportVisits } from './report-visit.js';
import { getSite } from '../store/site-cache.js';
import { HUB_PATH } from '../bridge/frame-messages.js';
import { HubClient } from '../bridge/hub-client.js';
import { metaPolicies, policiesAllow } from '../core/page-policy.js';

/**
 * Runs beside every page of a site (the service worker appends one script tag to HTML
 * pages): keeps the site's peer engine going so this visitor reseeds the site within
 * their settings, checks for a newer signed version, and shows the small status notice.
 * One tab per site runs the engine (a Web Lock), so several open tabs do not multiply
 * connections. Failures here never break the page: they are logged as warnings.
 */
/** A pinned site asks the browser to keep its storage under pressure too. */
async function keepIfPinned(address: string): Promise<void> {
  try {
    if ((await getSite(address))?.pinned && !(await navigator.storage?.persisted?.())) await navigator.storage?.persist?.();
  } catch (err) {
    console.warn('[p2p] could not ask for persistent storage', err);
  }
}

/** The policies the page's own meta tags set. */
function pagePolicies(doc: Document): string[] {
  return [...doc.querySelectorAll('meta[http-equiv]')]
    .filter((m) => m.getAttribute('http-equiv')?.toLowerCase() === 'content-security-policy')
    .map((m) => m.getAttribute('content') ?? '');
}

/**
 * The page's own CSP meta tags. The runtime may run while the page is still being parsed
 * (it is async, placed first), before those tags exist: then they are read from the
 * page's text, which the service worker answers from the cache.
 */
async function ownPolicies(): Promise<string[]> {
  if (document.readyState !== 'loading') return pagePolicies(document);
  try {
    return metaPolicies(await (await fetch(location.href)).text());
  } catch {
    return pagePolicies(document);
  }
}

export async function startRuntime(): Promise<void> {
  const address = addressOfHost(location.hostname);
  if (!address || !navigator.serviceWorker?.controller) return;
  // A page with a strict Content-Security-Policy of its own: do only what it allows,
  // quietly. Without requests to its own origin there is no engine (the page is still
  // served from the cache); without frames, the settings fall back (settings-client.ts).
  const policies = await ownPolicies();
  const self = location.origin;
  if (!policiesAllow(policies, 'connect', `${self}/api/sites/${address}`, self) || !policiesAllow(policies, 'connect', `${self.replace(/^http/, 'ws')}/announce`, self)) {
    console.info("[p2p] this page's Content-Security-Policy allows no requests to its own origin (connect-src): it is shown from the cache, without reseeding or updates");
    return;
  }
  const appOrigin = appOriginOf(location);
  const frames = policiesAllow(policies, 'frame', `${appOrigin}${HUB_PATH}`, self);
  const run = async () => {
    let engine: SiteEngine | undefined;
    // One app-origin frame for this page, shared by its settings and its visit reports.
    const hub = frames ? new HubClient(appOrigin, HUB_PATH) : undefined;
    const settings = new SettingsClient(
      address,
      (snapshot) => {
        engine?.updateResources(snapshot, { seedRank: snapshot.seedRank });
        settings.setSeeding(Boolean(engine?.seeding));
      },
      { frame: frames, hub },
    );
    engine = new SiteEngine({ address, resources: () => settings.known });
    const current = engine;
    if (hub) reportVisits(address, current, hub);
    // For the e2e tests and benchmarks only (src/build-flags.d.ts): production pages give
    // other scripts on them no handle on the engine.
    if (__P2P_TEST_HOOKS__) (globalThis as { p2pSite?: unknown }).p2pSite = { engine };
    const status = document.createElement('p2p-site-status') as P2pSiteStatus;
    status.onReload = async () => {
      await current.applyUpdate();
      void current.destroy();
      location.reload();
    };
    document.documentElement.append(status);
    current.addEventListener('state', () => {
      status.state = { ...current.state };
      settings.setSeeding(current.seeding);
    });
    const stopWatching = watchPageConditions(
      () => settings.snapshot.settings.hiddenGraceMs,
      (conditions) => current.updateResources(undefined, conditions),
    );
    window.addEventListener('pagehide', () => {
      stopWatching();
      settings.destroy();
      void current.destroy();
    });
    await current.start();
    void keepIfPinned(address);
    // Hold the lock while this page lives.
    await new Promise<void>((resolve) => window.addEventListener('pagehide', () => resolve(), { once: true }));
  };
  if (navigator.locks) await navigator.locks.request(`p2p-engine:${address}`, run);
  else await run();
}

