import * as ed from '@noble/ed25519';
import { bdecode, bencode, type BDecoded, type BValue } from './bencode.js';
import { concatBytes, joinBytes, fromHex, toHex } from './bytes.js';
import { SignatureError, CoreError } from './errors.js';
import { sha1 } from './hash.js';
import { utf8 } from './platform.js';
import { verifyEd25519 } from './ed25519.js';

/**
 * A BEP 44 mutable item: a small bencoded value signed with an ed25519 key, stored
 * under `sha1(publicKey + salt)` in the BitTorrent DHT. Here its value names the
 * newest version of a site in the BEP 46 form `{ ih: <20-byte info hash> }`.
 */
export interface MutableItem {
  publicKey: Uint8Array;
  salt: Uint8Array;
  seq: number;
  /** The bencoded value, at most 1,000 bytes (BEP 44). */
  value: Uint8Array;
  signature: Uint8Array;
}

const MAX_VALUE_BYTES = 1000;
const MAX_SALT_BYTES = 64;

/**
 * The bytes BEP 44 signs: `4:salt<len>:<salt>` when a salt is used, then
 * `3:seqi<seq>e1:v<bencoded value>`.
 */
export function mutableSignedBytes(seq: number, value: Uint8Array, salt: Uint8Array = new Uint8Array(0)): Uint8Array {
  const parts: Uint8Array[] = [];
  if (salt.length > 0) parts.push(utf8(`4:salt${salt.length}:`), salt);
  parts.push(utf8(`3:seqi${seq}e1:v`), value);
  return joinBytes(parts);
}

/** The DHT key of a mutable item (BEP 44): SHA-1 of the public key then the salt. */
export async function mutableTarget(publicKey: Uint8Array, salt: Uint8Array = new Uint8Array(0)): Promise<Uint8Array> {
  return sha1(concatBytes(publicKey, salt));
}

function checkItemFields(seq: number, value: Uint8Array, salt: Uint8Array): void {
  if (!Number.isSafeInteger(seq) || seq < 0) throw new CoreError('E_BAD_POINTER', `seq expected a non-negative safe integer, got ${seq}`);
  if (value.length > MAX_VALUE_BYTES) throw new CoreError('E_BAD_POINTER', `value is ${value.length} bytes, BEP 44 allows ${MAX_VALUE_BYTES}`);
  if (salt.length > MAX_SALT_BYTES) throw new CoreError('E_BAD_POINTER', `salt is ${salt.length} bytes, BEP 44 allows ${MAX_SALT_BYTES}`);
}

/** Signs a mutable item whose value is `value` (any bencodable value). */
export async function signMutableItem(secretKey: Uint8Array, seq: number, value: BValue, salt: Uint8Array = new Uint8Array(0)): Promise<MutableItem> {
  const encoded = bencode(value);
  checkItemFields(seq, encoded, salt);
  const publicKey = await ed.getPublicKeyAsync(secretKey);
  const signature = await ed.signAsync(mutableSignedBytes(seq, encoded, salt), secretKey);
  return { publicKey, salt, seq, value: encoded, signature };
}

/**
 * Verifies a mutable item and decodes its value.
 * @throws {CoreError} E_BAD_POINTER on malformed fields, {SignatureError} E_BAD_SIGNATURE.
 */
export async function verifyMutableItem(item: MutableItem): Promise<BDecoded> {
  checkItemFields(item.seq, item.value, item.salt);
  let decoded: BDecoded;
  try {
    decoded = bdecode(item.value);
  } catch (cause) {
    throw new CoreError('E_BAD_POINTER', 'value is not canonical bencode', { cause });
  }
  const ok = await verifyEd25519(item.signature, mutableSignedBytes(item.seq, item.value, item.salt), item.publicKey);
  if (!ok) throw new SignatureError('E_BAD_SIGNATURE', 'mutable item signature does not verify for its public key');
  return decoded;
}

/** Signs the BEP 46 pointer `{ ih }` naming a site version by its info hash. */
export async function signSitePointer(secretKey: Uint8Array, seq: number, infoHash: string, salt?: Uint8Array): Promise<MutableItem> {
  return signMutableItem(secretKey, seq, { ih: fromHex(infoHash, 20, 'infoHash') }, salt);
}

/**
 * Verifies a BEP 46 pointer and returns the info hash it names (lowercase hex).
 * @throws {CoreError} E_BAD_POINTER, {SignatureError} E_BAD_SIGNATURE
 */
export async function verifySitePointer(item: MutableItem): Promise<string> {
  const value = await verifyMutableItem(item);
  const ih = value && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Uint8Array) ? value.ih : undefined;
  if (!(ih instanceof Uint8Array) || ih.length !== 20) throw new CoreError('E_BAD_POINTER', 'pointer value expected { ih: <20 bytes> }');
  return toHex(ih);
}
