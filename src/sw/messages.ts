/** Messages between the site's pages (engine) and its service worker. */

/** BroadcastChannel on which the engine announces files it has just stored. */
export const FILES_CHANNEL = 'p2p-files';

export interface FileStoredMessage {
  type: 'file-stored';
  sha256: string;
}

/** How long a request waits for a file the engine is still fetching. */
export const FILE_WAIT_MS = 30_000;

/** The site address of an origin like `<address>.localhost` or `<address>.example.org`. */
export function addressOfHost(hostname: string): string | undefined {
  const label = hostname.split('.')[0];
  return /^[a-z2-7]{52}$/.test(label) ? label : undefined;
}
