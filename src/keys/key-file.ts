/**
 * The publisher key file: one format for the app's export/import and for `p2psite`.
 *
 *   { "format": "p2psite-key", "version": 1, "address": "<52 base32>", "secretKey": "<64 hex>" }
 *   { "format": "p2psite-key", "version": 1, "address": "<52 base32>",
 *     "kdf": { "name": "PBKDF2", "hash": "SHA-256", "iterations": n, "salt": "<hex>" },
 *     "cipher": { "name": "AES-GCM", "iv": "<24 hex>" }, "data": "<96 hex>" }
 *
 * The address stays readable in a protected file so a publisher can tell files apart
 * without the passphrase. Read-only, the form the CLI wrote before this format,
 * `{ "address", "secretKey" }` with no "format", still opens: those files control live sites.
 */
import { addressFromPublicKey, fromHex, fromUtf8, isAddress, keyPairFromSecret, toHex, type KeyPair } from '../core/index.js';
import { IV_BYTES, MAX_ITERATIONS, MIN_ITERATIONS, openSecret, sealSecret, TAG_BYTES, type SealedSecret } from './key-cipher.js';
import { KeyFileError } from './errors.js';

export const KEY_FILE_FORMAT = 'p2psite-key';
export const KEY_FILE_VERSION = 1;
/** A key file is a few hundred bytes; anything far larger is the wrong file, and is not parsed. */
export const MAX_KEY_FILE_CHARS = 16 * 1024;

const SECRET_BYTES = 32;
const CHOOSE = 'choose a key exported from the app or made by `p2psite keygen`';
const OTHER_COPY = 'use another copy of the key';

/** What a key file says about itself, read without a passphrase. */
export interface KeyFileInfo {
  /** The address the file names; undefined only in an old CLI file that left it out. */
  address?: string;
  /** True when opening it needs a passphrase. */
  encrypted: boolean;
  /** True for the old CLI form without "format"; it opens, and is never written. */
  legacy: boolean;
}

export interface SerializeOptions {
  /** Encrypts the secret when non-empty; an empty string writes an unprotected file, as the app's empty field does. */
  passphrase?: string;
  /** PBKDF2 iterations, default DEFAULT_ITERATIONS (600,000). Lower only in tests. */
  iterations?: number;
}

export interface ParseOptions {
  /** Needed for a protected file; ignored for an unprotected one. */
  passphrase?: string;
}

type Parsed =
  | { kind: 'plain'; info: KeyFileInfo; secret: Uint8Array }
  | { kind: 'sealed'; info: KeyFileInfo & { address: string }; sealed: SealedSecret };

/** A value for an error message; long strings are cut so a pasted blob does not flood the terminal. */
function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return `"${value.length > 60 ? `${value.slice(0, 60)}…` : value}"`;
  return JSON.stringify(value) ?? typeof value;
}

function damaged(field: string, expected: string, got: string): KeyFileError {
  return new KeyFileError('E_DAMAGED_KEY_FILE', `the key file is damaged: "${field}" expected ${expected}, got ${got}; ${OTHER_COPY}`);
}

function hexField(value: unknown, field: string, bytes?: number): Uint8Array {
  try {
    return fromHex(value as string, bytes, field);
  } catch {
    // Only the length: the value may be most of a secret key, and messages end up in terminals and logs.
    const got = typeof value === 'string' ? `${value.length} characters` : show(value);
    throw damaged(field, bytes === undefined ? 'lowercase hex' : `${bytes} bytes of lowercase hex`, got);
  }
}

