/**
 * The paths the server keeps for itself on every origin, and the one way both the server
 * and the service worker read a request path, so the two can never disagree about
 * whether a request is a site file or the server's (`/announcements.html` is a site file;
 * `//seed/x`, `/%73eed/x` and `/a/../seed/x` are the origin seed).
 */

import { PathError } from './errors.js';

/** First path segments the server answers itself. A site may not publish a file under any of them. */
export const RESERVED_SEGMENTS: readonly string[] = Object.freeze(['__p2p', 'seed', 'api', 'announce', 'healthz', 'metrics']);

const RESERVED = new Set(RESERVED_SEGMENTS);

/**
 * The segments of a URL path as a server resolves them: each segment percent-decoded
 * once, a decoded `/` (`%2F`) splitting it further, empty segments (`//`) and `.` dropped,
 * `..` removing the one before. Undefined when an escape is broken (`%zz`).
 */
export function requestPathSegments(pathname: string): string[] | undefined {
  const out: string[] = [];
  for (const raw of pathname.split('/')) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(raw);
    } catch {
      return undefined;
    }
    for (const segment of decoded.split('/')) {
      if (segment === '' || segment === '.') continue;
      if (segment === '..') out.pop();
      else out.push(segment);
    }
  }
  return out;
}

/** What a request path is: one of the server's own (by its first segment), a site's, or broken. */
export type RequestPathKind =
  | { kind: 'reserved'; segment: string; segments: string[] }
  | { kind: 'site'; segments: string[] }
  | { kind: 'bad' };

/** Classifies a request path by its normalised first segment (exact, case-sensitive). */
export function classifyRequestPath(pathname: string): RequestPathKind {
  const segments = requestPathSegments(pathname);
  if (!segments) return { kind: 'bad' };
  const first = segments[0];
  return first !== undefined && RESERVED.has(first) ? { kind: 'reserved', segment: first, segments } : { kind: 'site', segments };
}

/** True when a site file path (canonical, as in a manifest) starts with a reserved segment. */
export function isReservedSitePath(path: string): boolean {
  return RESERVED.has(path.split('/')[0]);
}

/**
 * Refuses a site file the server would shadow: one whose first segment is exactly a
 * reserved one (`api/index.html`, `announce`, `seed/x.png`; not `announcements.html`,
 * `API/x` or `apis/x`). Such a file could never be fetched from the site's origin, so
 * a manifest holding one is refused rather than published half-broken.
 * @throws {PathError} E_RESERVED_PATH naming the path and the segment.
 */
export function assertNotReservedPath(path: string): void {
  if (!isReservedSitePath(path)) return;
  const segment = path.split('/')[0];
  const shown = JSON.stringify(path.length > 80 ? `${path.slice(0, 80)}...` : path);
  throw new PathError(
    'E_RESERVED_PATH',
    `path ${shown} starts with "${segment}", which the server keeps for itself (${RESERVED_SEGMENTS.join(', ')}); rename that ${path.includes('/') ? 'folder' : 'file'} or move it into another folder`,
  );
}
