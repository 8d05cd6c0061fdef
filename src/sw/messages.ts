/** Messages between the site's pages (engine) and its service worker. */

/** BroadcastChannel on which the engine announces files it has just stored. */
export const FILES_CHANNEL = 'p2p-files';

export interface FileStoredMessage {
  type: 'file-stored';
  sha256: string;
}

/** Several files stored in one transaction. */
export interface FilesStoredMessage {
  type: 'files-stored';
  sha256s: string[];
}

/** The server refuses the site now: the service worker stops serving it at once. */
export interface SiteDeniedMessage {
  type: 'site-denied';
}

export function isSiteDenied(message: unknown): boolean {
  return (message as { type?: unknown } | null)?.type === 'site-denied';
}

/** Whether a message on FILES_CHANNEL says the file with this sha256 was stored. */
export function announcesStored(message: unknown, sha256: string): boolean {
  const m = message as { type?: unknown; sha256?: unknown; sha256s?: unknown } | null;
  if (m?.type === 'file-stored') return m.sha256 === sha256;
  return m?.type === 'files-stored' && Array.isArray(m.sha256s) && m.sha256s.includes(sha256);
}

/** How long a request waits for a file the engine is still fetching. */
export const FILE_WAIT_MS = 30_000;
