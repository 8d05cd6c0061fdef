import type { BundleInputFile } from '../../src/core/index.js';
import { CliError } from './errors.js';

/**
 * The start page and the page for unknown paths, from the command line or from a small
 * `p2psite.json` at the top of the folder (flags win). A single-page app (`spa`) has its
 * shell answer every path no file matches, with status 200, so its own router can show
 * `/users/42` on a reload or a shared link; a `404.html` is answered with status 404.
 */
export const SITE_CONFIG_FILE = 'p2psite.json';

export interface SiteOptions {
  /** The page `/` serves. Default: `index.html`, or the only page. */
  entry?: string;
  /** The page for paths no file matches. Default: `404.html` when there is one. */
  fallback?: string;
  /** A single-page app: the fallback is the app's shell (the entry unless named), served with 200. */
  spa?: boolean;
}

/**
 * Takes `p2psite.json` out of the folder's files (it configures the publish; it is not
 * published) and reads it.
 * @throws {CliError} E_BAD_SITE_CONFIG naming what is wrong
 */
export function takeSiteConfig(files: BundleInputFile[]): { files: BundleInputFile[]; config: SiteOptions } {
  const file = files.find((f) => f.path === SITE_CONFIG_FILE);
  if (!file) return { files, config: {} };
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(file.bytes));
  } catch {
    throw new CliError('E_BAD_SITE_CONFIG', `${SITE_CONFIG_FILE} is not valid JSON; fix it or remove it`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new CliError('E_BAD_SITE_CONFIG', `${SITE_CONFIG_FILE} must be a JSON object like {"spa": true, "entry": "index.html"}`);
  const config: SiteOptions = {};
  for (const [key, value] of Object.entries(parsed)) {
    if ((key === 'entry' || key === 'fallback') && typeof value === 'string' && value.length > 0) config[key] = value;
    else if (key === 'spa' && typeof value === 'boolean') config.spa = value;
    else throw new CliError('E_BAD_SITE_CONFIG', `${SITE_CONFIG_FILE}: "${key.slice(0, 40)}" is not an option here (expected "entry" and "fallback" as paths, "spa" as true or false)`);
  }
  return { files: files.filter((f) => f !== file), config };
}

/** Flags over the folder's config over the defaults. Paths are checked against the files when the bundle is built (E_NO_ENTRY). */
export function resolveSiteOptions(files: readonly BundleInputFile[], flags: SiteOptions, config: SiteOptions): { entry?: string; fallback?: string } {
  const chosen: SiteOptions = { ...config, ...Object.fromEntries(Object.entries(flags).filter(([, v]) => v !== undefined)) };
  const hasPage = files.some((f) => f.path === 'index.html') || files.filter((f) => /\.html?$/i.test(f.path)).length === 1;
  // A folder of assets for the embed loader has no page; its entry is then its first file.
  const entry = chosen.entry ?? (hasPage ? undefined : [...files].sort((a, b) => (a.path < b.path ? -1 : 1))[0]?.path);
  if (chosen.fallback) return { entry, fallback: chosen.fallback };
  if (chosen.spa) return { entry, fallback: entry ?? (files.some((f) => f.path === 'index.html') ? 'index.html' : files.find((f) => /\.html?$/i.test(f.path))?.path) };
  return { entry, fallback: files.some((f) => f.path === '404.html') ? '404.html' : undefined };
}
