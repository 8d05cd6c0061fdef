/**
 * Key files on disk for the CLI: the shared format (src/keys/key-file.ts), written with
 * mode 0600 and never over an existing file.
 */
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { addressFromPublicKey, type KeyPair } from '../../src/core/index.js';
import { isKeyFileError, KeyFileError } from '../../src/keys/errors.js';
import { describeKeyFile, parseKeyFile, serializeKeyFile } from '../../src/keys/key-file.js';
import { CliError } from './errors.js';
import { passphraseFor, type PassphraseSources } from './passphrase.js';

export interface WriteKeyFileOptions {
  /** Protects the file like the app's export with a passphrase. */
  passphrase?: string;
}

/** Writes `key` to `path` in the app's format; answers its address. */
export async function writeKeyFile(path: string, key: KeyPair, options: WriteKeyFileOptions = {}): Promise<string> {
  const text = await serializeKeyFile(key, { passphrase: options.passphrase });
  // `wx`: never overwrite an existing key; losing a key means losing the site.
  await writeFile(path, text, { mode: 0o600, flag: 'wx' });
  // The mode above is masked by the umask; the file must not be readable by others.
  await chmod(path, 0o600);
  return addressFromPublicKey(key.publicKey);
}

/**
 * Reads a key file: the app's export (plain or protected) or the old CLI form. A
 * passphrase is looked for only when the file is protected.
 * @throws {CliError} E_KEY_FILE_UNREADABLE, E_PASSPHRASE_FILE, E_CANCELLED.
 * @throws {KeyFileError} any of its codes, with the file's path in the message.
 */
export async function readKeyFile(path: string, sources: PassphraseSources = {}): Promise<KeyPair> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new CliError('E_KEY_FILE_UNREADABLE', `cannot read the key file ${path}: ${(err as Error).message}; create one with \`p2psite keygen\``, { cause: err });
  }
  try {
    const passphrase = describeKeyFile(text).encrypted ? await passphraseFor(path, sources) : undefined;
    return await parseKeyFile(text, { passphrase });
  } catch (err) {
    if (isKeyFileError(err)) throw new KeyFileError(err.code, `${path}: ${err.detail}`, { cause: err });
    throw err;
  }
}
