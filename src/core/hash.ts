import { subtle } from './platform.js';

/** SHA-256 via WebCrypto (native in Node 20 and every browser). */
export async function sha256(data: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await subtle.digest('SHA-256', data));
}

/** SHA-1, only for BitTorrent v1 piece hashes and info hashes (BEP 3), never for trust. */
export async function sha1(data: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await subtle.digest('SHA-1', data));
}