function record(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function readJson(text: string | Uint8Array): Record<string, unknown> {
  if (text.length > MAX_KEY_FILE_CHARS) throw new KeyFileError('E_NOT_KEY_FILE', `not a key file: it has ${text.length} ${typeof text === 'string' ? 'characters' : 'bytes'}, a key file under 1,000; ${CHOOSE}`);
  let value: unknown;
  try {
    value = JSON.parse(typeof text === 'string' ? text : fromUtf8(text));
  } catch {
    throw new KeyFileError('E_NOT_KEY_FILE', `not a key file: it is not JSON; ${CHOOSE}`);
  }
  const file = record(value);
  if (!file) throw new KeyFileError('E_NOT_KEY_FILE', `not a key file: it is JSON but not an object; ${CHOOSE}`);
  return file;
}

function checkAddress(value: unknown, optional: boolean): string | undefined {
  if (optional && value === undefined) return undefined;
  if (!isAddress(value)) throw damaged('address', 'a 52-character site address', show(value));
  return value;
}

function readSealed(file: Record<string, unknown>): SealedSecret {
  const kdf = record(file.kdf);
  const cipher = record(file.cipher);
  if (!kdf) throw damaged('kdf', 'an object', show(file.kdf));
  if (!cipher) throw damaged('cipher', 'an object', show(file.cipher));
  if (kdf.name !== 'PBKDF2') throw damaged('kdf.name', '"PBKDF2"', show(kdf.name));
  if (kdf.hash !== 'SHA-256') throw damaged('kdf.hash', '"SHA-256"', show(kdf.hash));
  const iterations = kdf.iterations;
  if (typeof iterations !== 'number' || !Number.isSafeInteger(iterations) || iterations < MIN_ITERATIONS || iterations > MAX_ITERATIONS) {
    throw damaged('kdf.iterations', `an integer from ${MIN_ITERATIONS} to ${MAX_ITERATIONS}`, show(iterations));
  }
  const salt = hexField(kdf.salt, 'kdf.salt');
  // RFC 8018 §4.1 asks for at least 8 bytes of salt.
  if (salt.length < 8) throw damaged('kdf.salt', 'at least 8 bytes of lowercase hex', show(kdf.salt));
  if (cipher.name !== 'AES-GCM') throw damaged('cipher.name', '"AES-GCM"', show(cipher.name));
  const iv = hexField(cipher.iv, 'cipher.iv', IV_BYTES);
  const data = hexField(file.data, 'data', SECRET_BYTES + TAG_BYTES);
  return { iterations, salt, iv, data };
}

/** Checks everything that can be checked without the passphrase. */
function readKeyFileText(text: string | Uint8Array): Parsed {
  const file = readJson(text);
  if (!('format' in file)) {
    if (typeof file.secretKey !== 'string') throw new KeyFileError('E_NOT_KEY_FILE', `not a p2psite key file: it has no "format": "${KEY_FILE_FORMAT}"; ${CHOOSE}`);
    const address = checkAddress(file.address, true);
    return { kind: 'plain', info: { address, encrypted: false, legacy: true }, secret: hexField(file.secretKey, 'secretKey', SECRET_BYTES) };
  }
  if (file.format !== KEY_FILE_FORMAT) throw new KeyFileError('E_NOT_KEY_FILE', `not a p2psite key file: "format" is ${show(file.format)}, expected "${KEY_FILE_FORMAT}"; ${CHOOSE}`);
  if (file.version !== KEY_FILE_VERSION) {
    throw new KeyFileError('E_NOT_KEY_FILE', `key file version ${show(file.version)} is not one this build reads (${KEY_FILE_VERSION}); update the app or p2psite`);
  }
  const address = checkAddress(file.address, false)!;
  if ('secretKey' in file) return { kind: 'plain', info: { address, encrypted: false, legacy: false }, secret: hexField(file.secretKey, 'secretKey', SECRET_BYTES) };
  if (!('data' in file)) throw damaged('secretKey', `the hex secret key, or "kdf", "cipher" and "data" for a protected key`, 'nothing');
  return { kind: 'sealed', info: { address, encrypted: true, legacy: false }, sealed: readSealed(file) };
}

/**
 * What a key file names and whether it needs a passphrase, without opening it.
 * @throws {KeyFileError} E_NOT_KEY_FILE, E_DAMAGED_KEY_FILE.
 */
export function describeKeyFile(text: string | Uint8Array): KeyFileInfo {
  return readKeyFileText(text).info;
}

/**
 * Opens a key file: the app's format (plain or protected) or the old CLI form.
 * @throws {KeyFileError} E_NOT_KEY_FILE, E_DAMAGED_KEY_FILE, E_NEEDS_PASSPHRASE,
 *   E_WRONG_PASSPHRASE (also when the protected part or its address was altered),
 *   E_KEY_MISMATCH.
 */
export async function parseKeyFile(text: string | Uint8Array, options: ParseOptions = {}): Promise<KeyPair> {
  const parsed = readKeyFileText(text);
  let secret: Uint8Array;
  if (parsed.kind === 'plain') {
    secret = parsed.secret;
  } else {
    if (!options.passphrase) throw new KeyFileError('E_NEEDS_PASSPHRASE', 'the key file is protected by a passphrase; give its passphrase to open it');
    const opened = await openSecret(parsed.sealed, options.passphrase, parsed.info.address);
    if (!opened) throw new KeyFileError('E_WRONG_PASSPHRASE', 'the passphrase does not open this key file (or the file was altered); check the passphrase and try again');
    secret = opened;
  }
  const key = await keyPairFromSecret(secret);
  const address = addressFromPublicKey(key.publicKey);
  if (parsed.info.address !== undefined && parsed.info.address !== address) {
    throw new KeyFileError('E_KEY_MISMATCH', `the key in the file belongs to ${address}, not to the address it names, ${parsed.info.address}; the file was altered: ${OTHER_COPY}`);
  }
  return key;
}

/**
 * The file's text (pretty JSON, trailing newline). With a passphrase the secret is
 * encrypted; the address stays readable.
 * @throws {RangeError} when `options.iterations` is out of range.
 */
export async function serializeKeyFile(key: KeyPair, options: SerializeOptions = {}): Promise<string> {
  const address = addressFromPublicKey(key.publicKey);
  const head = { format: KEY_FILE_FORMAT, version: KEY_FILE_VERSION, address };
  if (!options.passphrase) return `${JSON.stringify({ ...head, secretKey: toHex(key.secretKey) }, null, 2)}\n`;
  const sealed = await sealSecret(key.secretKey, options.passphrase, address, options.iterations);
  const file = {
    ...head,
    kdf: { name: 'PBKDF2', hash: 'SHA-256', iterations: sealed.iterations, salt: toHex(sealed.salt) },
    cipher: { name: 'AES-GCM', iv: toHex(sealed.iv) },
    data: toHex(sealed.data),
  };
  return `${JSON.stringify(file, null, 2)}\n`;
}
