import { parseServerError, signSitePointer, type Manifest } from '../../src/core/index.js';
import { DhtNode, type DhtPutResult } from '../dht-node.js';
import { checkPointer, type SitePointer } from '../dht-pointer.js';

/**
 * The site's pointer for `manifest` (BEP 46 `{ ih }`, seq = the manifest's, no salt),
 * signed with the site's key and checked as any receiver checks it.
 */
export async function signManifestPointer(secretKey: Uint8Array, manifest: Manifest): Promise<SitePointer> {
  const item = await signSitePointer(secretKey, manifest.seq, manifest.torrent.infoHash);
  return checkPointer(manifest.address, item.seq, item.value, item.signature);
}

export interface DhtPublishOptions {
  /** `host:port` nodes; absent: the mainline DHT's public bootstrap nodes. */
  bootstrap?: string[];
  /** UDP port (default: the OS picks one). */
  port?: number;
  host?: string;
  timeoutMs?: number;
}

/**
 * Joins the DHT, puts the pointer (BEP 44 mutable put) and leaves.
 * @throws {DhtError} E_DHT_START, E_DHT_TIMEOUT, E_DHT_PUT
 */
export async function putPointerOnDht(pointer: SitePointer, options: DhtPublishOptions = {}): Promise<DhtPutResult> {
  const node = await DhtNode.start(options);
  try {
    return await node.put(pointer);
  } finally {
    await node.close();
  }
}

/**
 * Gives the pointer to the server, which re-puts it on the DHT every hour (BEP 44 items
 * expire). Answers what happened in one line; a server without `--dht` is not an error.
 */
export async function sendPointerToServer(server: string, pointer: SitePointer): Promise<string> {
  const body = JSON.stringify({ seq: pointer.seq, sig: Buffer.from(pointer.sig).toString('hex'), v: Buffer.from(pointer.v).toString('hex') });
  const res = await fetch(`${server}/api/sites/${pointer.address}/pointer`, { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body });
  if (res.ok) return 'the server re-announces the pointer on the DHT every hour';
  const refused = parseServerError(await res.json().catch(() => undefined));
  if (res.status === 503 && refused?.code === 'E_DHT_OFF') return 'the server does not join the DHT (no --dht): nobody re-announces the pointer';
  // An older server without the route, or a refusal: the site is published either way.
  return `the server did not take the pointer (${refused?.code ?? res.status}: ${refused?.message ?? res.statusText})`;
}

/**
 * The seq to publish after a 404 on the manifest: 1, or one more than the version a
 * server's DHT lookup names (404 E_POINTER_ONLY), so a key's versions keep growing when a
 * server lost its store (peers would refuse a lower seq: version rule).
 */
export async function seqAfterNotFound(res: Response): Promise<number> {
  const refused = parseServerError(await res.json().catch(() => undefined));
  // parseServerError keeps only a pointer whose seq is an integer from 1.
  const seq = refused?.code === 'E_POINTER_ONLY' ? refused.pointer?.seq : undefined;
  return seq === undefined ? 1 : seq + 1;
}
