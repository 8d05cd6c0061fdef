import { compareBytes, toHex } from './bytes.js';
import { contentTypeFor, contentTypeProblem } from './content-type.js';
import { LimitError, ManifestError, PathError } from './errors.js';
import { sha256 } from './hash.js';
import { keyPairFromSecret, addressFromPublicKey } from './keys.js';
import { resolveLimits, type SiteLimits } from './limits.js';
import { MANIFEST_VERSION, type Manifest, type ManifestFile, type UnsignedManifest } from './manifest.js';
import { normalisePath, pathCollisionKey } from './paths.js';
import { assertNotReservedPath } from './reserved-paths.js';
import { utf8 } from './platform.js';
import { signManifest } from './sign.js';
import { choosePieceLength, computeInfoHash, hashPieces } from './torrent.js';

export interface BundleInputFile {
  /** Path as the file system or browser gives it; normalised here. */
  path: string;
  bytes: Uint8Array;
  /** Content type; guessed from the extension when absent. */
  type?: string;
}

export interface BuildBundleOptions {
  files: readonly BundleInputFile[];
  /** The publisher's 32-byte secret seed; the site's address is derived from it. */
  secretKey: Uint8Array;
  seq: number;
  /** Defaults to now. Pass a fixed value for reproducible bundles. */
  createdAt?: number;
  /** Defaults to `index.html`, or the only HTML file when there is exactly one. */
  entry?: string;
  fallback?: string;
  limits?: Partial<SiteLimits>;
}

export interface Bundle {
  manifest: Manifest;
  /** The files in manifest order, bytes included. */
  files: { file: ManifestFile; bytes: Uint8Array }[];
}

/**
 * Builds and signs a site bundle from a list of files. The same files, key, seq and
 * createdAt give byte-identical manifests and torrents on every platform.
 * @throws {PathError} E_BAD_PATH / E_DUPLICATE_PATH / E_RESERVED_PATH, {LimitError} E_TOO_LARGE,
 *   {ManifestError} E_NO_ENTRY / E_BAD_MANIFEST, {AddressError} E_BAD_KEY
 */
export async function buildBundle(options: BuildBundleOptions): Promise<Bundle> {
  const limits = resolveLimits(options.limits);
  const { publicKey } = await keyPairFromSecret(options.secretKey);
  if (!Number.isSafeInteger(options.seq) || options.seq < 0) {
    throw new ManifestError('E_BAD_MANIFEST', `seq expected a non-negative safe integer, got ${options.seq}`);
  }
  if (options.files.length === 0) throw new ManifestError('E_BAD_MANIFEST', 'no files to publish; add at least an index.html');
  if (options.files.length > limits.maxFiles) {
    throw new LimitError('E_TOO_LARGE', `${options.files.length} files is more than the limit of ${limits.maxFiles}`);
  }

  const prepared: { path: string; bytes: Uint8Array; type: string; key: Uint8Array }[] = [];
  const seen = new Map<string, string>();
  let total = 0;
  for (const input of options.files) {
    const path = normalisePath(input.path, limits);
    assertNotReservedPath(path);
    const clash = seen.get(pathCollisionKey(path));
    if (clash !== undefined) throw new PathError('E_DUPLICATE_PATH', `"${path}" and "${clash}" differ only in case or Unicode form; rename one`);
    seen.set(pathCollisionKey(path), path);
    if (input.bytes.length > limits.maxFileBytes) {
      throw new LimitError('E_TOO_LARGE', `"${path}" is ${input.bytes.length} bytes, more than the limit of ${limits.maxFileBytes}`);
    }
    total += input.bytes.length;
    if (total > limits.maxTotalBytes) throw new LimitError('E_TOO_LARGE', `the site is more than the limit of ${limits.maxTotalBytes} bytes`);
    const type = input.type ?? contentTypeFor(path);
    const typeProblem = contentTypeProblem(type);
    if (typeProblem !== undefined) {
      throw new ManifestError('E_BAD_MANIFEST', `"${path}" has the content type ${JSON.stringify(type)}, which is not a valid Content-Type: it ${typeProblem}; pass another type or leave it out`);
    }
    prepared.push({ path, bytes: input.bytes, type, key: utf8(path) });
  }
  prepared.sort((a, b) => compareBytes(a.key, b.key));

  const files: ManifestFile[] = [];
  for (const p of prepared) files.push({ path: p.path, size: p.bytes.length, sha256: toHex(await sha256(p.bytes)), type: p.type });

  const entry = options.entry ?? defaultEntry(files);
  if (!files.some((f) => f.path === entry)) throw new ManifestError('E_NO_ENTRY', `entry "${entry}" is not among the files; add it or choose another entry`);
  if (options.fallback !== undefined && !files.some((f) => f.path === options.fallback)) {
    throw new ManifestError('E_NO_ENTRY', `fallback "${options.fallback}" is not among the files`);
  }

  const pieceLength = choosePieceLength(total);
  const pieces = toHex(await hashPieces(prepared.map((p) => p.bytes), pieceLength));
  // The torrent is named after the address, so two sites with identical files still
  // have distinct torrents (and info hashes) that cannot be confused with each other.
  const name = addressFromPublicKey(publicKey);
  const infoHash = await computeInfoHash(files, { name, pieceLength, pieces });

  const unsigned: UnsignedManifest = {
    v: MANIFEST_VERSION,
    address: addressFromPublicKey(publicKey),
    seq: options.seq,
    createdAt: options.createdAt ?? Date.now(),
    entry,
    files,
    torrent: { infoHash, name, pieceLength, pieces },
  };
  if (options.fallback !== undefined) unsigned.fallback = options.fallback;
  const manifest = await signManifest(unsigned, options.secretKey);
  return { manifest, files: files.map((file, i) => ({ file, bytes: prepared[i].bytes })) };
}

function defaultEntry(files: readonly ManifestFile[]): string {
  if (files.some((f) => f.path === 'index.html')) return 'index.html';
  const html = files.filter((f) => /\.html?$/i.test(f.path));
  if (html.length === 1) return html[0].path;
  throw new ManifestError('E_NO_ENTRY', 'no index.html at the top of the folder; add one or choose the entry page');
}
