import { bencode, type BValue } from './bencode.js';
import { joinBytes, fromHex, toHex } from './bytes.js';
import { sha1 } from './hash.js';
import type { ManifestFile, TorrentDescription } from './manifest.js';

const MIN_PIECE = 16 * 1024;
const MAX_PIECE = 16 * 1024 * 1024;
/** Aim for at most this many pieces, so the piece list in the manifest stays small (40 KiB of hex). */
const TARGET_PIECES = 1024;

/**
 * Picks the piece length: the smallest power of two from 16 KiB up that keeps the
 * site within ~1,024 pieces. Small pieces let a 1 MB site come from several peers
 * at once; the cap keeps manifests of large sites small.
 */
export function choosePieceLength(totalBytes: number): number {
  let length = MIN_PIECE;
  while (length < MAX_PIECE && Math.ceil(totalBytes / length) > TARGET_PIECES) length *= 2;
  return length;
}

/**
 * The BitTorrent v1 info dictionary (BEP 3, multi-file form even for one file, so
 * webseed URLs always have the `<url>/<name>/<path>` shape of BEP 19).
 */
export function infoDictionary(files: readonly Pick<ManifestFile, 'path' | 'size'>[], torrent: Omit<TorrentDescription, 'infoHash'>): Record<string, BValue> {
  return {
    files: files.map((f) => ({ length: f.size, path: f.path.split('/') })),
    name: torrent.name,
    'piece length': torrent.pieceLength,
    pieces: fromHex(torrent.pieces),
  };
}

/** SHA-1 of the bencoded info dictionary, lowercase hex. */
export async function computeInfoHash(files: readonly Pick<ManifestFile, 'path' | 'size'>[], torrent: Omit<TorrentDescription, 'infoHash'>): Promise<string> {
  return toHex(await sha1(bencode(infoDictionary(files, torrent))));
}

/**
 * SHA-1 of each `pieceLength` slice of the files laid end to end, in manifest order.
 * Yields to the caller between pieces (each digest is a separate await), so large
 * sites do not freeze a page.
 */
export async function hashPieces(fileBytes: readonly Uint8Array[], pieceLength: number): Promise<Uint8Array> {
  const hashes: Uint8Array[] = [];
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  for (const bytes of fileBytes) {
    let offset = 0;
    while (offset < bytes.length) {
      const take = Math.min(pieceLength - pendingBytes, bytes.length - offset);
      pending.push(bytes.subarray(offset, offset + take));
      pendingBytes += take;
      offset += take;
      if (pendingBytes === pieceLength) {
        hashes.push(await sha1(joinBytes(pending)));
        pending = [];
        pendingBytes = 0;
      }
    }
  }
  if (pendingBytes > 0) hashes.push(await sha1(joinBytes(pending)));
  return joinBytes(hashes);
}

export interface TorrentFileOptions {
  /** Tracker URLs (WebSocket trackers for browsers). */
  announce?: string[];
  /** BEP 19 webseed base URLs; the client appends `<name>/<path>` to a URL ending in `/`. */
  urlList?: string[];
}

/** A complete `.torrent` file for the manifest's torrent, for handing to a BitTorrent client. */
export function torrentFile(files: readonly Pick<ManifestFile, 'path' | 'size'>[], torrent: TorrentDescription, options: TorrentFileOptions = {}): Uint8Array {
  const dict: Record<string, BValue> = { info: infoDictionary(files, torrent) };
  const announce = options.announce ?? [];
  if (announce.length > 0) {
    dict.announce = announce[0];
    dict['announce-list'] = announce.map((url) => [url]);
  }
  if (options.urlList && options.urlList.length > 0) dict['url-list'] = options.urlList;
  return bencode(dict);
}
