import type { ManifestFile } from '../core/index.js';

/**
 * The service worker's second look at a file before it serves it. What it serves was
 * verified before it was stored, and only script of the site's own origin can write to
 * that origin's IndexedDB: the server never serves another site's bytes or any raw bytes
 * as a document there (docs/ARCHITECTURE.md, "A cached file is what was verified"). This
 * check is the cheap second line where a changed byte would act: every document, script,
 * style sheet and other active type of any size, and every other file up to 1 MiB, is
 * hashed again before it is served (WebCrypto, well under a millisecond for a page).
 * Large media and downloads are not re-hashed on every range request.
 */
const ACTIVE_TYPE = /^(?:text\/(?:html|javascript|css|xml)|application\/(?:javascript|ecmascript|json|xml|xhtml\+xml|wasm|manifest\+json)|image\/svg\+xml)\b|\+xml\b|\+json\b/i;
const ALWAYS_CHECKED_BYTES = 1024 * 1024;

export function needsServeCheck(file: Pick<ManifestFile, 'type' | 'size'>): boolean {
  return file.size <= ALWAYS_CHECKED_BYTES || ACTIVE_TYPE.test(file.type);
}

/** True when the blob's bytes still hash to the file's signed sha256. */
export async function blobMatches(file: Pick<ManifestFile, 'sha256' | 'size'>, blob: Blob): Promise<boolean> {
  if (blob.size !== file.size) return false;
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', await blob.arrayBuffer()));
  let hex = '';
  for (const byte of digest) hex += byte.toString(16).padStart(2, '0');
  return hex === file.sha256;
}
