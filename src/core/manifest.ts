import { bencode, type BValue } from './bencode.js';
import { compareBytes, describe, fromHex } from './bytes.js';
import { contentTypeProblem } from './content-type.js';
import { LimitError, ManifestError, PathError } from './errors.js';
import { publisherKeyFromAddress, type Address } from './keys.js';
import { DEFAULT_LIMITS, type SiteLimits } from './limits.js';
import { assertSafePath, pathCollisionKey } from './paths.js';
import { assertNotReservedPath } from './reserved-paths.js';
import { fromUtf8, utf8 } from './platform.js';
import { describeLoneSurrogate, loneSurrogateIndex } from './well-formed.js';

/** The manifest schema version this code reads and writes. */
export const MANIFEST_VERSION = 1;

/** One file of a site. `sha256` is lowercase hex; `type` is the Content-Type it is served with. */
export interface ManifestFile {
  path: string;
  size: number;
  sha256: string;
  type: string;
}

/**
 * The BitTorrent v1 description of the site's files, so a client can start the
 * transfer without fetching metadata from peers. The info dictionary is rebuilt
 * from `files`, `name`, `pieceLength` and `pieces` (see torrent.ts) and must hash
 * to `infoHash`.
 */
export interface TorrentDescription {
  infoHash: string;
  name: string;
  pieceLength: number;
  /** Concatenated 20-byte SHA-1 piece hashes, lowercase hex. */
  pieces: string;
}

export interface UnsignedManifest {
  v: typeof MANIFEST_VERSION;
  address: Address;
  seq: number;
  /** Milliseconds since the Unix epoch, set by the publisher; informative only. */
  createdAt: number;
  /** The file served for `/`. */
  entry: string;
  /** Optional file served for paths not in the site (a 404 page, or the app shell of a single-page app). */
  fallback?: string;
  /** Sorted by the UTF-8 bytes of `path`, no two colliding. */
  files: ManifestFile[];
  torrent: TorrentDescription;
}

export interface Manifest extends UnsignedManifest {
  /** Ed25519 signature over `canonicalManifestBytes`, lowercase hex (64 bytes). */
  signature: string;
}

const MANIFEST_KEYS = new Set(['v', 'address', 'seq', 'createdAt', 'entry', 'fallback', 'files', 'torrent', 'signature']);
const FILE_KEYS = new Set(['path', 'size', 'sha256', 'type']);
const TORRENT_KEYS = new Set(['infoHash', 'name', 'pieceLength', 'pieces']);

/**
 * The bytes a manifest's signature covers: the bencoding of every field except
 * `signature`. Bencode has one encoding per value, so any implementation gets the
 * same bytes from the same manifest (docs/PROTOCOL.md, "Canonical bytes").
 */
export function canonicalManifestBytes(manifest: UnsignedManifest): Uint8Array {
  const body: Record<string, BValue> = {
    v: manifest.v,
    address: manifest.address,
    seq: manifest.seq,
    createdAt: manifest.createdAt,
    entry: manifest.entry,
    files: manifest.files.map((f) => ({ path: f.path, size: f.size, sha256: f.sha256, type: f.type })),
    torrent: {
      infoHash: manifest.torrent.infoHash,
      name: manifest.torrent.name,
      pieceLength: manifest.torrent.pieceLength,
      pieces: manifest.torrent.pieces,
    },
  };
  if (manifest.fallback !== undefined) body.fallback = manifest.fallback;
  return bencode(body);
}

/** Number of pieces a torrent of `totalBytes` has at `pieceLength`. */
export function pieceCount(totalBytes: number, pieceLength: number): number {
  return Math.ceil(totalBytes / pieceLength);
}

/** Sum of file sizes. */
export function totalSize(files: readonly { size: number }[]): number {
  let total = 0;
  for (const f of files) total += f.size;
  return total;
}

/**
 * Checks the shape and every value of a manifest (not its signature; see
 * `verifyManifest`). Unknown fields are refused, because a verifier that ignored
 * them would accept data the signature does not cover.
 * @throws {ManifestError} E_BAD_MANIFEST, {PathError} E_BAD_PATH / E_DUPLICATE_PATH / E_RESERVED_PATH,
 *   {LimitError} E_TOO_LARGE, {AddressError} E_BAD_ADDRESS / E_BAD_KEY (an address whose key is
 *   small-order, non-canonical or off the curve), {EncodingError} E_BAD_ENCODING
 */
