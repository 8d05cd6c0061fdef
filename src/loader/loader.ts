/**
 * The embed loader: one script tag on an existing site moves its heavy assets to peers.
 *
 *   <script src="https://SERVER/loader.js" data-site="<address>" async></script>
 *   <img data-p2p-src="img/hero.jpg" alt="...">        (explicit)
 *   <script ... data-auto>                               (also plain img/video/audio/source/a[download])
 *
 * This file stays tiny: it looks up the site's manifest and loads the peer engine only
 * when the page has something the manifest holds. Every failure ends in the normal URL,
 * so the host page never breaks. The page's own code can use `p2p.fetch(path)`.
 */
// Types only: erased at build time, so the loader stays free of the engine's code.
import type { loadAssets } from './loader-engine.js';

interface LoaderEngine {
  loadAssets: typeof loadAssets;
}

interface Target {
  element: Element;
  attribute: 'src' | 'href';
  url: string;
}

(() => {
  const script = document.currentScript as HTMLScriptElement | null;
  const address = script?.dataset.site;
  if (!script || !address || (window as { p2p?: unknown }).p2p) return;
  const server = new URL(script.src).origin;
  const auto = script.hasAttribute('data-auto');
  const targets = new Map<string, Target[]>();
  const MANIFEST_TIMEOUT_MS = 4000;
  const ENGINE_TIMEOUT_MS = 10_000;

  const pathOf = (url: URL) => (url.origin === location.origin ? decodeURIComponent(url.pathname.replace(/^\/+/, '')) : undefined);
  const add = (element: Element, attribute: 'src' | 'href', value: string | null) => {
    if (!value) return;
    const url = new URL(value, location.href);
    const path = pathOf(url);
    if (path === undefined) return;
    const list = targets.get(path) ?? [];
    list.push({ element, attribute, url: url.href });
    targets.set(path, list);
  };
  for (const el of document.querySelectorAll('[data-p2p-src]')) add(el, 'src', el.getAttribute('data-p2p-src'));
  for (const el of document.querySelectorAll('[data-p2p-href]')) add(el, 'href', el.getAttribute('data-p2p-href'));
  if (auto) {
    for (const el of document.querySelectorAll('img[src], video[src], audio[src], source[src]')) add(el, 'src', el.getAttribute('src'));
    for (const el of document.querySelectorAll('a[download][href]')) add(el, 'href', el.getAttribute('href'));
  }

  const settled = new Set<string>();
  // Paths showing a MediaSource still filling: the next URL given replaces it.
  const streams = new Set<string>();
  const show = (path: string, url: string) => {
    if (settled.has(path) && !streams.delete(path)) return;
    settled.add(path);
    for (const t of targets.get(path) ?? []) {
      t.element.setAttribute(t.attribute, url);
      // A <source> only takes effect when its media element reloads.
      if (t.element instanceof HTMLSourceElement) (t.element.parentElement as HTMLMediaElement | null)?.load?.();
    }
  };
  // Files not shown yet get their normal URL; a stream already playing is left to the engine.
  const fallbackAll = () => {
    for (const [path, list] of targets) if (!settled.has(path)) show(path, list[0].url);
  };

  let engine: Promise<{ fetch(path: string): Promise<Response>; stats(): unknown } | undefined> = Promise.resolve(undefined);
  (window as { p2p?: unknown }).p2p = {
    /** A file of the site as a Response: from peers (verified) when possible, else from this host. */
    async fetch(path: string): Promise<Response> {
      const clean = path.replace(/^\/+/, '');
      const api = await engine.catch(() => undefined);
      if (api) return api.fetch(clean);
      return fetch(new URL(clean, location.origin));
    },
    /** What the peer engine did: counters and where each file came from (undefined without an engine). */
    async stats(): Promise<unknown> {
      return (await engine.catch(() => undefined))?.stats();
    },
  };

  const start = async () => {
    const response = await fetch(`${server}/api/sites/${address}`, { signal: AbortSignal.timeout(MANIFEST_TIMEOUT_MS) });
    if (!response.ok) throw new Error(`no manifest (${response.status})`);
    const manifest = (await response.json()) as { files?: { path: string }[] };
    const inManifest = new Set((manifest.files ?? []).map((f) => f.path));
    for (const path of [...targets.keys()]) {
      if (!inManifest.has(path)) show(path, targets.get(path)![0].url);
    }
    const wanted = [...targets.keys()].filter((p) => inManifest.has(p));
    if (wanted.length === 0 && !inManifest.size) return undefined;
    const module = (await import(/* @vite-ignore */ `${server}/__p2p/loader-engine.js`)) as LoaderEngine;
    return module.loadAssets({
      address,
      server,
      manifest,
      wanted,
      media: wanted.filter((p) => targets.get(p)!.some((t) => t.element instanceof HTMLMediaElement || t.element instanceof HTMLSourceElement)),
      hostUrl: (path) => targets.get(path)?.[0].url ?? new URL(path, location.origin).href,
      onFile: (path, blob, type) => show(path, URL.createObjectURL(type ? new Blob([blob], { type }) : blob)),
      onStream: (path, url) => {
        show(path, url);
        streams.add(path);
      },
      onFallback: (path) => show(path, targets.get(path)?.[0].url ?? ''),
    });
  };
  engine = start();
  engine.catch((err: unknown) => {
    console.warn('[p2p] loader fell back to normal URLs:', err);
    fallbackAll();
  });
  // Whatever happens, every asset shows within a bounded time.
  setTimeout(fallbackAll, ENGINE_TIMEOUT_MS);
})();
