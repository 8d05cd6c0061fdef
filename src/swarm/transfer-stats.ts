import type { Manifest } from '../core/index.js';
import type { TransferStats } from './version-transfer.js';

/** A version's counters from what is already stored, before anything moved. */
export function statsOf(manifest: Manifest, stored: ReadonlyMap<string, Blob>): TransferStats {
  const storedFiles = manifest.files.filter((f) => stored.has(f.sha256));
  return {
    fromPeers: 0,
    fromOrigin: 0,
    uploaded: 0,
    peers: 0,
    filesDone: storedFiles.length,
    filesTotal: manifest.files.length,
    bytesDone: storedFiles.reduce((n, f) => n + f.size, 0),
    bytesTotal: manifest.files.reduce((n, f) => n + f.size, 0),
    usingOrigin: false,
    badPieces: 0,
    bannedPeers: 0,
  };
}
