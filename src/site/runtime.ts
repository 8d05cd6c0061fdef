import { addressOfHost } from '../sw/messages.js';
import { SiteEngine } from './engine.js';
import { P2pSiteStatus } from './status-view.js';

/**
 * Runs beside every page of a site (the service worker appends one script tag to HTML
 * pages): keeps the site's peer engine going so this visitor reseeds the site, checks
 * for a newer signed version, and shows the small status notice. One tab per site runs
 * the engine (a Web Lock), so several open tabs do not multiply connections.
 * Failures here never break the page: they are logged as warnings.
 */
async function main(): Promise<void> {
  const address = addressOfHost(location.hostname);
  if (!address || !navigator.serviceWorker?.controller) return;
  const run = async () => {
    const engine = new SiteEngine({ address });
    (globalThis as { p2pSite?: unknown }).p2pSite = { engine };
    const status = document.createElement('p2p-site-status') as P2pSiteStatus;
    status.onReload = async () => {
      await engine.applyUpdate();
      await engine.destroy();
      location.reload();
    };
    document.documentElement.append(status);
    engine.addEventListener('state', () => {
      status.state = { ...engine.state };
    });
    window.addEventListener('pagehide', () => void engine.destroy());
    await engine.start();
    // Hold the lock while this page lives.
    await new Promise<void>((resolve) => window.addEventListener('pagehide', () => resolve(), { once: true }));
  };
  if (navigator.locks) await navigator.locks.request(`p2p-engine:${address}`, run);
  else await run();
}

main().catch((err: unknown) => console.warn('[p2p] runtime stopped:', err));
