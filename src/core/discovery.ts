import { toHex } from './bytes.js';
import { sha1 } from './hash.js';
import { publicKeyFromAddress, type Address } from './keys.js';
import type { ManifestFile, TorrentDescription } from './manifest.js';
import { utf8 } from './platform.js';
import { computeInfoHash } from './torrent.js';

/**
 * Every version of a site has its own torrent, so peers holding different versions
 * never meet in one swarm. The discovery torrent is one per address and the same for
 * everybody: a single 52-byte file holding the address itself, which any client can
 * build from the address alone. All visitors of a site join it, and signed manifests
 * travel over its wires (see docs/PROTOCOL.md, "Discovery torrent and manifest exchange"), so a newer
 * version spreads between peers even while the server is down.
 */
export interface DiscoveryTorrent {
  files: Pick<ManifestFile, 'path' | 'size'>[];
  torrent: TorrentDescription;
  bytes: Uint8Array;
}

export async function discoveryTorrent(address: Address): Promise<DiscoveryTorrent> {
  publicKeyFromAddress(address);
  const bytes = utf8(address);
  const files = [{ path: 'address', size: bytes.length }];
  const partial = { name: 'p2psite-discovery', pieceLength: 16384, pieces: toHex(await sha1(bytes)) };
  return { files, torrent: { ...partial, infoHash: await computeInfoHash(files, partial) }, bytes };
}
