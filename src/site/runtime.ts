/**
 * The script the service worker appends to a site's HTML pages. It waits for the page's
 * `load` event before fetching the engine, so the site opens exactly as fast as its own
 * files allow; reseeding and update checks start right after. Failures here never break
 * the page: they are logged as warnings.
 */
function whenLoaded(): Promise<void> {
  if (document.readyState === 'complete') return Promise.resolve();
  return new Promise((resolve) => window.addEventListener('load', () => resolve(), { once: true }));
}

whenLoaded()
  .then(() => import('./runtime-main.js'))
  .then((runtime) => runtime.startRuntime())
  .catch((err: unknown) => console.warn('[p2p] runtime stopped:', err));
