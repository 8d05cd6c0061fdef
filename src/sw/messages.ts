/** Messages between the site's pages (engine) and its service worker. */

/** BroadcastChannel on which the engine announces files it has just stored. */
export const FILES_CHANNEL = 'p2p-files';

export interface FileStoredMessage {
  type: 'file-stored';
  sha256: string;
}

/** How long a request waits for a file the engine is still fetching. */
export const FILE_WAIT_MS = 30_000;

// Moved to src/core/origins.ts; re-exported for sw.ts and the pages that import it from
// here until they are rewritten (issue 16).
export { addressOfHost } from '../core/origins.js';
