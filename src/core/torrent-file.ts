import type { Manifest } from './manifest.js';
import { torrentFile } from './torrent.js';

/** Where a stock BitTorrent client finds a site version: its tracker and its origin seed. */
export interface SiteTorrentEndpoints {
  /** The server's WebSocket tracker, `ws(s)://<host>/announce`. */
  tracker: string;
  /** The site's own origin, `http(s)://<address>.<host>` (no trailing slash needed). */
  siteOrigin: string;
}

/** A version's `.torrent` and magnet link, as handed to stock clients. */
export interface SiteTorrent {
  /** bencode of `{ announce, announce-list, info, url-list }`; its info hash is `manifest.torrent.infoHash`. */
  bytes: Uint8Array;
  /** `magnet:?xt=urn:btih:<infoHash>&dn=<name>&tr=<tracker>&ws=<webseed>` (BEP 9, BEP 19 `ws`). */
  magnet: string;
  /** The BEP 19 `url-list` entry: `<site origin>/seed/<infoHash>/`. */
  webseed: string;
}

/**
 * The origin seed URL of a version (docs/PROTOCOL.md, "Origin seed"): the client appends
 * `<torrent name>/<file path>` to it, since the torrent is always in the multi-file form.
 */
export function webseedUrl(siteOrigin: string, infoHash: string): string {
  return `${siteOrigin.replace(/\/+$/, '')}/seed/${infoHash}/`;
}

/**
 * Builds the `.torrent` and magnet link of a manifest's version for stock WebTorrent (or
 * any BEP 19 client): the info dictionary is rebuilt from the manifest, so the file's
 * info hash is the signed one, and a client that has only this file (no manifest) can
 * download from the origin seed alone, from peers of the same swarm, or both.
 * The manifest should be verified first (`verifyManifest`); nothing here checks it.
 */
export function siteTorrent(manifest: Manifest, endpoints: SiteTorrentEndpoints): SiteTorrent {
  const webseed = webseedUrl(endpoints.siteOrigin, manifest.torrent.infoHash);
  const bytes = torrentFile(manifest.files, manifest.torrent, { announce: [endpoints.tracker], urlList: [webseed] });
  const params = [
    `xt=urn:btih:${manifest.torrent.infoHash}`,
    `dn=${encodeURIComponent(manifest.torrent.name)}`,
    `tr=${encodeURIComponent(endpoints.tracker)}`,
    `ws=${encodeURIComponent(webseed)}`,
  ];
  return { bytes, magnet: `magnet:?${params.join('&')}`, webseed };
}
