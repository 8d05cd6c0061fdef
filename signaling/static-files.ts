import { stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.webmanifest': 'application/manifest+json',
  '.txt': 'text/plain; charset=utf-8',
};

/** Files of the Vite build that keep fixed names and must be re-checked on every load. */
const ALWAYS_REVALIDATE = new Set(['sw.js', 'runtime.js', 'loader.js', 'boot.html', 'index.html', 'settings.html']);

export interface DistFile {
  path: string;
  size: number;
  type: string;
  cacheControl: string;
  /** Weak validator from size and modification time, so `no-cache` revalidation is cheap. */
  etag: string;
}

/**
 * Resolves a path under the build folder, refusing anything that would step outside it.
 * Hashed assets are immutable; fixed-name entry files are revalidated every time.
 */
export async function distFile(distDir: string, relative: string): Promise<DistFile | undefined> {
  const clean = normalize(relative).replace(/^([/\\])+/, '');
  if (clean.startsWith('..') || clean.includes(`${sep}..${sep}`)) return undefined;
  const path = join(distDir, clean);
  const info = await stat(path).catch(() => undefined);
  if (!info?.isFile()) return undefined;
  const name = clean.split(sep).pop()!;
  const cacheControl = clean.startsWith(`assets${sep}`) ? 'public, max-age=31536000, immutable' : ALWAYS_REVALIDATE.has(name) ? 'no-cache' : 'public, max-age=300';
  const etag = `W/"${info.size.toString(16)}-${Math.floor(info.mtimeMs).toString(16)}"`;
  return { path, size: info.size, type: TYPES[extname(name)] ?? 'application/octet-stream', cacheControl, etag };
}
