/**
 * Limits on what one site may hold. The defaults are chosen so that a site still
 * fits comfortably in a visitor's browser cache and a manifest stays small enough to
 * fetch and verify in a blink; each can be lowered or raised by the caller.
 */
export interface SiteLimits {
  /** Most files in one site. 10,000 covers large documentation sites; the manifest then stays near 1.5 MB. */
  maxFiles: number;
  /** Most bytes in one site, summed over files. 512 MiB: larger than that belongs in a torrent, not a browser cache. */
  maxTotalBytes: number;
  /** Most bytes in one file. Same as the total by default. */
  maxFileBytes: number;
  /** Most UTF-8 bytes in a path. 1,024 is below every common file system's PATH_MAX. */
  maxPathBytes: number;
  /** Most UTF-8 bytes in one path segment: 255, the common file name limit. */
  maxSegmentBytes: number;
  /** Deepest folder nesting. */
  maxDepth: number;
  /** Most bytes of a manifest's JSON form. 4 MiB bounds what a parser has to swallow. */
  maxManifestBytes: number;
}

export const DEFAULT_LIMITS: Readonly<SiteLimits> = Object.freeze({
  maxFiles: 10_000,
  maxTotalBytes: 512 * 1024 * 1024,
  maxFileBytes: 512 * 1024 * 1024,
  maxPathBytes: 1024,
  maxSegmentBytes: 255,
  maxDepth: 32,
  maxManifestBytes: 4 * 1024 * 1024,
});

export function resolveLimits(partial?: Partial<SiteLimits>): SiteLimits {
  return { ...DEFAULT_LIMITS, ...partial };
}