export function parseManifest(input: unknown, limits: SiteLimits = DEFAULT_LIMITS): Manifest {
  const m = asRecord(input, 'manifest');
  onlyKeys(m, MANIFEST_KEYS, 'manifest');
  if (m.v !== MANIFEST_VERSION) {
    throw new ManifestError('E_BAD_MANIFEST', `"v" expected ${MANIFEST_VERSION}, got ${describe(m.v)}; this manifest needs a newer app`);
  }
  const address = str(m.address, 'address');
  publisherKeyFromAddress(address);
  const seq = safeUint(m.seq, 'seq');
  const createdAt = safeUint(m.createdAt, 'createdAt');
  const entry = str(m.entry, 'entry');
  const fallback = m.fallback === undefined ? undefined : str(m.fallback, 'fallback');
  const signature = str(m.signature, 'signature');
  fromHex(signature, 64, 'signature');

  if (!Array.isArray(m.files)) throw new ManifestError('E_BAD_MANIFEST', `"files" expected an array, got ${describe(m.files)}`);
  if (m.files.length === 0) throw new ManifestError('E_BAD_MANIFEST', '"files" is empty; a site needs at least one file');
  if (m.files.length > limits.maxFiles) {
    throw new LimitError('E_TOO_LARGE', `site has ${m.files.length} files, more than the limit of ${limits.maxFiles}`);
  }
  const files: ManifestFile[] = [];
  const seen = new Map<string, string>();
  let total = 0;
  let previous: Uint8Array | undefined;
  for (let i = 0; i < m.files.length; i++) {
    const f = asRecord(m.files[i], `files[${i}]`);
    onlyKeys(f, FILE_KEYS, `files[${i}]`);
    const path = str(f.path, `files[${i}].path`);
    assertSafePath(path, limits);
    assertNotReservedPath(path);
    const size = safeUint(f.size, `files[${i}].size`);
    if (size > limits.maxFileBytes) {
      throw new LimitError('E_TOO_LARGE', `file "${path}" is ${size} bytes, more than the limit of ${limits.maxFileBytes}`);
    }
    total += size;
    if (total > limits.maxTotalBytes) {
      throw new LimitError('E_TOO_LARGE', `site is larger than the limit of ${limits.maxTotalBytes} bytes`);
    }
    const sha256 = str(f.sha256, `files[${i}].sha256`);
    fromHex(sha256, 32, `files[${i}].sha256`);
    const type = str(f.type, `files[${i}].type`);
    const typeProblem = contentTypeProblem(type);
    if (typeProblem !== undefined) {
      throw new ManifestError('E_BAD_MANIFEST', `"files[${i}].type" ${describe(type)} is not a valid Content-Type (RFC 9110 section 8.3.1): it ${typeProblem}`);
    }
    const pathBytes = utf8(path);
    if (previous && compareBytes(previous, pathBytes) >= 0) {
      throw new ManifestError('E_BAD_MANIFEST', `"files" must be sorted by path with no repeats; "${path}" is out of order`);
    }
    previous = pathBytes;
    const key = pathCollisionKey(path);
    const clash = seen.get(key);
    if (clash !== undefined) {
      throw new PathError('E_DUPLICATE_PATH', `"${path}" and "${clash}" differ only in case or Unicode form; rename one`);
    }
    seen.set(key, path);
    files.push({ path, size, sha256, type });
  }
  const names = new Set(files.map((f) => f.path));
  if (!names.has(entry)) throw new ManifestError('E_NO_ENTRY', `entry "${entry}" is not one of the site's files`);
  if (fallback !== undefined && !names.has(fallback)) {
    throw new ManifestError('E_NO_ENTRY', `fallback "${fallback}" is not one of the site's files`);
  }

  const t = asRecord(m.torrent, 'torrent');
  onlyKeys(t, TORRENT_KEYS, 'torrent');
  const infoHash = str(t.infoHash, 'torrent.infoHash');
  fromHex(infoHash, 20, 'torrent.infoHash');
  const name = str(t.name, 'torrent.name');
  if (name !== address) throw new ManifestError('E_BAD_MANIFEST', '"torrent.name" must be the site\'s address');
  const pieceLength = safeUint(t.pieceLength, 'torrent.pieceLength');
  if (pieceLength < 16384 || pieceLength > 16 * 1024 * 1024 || (pieceLength & (pieceLength - 1)) !== 0) {
    throw new ManifestError('E_BAD_MANIFEST', `"torrent.pieceLength" expected a power of two from 16 KiB to 16 MiB, got ${pieceLength}`);
  }
  const pieces = str(t.pieces, 'torrent.pieces');
  fromHex(pieces, pieceCount(total, pieceLength) * 20, 'torrent.pieces');

  const manifest: Manifest = { v: MANIFEST_VERSION, address, seq, createdAt, entry, files, torrent: { infoHash, name, pieceLength, pieces }, signature };
  if (fallback !== undefined) manifest.fallback = fallback;
  return manifest;
}

/**
 * Parses a manifest from its JSON text or bytes, with the size limit checked first.
 * @throws {LimitError} E_TOO_LARGE, {EncodingError} E_BAD_ENCODING, and what `parseManifest` throws.
 */
export function parseManifestJson(input: string | Uint8Array, limits: SiteLimits = DEFAULT_LIMITS): Manifest {
  const size = typeof input === 'string' ? input.length : input.length;
  if (size > limits.maxManifestBytes) {
    throw new LimitError('E_TOO_LARGE', `manifest is ${size} bytes, more than the limit of ${limits.maxManifestBytes}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(typeof input === 'string' ? input : fromUtf8(input));
  } catch (cause) {
    throw new ManifestError('E_BAD_MANIFEST', 'manifest is not valid UTF-8 JSON', { cause });
  }
  return parseManifest(value, limits);
}

function asRecord(value: unknown, field: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ManifestError('E_BAD_MANIFEST', `"${field}" expected an object, got ${describe(value)}`);
  }
  return value as Record<string, unknown>;
}

function onlyKeys(record: Record<string, unknown>, allowed: Set<string>, field: string): void {
  for (const key of Object.keys(record)) {
    if (!allowed.has(key)) throw new ManifestError('E_BAD_MANIFEST', `"${field}" has unknown field ${JSON.stringify(key)}`);
  }
}

function str(value: unknown, field: string): string {
  if (typeof value !== 'string') throw new ManifestError('E_BAD_MANIFEST', `"${field}" expected a string, got ${describe(value)}`);
  const lone = loneSurrogateIndex(value);
  if (lone >= 0) {
    throw new ManifestError(
      'E_BAD_MANIFEST',
      `"${field}" contains a lone UTF-16 surrogate (${describeLoneSurrogate(value, lone)}); strings must be well-formed Unicode, because UTF-8 cannot encode it and two different manifests would share canonical bytes`,
    );
  }
  return value;
}

function safeUint(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0 || Object.is(value, -0)) {
    throw new ManifestError('E_BAD_MANIFEST', `"${field}" expected a non-negative safe integer, got ${describe(value)}`);
  }
  return value;
}

