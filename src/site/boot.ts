import { SettingsClient } from '../settings/settings-client.js';
import { addressOfHost } from '../core/origins.js';
import { P2pBoot } from './boot-view.js';
import { SiteEngine, type EngineState } from './engine.js';
import { registrationRefusal, storageRefusal } from './storage-check.js';

/**
 * The first visit of a site's origin: register the service worker, fetch and verify the
 * site, then reload so the service worker serves it from the cache. Later visits never
 * see this page.
 */
const RELOAD_GUARD_KEY = 'p2p-boot-reloads';
/** Sites larger than this open as soon as the entry page is stored; the rest follows (resuming). */
const OPEN_EARLY_BYTES = 8_000_000;

const view = document.querySelector('p2p-boot') as P2pBoot;
const address = addressOfHost(location.hostname);

function show(state: EngineState): void {
  view.state = { ...state };
  view.requestUpdate();
  document.title = state.error ? 'Site unavailable' : 'Loading site…';
}

async function main(): Promise<void> {
  if (!address) {
    show({ address: location.hostname, phase: 'error', updateReady: false, warnings: [], error: { code: 'E_NOT_PUBLISHED', message: 'not a site address' } });
    return;
  }
  // Storage refused (Firefox with site data blocked, private windows): say so, rather than
  // let the engine's first BroadcastChannel or IndexedDB call throw and the page wait forever.
  const refused = await storageRefusal();
  if (refused) {
    show({ address, phase: 'error', updateReady: false, warnings: [], error: { code: refused.code, message: refused.message } });
    return;
  }
  const registration = navigator.serviceWorker.register('/__p2p/sw.js', { scope: '/', type: 'module' });
  // Firefox can still refuse the registration itself (a SecurityError) after the checks pass.
  let refusedLate = false;
  const registered = registration.then(
    () => true,
    (err: unknown) => {
      const reason = registrationRefusal(err);
      refusedLate = true;
      void engine.destroy();
      show({ address, phase: 'error', updateReady: false, warnings: [], error: { code: reason.code, message: reason.message } });
      return false;
    },
  );
  // Peers wait for the visitor's choice, however late it comes (the origin seed does not):
  // in "origin only" mode not one tracker socket or peer connection may open.
  const settings = new SettingsClient(address, (snapshot) => engine.updateResources(snapshot, { seedRank: snapshot.seedRank }));
  // `seed: false`: this page reloads into the site once the files are in; the site's pages seed.
  // `verifyHere`: nothing else runs on this page, so no worker is started for the check.
  const engine = new SiteEngine({ address, openPath: location.pathname, resources: () => settings.known, seed: false, verifyHere: true });
  // For the e2e tests and benchmarks only (src/build-flags.d.ts): production pages give
  // other scripts on them no handle on the engine.
  if (__P2P_TEST_HOOKS__) (globalThis as { p2pSite?: unknown }).p2pSite = { engine };
  let reloading = false;
  engine.addEventListener('state', async () => {
    if (refusedLate) return;
    show(engine.state);
    const s = engine.state;
    const early = s.entryStored && (s.stats?.bytesTotal ?? 0) > OPEN_EARLY_BYTES;
    if (reloading || !(s.phase === 'ready' || early)) return;
    reloading = true;
    if (!(await registered)) return;
    await navigator.serviceWorker.ready;
    if (!guardReload()) {
      show({ ...s, phase: 'error', error: { code: 'E_STORAGE', message: 'the cache did not keep the site' } });
      return;
    }
    // Not awaited: the reload ends the page's connections anyway, and waiting for them
    // to close would only delay the site.
    void engine.destroy();
    // Keep the boot timings across the reload for devtools and benchmarks.
    sessionStorage.setItem('p2p-boot-timing', JSON.stringify(performance.getEntriesByType('mark').filter((m) => m.name.startsWith('p2p:')).map((m) => [m.name, Math.round(m.startTime)])));
    location.reload();
  });
  await engine.start();
}

/** Stops a reload loop when the browser does not keep what was stored. */
function guardReload(): boolean {
  const now = Date.now();
  const recent = (JSON.parse(sessionStorage.getItem(RELOAD_GUARD_KEY) ?? '[]') as number[]).filter((t) => now - t < 30_000);
  if (recent.length >= 2) return false;
  sessionStorage.setItem(RELOAD_GUARD_KEY, JSON.stringify([...recent, now]));
  return true;
}

void main();
