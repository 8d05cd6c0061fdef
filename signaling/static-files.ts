import { stat } from 'node:fs/promises';
import { join, normalize, sep } from 'node:path';
import { PAGE_FILES } from '../src/core/app-pages.js';
import { contentTypeFor } from '../src/core/content-type.js';

/**
 * Files of the Vite build that keep fixed names and must be re-checked on every load: the
 * build folder is emptied on each build, so a cached copy may name assets that are gone.
 * Every page (src/core/app-pages.ts) and every fixed-name script (vite.config.ts).
 */
const ALWAYS_REVALIDATE = new Set(['sw.js', 'runtime.js', 'loader.js', 'loader-engine.js', ...PAGE_FILES]);

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
  return { path, size: info.size, type: contentTypeFor(name), cacheControl, etag };
}
