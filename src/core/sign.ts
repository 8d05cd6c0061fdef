import * as ed from '@noble/ed25519';
import { fromHex, toHex } from './bytes.js';
import { verifyEd25519 } from './ed25519.js';
import { AddressError, SignatureError } from './errors.js';
import { addressFromPublicKey, publisherKeyFromAddress, type Address } from './keys.js';
import { DEFAULT_LIMITS, type SiteLimits } from './limits.js';
import { canonicalManifestBytes, parseManifest, type Manifest, type UnsignedManifest } from './manifest.js';
import { computeInfoHash } from './torrent.js';

/**
 * Signs a manifest with the publisher's 32-byte secret seed.
 * @throws {AddressError} E_BAD_KEY when the key does not belong to `manifest.address`.
 */
export async function signManifest(manifest: UnsignedManifest, secretKey: Uint8Array): Promise<Manifest> {
  const publicKey = await ed.getPublicKeyAsync(secretKey);
  if (addressFromPublicKey(publicKey) !== manifest.address) {
    throw new AddressError('E_BAD_KEY', `this key belongs to ${addressFromPublicKey(publicKey)}, not to ${manifest.address}; use the site's own key`);
  }
  const signature = await ed.signAsync(canonicalManifestBytes(manifest), secretKey);
  return { ...manifest, signature: toHex(signature) };
}

export interface VerifyOptions {
  /** When given, the manifest must be for this address. */
  address?: Address;
  limits?: SiteLimits;
}

/**
 * Fully checks an untrusted manifest: schema and limits, that the torrent info hash
 * matches the file list and piece hashes, and that the signature verifies for the
 * address it names. Returns the manifest in normalised form.
 * @throws {SignatureError} E_BAD_SIGNATURE, {AddressError} E_ADDRESS_MISMATCH, and
 *   whatever `parseManifest` throws for malformed input.
 */
export async function verifyManifest(input: unknown, options: VerifyOptions = {}): Promise<Manifest> {
  const manifest = parseManifest(input, options.limits ?? DEFAULT_LIMITS);
  if (options.address !== undefined && manifest.address !== options.address) {
    throw new AddressError('E_ADDRESS_MISMATCH', `manifest is for ${manifest.address}, expected ${options.address}`);
  }
  const infoHash = await computeInfoHash(manifest.files, manifest.torrent);
  if (infoHash !== manifest.torrent.infoHash) {
    throw new SignatureError('E_BAD_SIGNATURE', `torrent.infoHash ${manifest.torrent.infoHash} does not match the files and pieces (expected ${infoHash}); the manifest was altered`);
  }
  const ok = await verifyEd25519(fromHex(manifest.signature, 64, 'signature'), canonicalManifestBytes(manifest), publisherKeyFromAddress(manifest.address));
  if (!ok) {
    throw new SignatureError('E_BAD_SIGNATURE', `signature does not verify for ${manifest.address}; this copy was altered or forged, do not use it`);
  }
  return manifest;
}

// RFC 8032 section 7.1, TEST 1.
const SELF_TEST = {
  publicKey: 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
  signature: 'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
};
let prepared: Promise<boolean> | undefined;

/**
 * Verifies a known RFC 8032 vector once. The first verification builds the base-point
 * tables (tens of milliseconds); doing it while the network is busy takes that off the
 * path of the first real manifest. Resolves false if the platform's crypto is broken.
 */
export function prepareVerifier(): Promise<boolean> {
  prepared ??= verifyEd25519(fromHex(SELF_TEST.signature), new Uint8Array(0), fromHex(SELF_TEST.publicKey));
  return prepared;
}
