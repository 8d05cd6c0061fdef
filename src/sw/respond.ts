import type { Manifest, ManifestFile } from '../core/index.js';
import { parseByteRange } from '../core/byte-range.js';
import { routeRequest } from './route.js';

/**
 * The script the service worker adds to each HTML page of a site (see docs/ARCHITECTURE.md),
 * right after the doctype. `async`: it runs as soon as it is loaded, even while the page's
 * own parser waits on a script of the site's that is still on its way, so the engine that
 * fetches that script is already running (at the end of the page it would wait for it: a
 * deadlock until the service worker's wait ran out, a 504).
 */
export const RUNTIME_TAG = '<script type="module" async src="/__p2p/runtime.js" data-p2p-runtime></script>';

/** A doctype after an optional BOM, whitespace and comments: the runtime goes after it, so the page keeps its mode. */
const DOCTYPE = /^\uFEFF?(?:\s|<!--[\s\S]*?-->)*<!doctype[^>]*>/i;

/** Where the runtime tag goes in an HTML file: the byte offset just after its doctype, else 0 (after a BOM). */
export async function runtimeOffset(blob: Blob): Promise<number> {
  // Decoded keeping a BOM (Blob.text() drops it, and the offset is in bytes).
  const head = new TextDecoder('utf-8', { ignoreBOM: true }).decode(await blob.slice(0, 4096).arrayBuffer());
  const doctype = DOCTYPE.exec(head);
  if (doctype) return new TextEncoder().encode(doctype[0]).length;
  return head.startsWith('\uFEFF') ? 3 : 0;
}

export interface ServeInput {
  manifest: Manifest;
  url: URL;
  method: string;
  rangeHeader: string | null;
  /** Bytes of a verified file, or undefined when not cached (yet). */
  getFile: (file: ManifestFile) => Promise<Blob | undefined>;
}

export type ServeResult = { kind: 'response'; response: Response } | { kind: 'missing'; file: ManifestFile };

/**
 * Answers one request of a site from its cached files: content type from the signed
 * manifest, ranges for media, folder indexes, redirects and the fallback page.
 */
export async function serveFromSite(input: ServeInput): Promise<ServeResult> {
  const route = routeRequest(input.manifest, input.url.pathname);
  if (route.kind === 'bad-request') return { kind: 'response', response: textPage(400, 'Bad request', route.reason) };
  if (route.kind === 'redirect') {
    return { kind: 'response', response: new Response(null, { status: 301, headers: { Location: route.location + input.url.search } }) };
  }
  if (route.kind === 'not-found') {
    return { kind: 'response', response: textPage(404, 'Page not found', `This site has no page at ${input.url.pathname}.`) };
  }
  const blob = await input.getFile(route.file);
  if (!blob) return { kind: 'missing', file: route.file };
  return { kind: 'response', response: await fileResponse(route.file, blob, route.status, input) };
}

async function fileResponse(file: ManifestFile, blob: Blob, status: number, input: ServeInput): Promise<Response> {
  const isHtml = /^text\/html\b/i.test(file.type);
  const headers = new Headers({
    'Content-Type': file.type,
    'X-Content-Type-Options': 'nosniff',
    'Cache-Control': 'no-cache',
    ETag: `"${file.sha256}"`,
  });
  const head = input.method === 'HEAD';
  if (isHtml) {
    // The page gets the runtime appended; everything else is served byte for byte.
    const at = await runtimeOffset(blob);
    const body = new Blob([blob.slice(0, at), RUNTIME_TAG, blob.slice(at)], { type: file.type });
    headers.set('Content-Length', String(body.size));
    return new Response(head ? null : body, { status, headers });
  }
  headers.set('Accept-Ranges', 'bytes');
  const range = status === 200 ? parseByteRange(input.rangeHeader, blob.size) : { kind: 'none' as const };
  if (range.kind === 'unsatisfiable') {
    headers.set('Content-Range', `bytes */${blob.size}`);
    return new Response(null, { status: 416, headers });
  }
  if (range.kind === 'range') {
    const part = blob.slice(range.start, range.end + 1);
    headers.set('Content-Range', `bytes ${range.start}-${range.end}/${blob.size}`);
    headers.set('Content-Length', String(part.size));
    return new Response(head ? null : part, { status: 206, headers });
  }
  headers.set('Content-Length', String(blob.size));
  return new Response(head ? null : blob, { status, headers });
}

/** A small, plain page for errors the site itself cannot answer. */
export function textPage(status: number, title: string, detail: string): Response {
  const escape = (s: string) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  const html = `<!doctype html><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${escape(title)}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:15vh auto;padding:0 1rem;color:#222}h1{font-size:1.4rem}</style>
<h1>${escape(title)}</h1><p>${escape(detail)}</p>`;
  return new Response(html, { status, headers: { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' } });
}
