import type { Manifest, ManifestFile } from '../core/index.js';

/** Where a request path leads within a site. */
export type Route =
  | { kind: 'file'; file: ManifestFile; status: 200 | 404 }
  | { kind: 'redirect'; location: string }
  | { kind: 'not-found' }
  | { kind: 'bad-request'; reason: string };

/**
 * Maps a URL path to a file of the site, as static hosts do: `/` is the entry,
 * `dir/` is `dir/index.html`, `dir` redirects to `dir/` when that folder has an index
 * (so relative links resolve), `page` finds `page.html`, and anything else gets the
 * manifest's fallback: with status 404 for a `404.html`, 200 for an app shell.
 */
export function routeRequest(manifest: Manifest, pathname: string): Route {
  let path: string;
  try {
    path = pathname
      .split('/')
      .map((segment) => decodeURIComponent(segment))
      .join('/');
  } catch {
    return { kind: 'bad-request', reason: 'the address has a broken %-escape' };
  }
  path = path.replace(/^\/+/, '');
  const byPath = filesByPath(manifest);
  const found = (p: string) => byPath.get(p);

  if (path === '') return fileRoute(found(manifest.entry)!);
  const exact = found(path);
  if (exact) return fileRoute(exact);
  if (path.endsWith('/')) {
    const index = found(`${path}index.html`);
    if (index) return fileRoute(index);
  } else {
    if (found(`${path}/index.html`)) return { kind: 'redirect', location: `${pathname}/` };
    const html = found(`${path}.html`);
    if (html) return fileRoute(html);
  }
  if (manifest.fallback) {
    const fallback = found(manifest.fallback)!;
    return { kind: 'file', file: fallback, status: /(^|\/)404\.html?$/.test(fallback.path) ? 404 : 200 };
  }
  return { kind: 'not-found' };
}

/** Built once per manifest: a many-file site's every request would otherwise index all its files again. */
const pathIndexes = new WeakMap<Manifest, Map<string, ManifestFile>>();

function filesByPath(manifest: Manifest): Map<string, ManifestFile> {
  let index = pathIndexes.get(manifest);
  if (!index) {
    index = new Map(manifest.files.map((f) => [f.path, f]));
    pathIndexes.set(manifest, index);
  }
  return index;
}

function fileRoute(file: ManifestFile): Route {
  return { kind: 'file', file, status: 200 };
}
