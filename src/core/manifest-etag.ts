import type { Manifest } from './manifest.js';

/**
 * The HTTP validator of a manifest: its seq and a piece of its signature (two versions
 * never share one). The server sends it; a page computes it from the version it holds and
 * asks with `If-None-Match` (docs/PROTOCOL.md, "Waiting for the next version").
 */
export function manifestEtag(manifest: Pick<Manifest, 'seq' | 'signature'>): string {
  return `"${manifest.seq}-${manifest.signature.slice(0, 16)}"`;
}
