import { bencode, equalBytes, fromHex, publisherKeyFromAddress, toHex, verifySitePointer, CoreError, type MutableItem } from '../src/core/index.js';

/**
 * A site's signed pointer as this server handles it: the BEP 44 mutable item for the
 * site's key, no salt, whose value is exactly the BEP 46 `{ ih: <20 bytes> }`, checked
 * under the project's strict Ed25519 rule. Nothing else is taken, from a publisher or
 * from the DHT.
 */
export interface SitePointer {
  address: string;
  seq: number;
  /** The version's info hash, lowercase hex. */
  infoHash: string;
  /** The bencoded value, `d2:ih20:<info hash>e` (27 bytes). */
  v: Uint8Array;
  /** Ed25519 signature over `3:seqi<seq>e1:v<v>` (BEP 44, no salt). */
  sig: Uint8Array;
}

/** The JSON form: the BEP 44 fields in hex, and what they say. */
export interface SitePointerJson {
  address: string;
  seq: number;
  infoHash: string;
  sig: string;
  v: string;
}

export function pointerJson(p: SitePointer): SitePointerJson {
  return { address: p.address, seq: p.seq, infoHash: p.infoHash, sig: toHex(p.sig), v: toHex(p.v) };
}

/** The BEP 46 value naming `infoHash`, in its one bencoding. */
export function pointerValue(infoHash: Uint8Array): Uint8Array {
  return bencode({ ih: infoHash });
}

/**
 * Verifies the BEP 44 fields of `address`'s pointer (no salt) and returns the pointer.
 * @throws {CoreError} E_BAD_POINTER (seq, value not exactly `{ ih }`), E_BAD_KEY,
 *   {SignatureError} E_BAD_SIGNATURE (not signed by the address's key under the strict rule).
 */
export async function checkPointer(address: string, seq: unknown, v: Uint8Array, sig: Uint8Array): Promise<SitePointer> {
  // A version's seq starts at 1 (src/core/manifest.ts); 0 names no version.
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 1) throw new CoreError('E_BAD_POINTER', `seq expected a whole number from 1, got ${String(seq).slice(0, 40)}`);
  const publicKey = publisherKeyFromAddress(address);
  const item: MutableItem = { publicKey, salt: new Uint8Array(0), seq, value: v, signature: sig };
  const infoHash = await verifySitePointer(item);
  // BEP 46 names the value `{ ih }`; with other keys the same version would have many pointers.
  if (!equalBytes(v, pointerValue(fromHex(infoHash)))) throw new CoreError('E_BAD_POINTER', 'pointer value expected exactly { ih: <20 bytes> } (BEP 46)');
  return { address, seq, infoHash, v, sig };
}

/**
 * Reads a pointer sent to the API: exactly `{ seq, sig, v }` (BEP 44 field names), `sig`
 * 128 hex characters, `v` the bencoded value in hex. Hostile until this returns.
 * @throws {CoreError} E_BAD_POINTER for the shape, and what `checkPointer` throws.
 */
export async function parsePointerBody(address: string, body: unknown): Promise<SitePointer> {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new CoreError('E_BAD_POINTER', 'a pointer is a JSON object { "seq", "sig", "v" }');
  const fields = body as Record<string, unknown>;
  const extra = Object.keys(fields).filter((k) => k !== 'seq' && k !== 'sig' && k !== 'v');
  if (extra.length) throw new CoreError('E_BAD_POINTER', `a pointer has only "seq", "sig" and "v"; remove ${JSON.stringify(extra[0].slice(0, 40))}`);
  if (typeof fields.sig !== 'string' || !/^[0-9a-f]{128}$/.test(fields.sig)) throw new CoreError('E_BAD_POINTER', 'sig expected 128 lowercase hex characters (the 64-byte Ed25519 signature)');
  if (typeof fields.v !== 'string' || !/^(?:[0-9a-f]{2}){1,1000}$/.test(fields.v)) throw new CoreError('E_BAD_POINTER', 'v expected the bencoded value in lowercase hex, at most 1,000 bytes (BEP 44)');
  return checkPointer(address, fields.seq, fromHex(fields.v), fromHex(fields.sig));
}
