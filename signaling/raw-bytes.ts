/**
 * Headers for a site's raw file bytes (the origin seed and blobs): bytes a BitTorrent
 * client or our loader reads with `fetch`, never a document. Whatever type the publisher
 * declared, the response is inert: the browser downloads it rather than render it
 * (`application/octet-stream`, `Content-Disposition: attachment`, `nosniff`), and were it
 * ever rendered, the sandbox gives it an opaque origin with no script. These bytes are
 * served only on the origin of the site they belong to (see docs/ARCHITECTURE.md, "What
 * the server serves where"), so they can never act as another site's or the app's page.
 */
export const INERT_BYTES_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'Content-Security-Policy': "sandbox; default-src 'none'",
  'Content-Disposition': 'attachment',
  // Public, content-addressed bytes: any origin may read them (webseeds, the loader).
  'Cross-Origin-Resource-Policy': 'cross-origin',
});

export const RAW_BYTES_TYPE = 'application/octet-stream';
