import { addressFromPublicKey, fromHex, keyPairFromSecret, toHex, utf8, fromUtf8, randomBytes, type KeyPair } from '../core/index.js';

/**
 * Exported publisher keys: a JSON file, optionally encrypted with a passphrase
 * (PBKDF2-SHA-256, 600,000 iterations, random 16-byte salt -> AES-256-GCM, random
 * 12-byte IV). Pure WebCrypto, so it runs in the app and in Node tests alike.
 */
export type KeyFileErrorCode = 'E_BAD_KEY_FILE' | 'E_WRONG_PASSPHRASE' | 'E_NEEDS_PASSPHRASE';

export class KeyFileError extends Error {
  constructor(
    readonly code: KeyFileErrorCode,
    message: string,
  ) {
    super(`${code}: ${message}`);
    this.name = 'KeyFileError';
  }
}

const FORMAT = 'p2psite-key';
const ITERATIONS = 600_000;

interface PlainKeyFile {
  format: typeof FORMAT;
  version: 1;
  address: string;
  secretKey: string;
}

interface EncryptedKeyFile {
  format: typeof FORMAT;
  version: 1;
  address: string;
  kdf: { name: 'PBKDF2'; hash: 'SHA-256'; iterations: number; salt: string };
  cipher: { name: 'AES-GCM'; iv: string };
  data: string;
}

async function deriveKey(passphrase: string, salt: Uint8Array, iterations: number): Promise<CryptoKey> {
  const base = await crypto.subtle.importKey('raw', utf8(passphrase) as BufferSource, 'PBKDF2', false, ['deriveKey']);
  return crypto.subtle.deriveKey({ name: 'PBKDF2', hash: 'SHA-256', salt: salt as BufferSource, iterations }, base, { name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
}

/** The file's text. With a passphrase the secret is encrypted; the address stays readable. */
export async function exportKey(key: KeyPair, passphrase?: string): Promise<string> {
  const address = addressFromPublicKey(key.publicKey);
  if (!passphrase) return JSON.stringify({ format: FORMAT, version: 1, address, secretKey: toHex(key.secretKey) } satisfies PlainKeyFile, null, 2);
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const aes = await deriveKey(passphrase, salt, ITERATIONS);
  const data = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv: iv as BufferSource, additionalData: utf8(address) as BufferSource }, aes, key.secretKey as BufferSource));
  const file: EncryptedKeyFile = {
    format: FORMAT,
    version: 1,
    address,
    kdf: { name: 'PBKDF2', hash: 'SHA-256', iterations: ITERATIONS, salt: toHex(salt) },
    cipher: { name: 'AES-GCM', iv: toHex(iv) },
    data: toHex(data),
  };
  return JSON.stringify(file, null, 2);
}

/** True when the file needs a passphrase to import. */
export function isEncrypted(text: string): boolean {
  try {
    return typeof (JSON.parse(text) as Partial<EncryptedKeyFile>).data === 'string';
  } catch {
    return false;
  }
}

/**
 * Reads an exported key.
 * @throws {KeyFileError} E_BAD_KEY_FILE (not a key file or damaged), E_NEEDS_PASSPHRASE,
 *   E_WRONG_PASSPHRASE.
 */
export async function importKey(text: string | Uint8Array, passphrase?: string): Promise<KeyPair> {
  let file: Partial<PlainKeyFile & EncryptedKeyFile>;
  try {
    file = JSON.parse(typeof text === 'string' ? text : fromUtf8(text));
  } catch {
    throw new KeyFileError('E_BAD_KEY_FILE', 'this is not a key file (it is not JSON); choose the file you exported');
  }
  if (file?.format !== FORMAT || file.version !== 1 || typeof file.address !== 'string') {
    throw new KeyFileError('E_BAD_KEY_FILE', 'this is not a p2psite key file; choose the file you exported');
  }
  let secret: Uint8Array;
  try {
    if (typeof file.secretKey === 'string') {
      secret = fromHex(file.secretKey, 32, 'secretKey');
    } else {
      if (!file.kdf || !file.cipher || typeof file.data !== 'string') throw new KeyFileError('E_BAD_KEY_FILE', 'the key file is incomplete');
      if (!passphrase) throw new KeyFileError('E_NEEDS_PASSPHRASE', 'this key file is protected; enter its passphrase');
      const iterations = file.kdf.iterations;
      if (!Number.isSafeInteger(iterations) || iterations < 100_000 || iterations > 10_000_000) throw new KeyFileError('E_BAD_KEY_FILE', 'the key file has an unusable iteration count');
      const aes = await deriveKey(passphrase, fromHex(file.kdf.salt), iterations);
      try {
        secret = new Uint8Array(
          await crypto.subtle.decrypt({ name: 'AES-GCM', iv: fromHex(file.cipher.iv, 12, 'iv') as BufferSource, additionalData: utf8(file.address) as BufferSource }, aes, fromHex(file.data) as BufferSource),
        );
      } catch {
        throw new KeyFileError('E_WRONG_PASSPHRASE', 'that passphrase does not open this key file; check it and try again');
      }
    }
  } catch (err) {
    if (err instanceof KeyFileError) throw err;
    throw new KeyFileError('E_BAD_KEY_FILE', 'the key file is damaged');
  }
  const key = await keyPairFromSecret(secret);
  if (addressFromPublicKey(key.publicKey) !== file.address) throw new KeyFileError('E_BAD_KEY_FILE', 'the key file is damaged: its key does not match its address');
  return key;
}
