import { chmod, readFile, writeFile } from 'node:fs/promises';
import { addressFromPublicKey, fromHex, keyPairFromSecret, toHex, type KeyPair } from '../../src/core/index.js';

/** A publisher's key file: JSON with the hex secret seed and the address, mode 0600. */
export interface KeyFile {
  address: string;
  secretKey: string;
}

export async function writeKeyFile(path: string, key: KeyPair): Promise<string> {
  const address = addressFromPublicKey(key.publicKey);
  const body: KeyFile = { address, secretKey: toHex(key.secretKey) };
  // `wx`: never overwrite an existing key; losing a key means losing the site.
  await writeFile(path, `${JSON.stringify(body, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  await chmod(path, 0o600);
  return address;
}

/** @throws {Error} with a message naming the file when it is missing or not a key file. */
export async function readKeyFile(path: string): Promise<KeyPair> {
  let parsed: Partial<KeyFile>;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8')) as Partial<KeyFile>;
  } catch (err) {
    throw new Error(`cannot read the key file ${path}: ${(err as Error).message}`);
  }
  if (typeof parsed.secretKey !== 'string') throw new Error(`${path} is not a key file (no "secretKey"); create one with \`p2psite keygen\``);
  const key = await keyPairFromSecret(fromHex(parsed.secretKey, 32, 'secretKey'));
  if (parsed.address && parsed.address !== addressFromPublicKey(key.publicKey)) throw new Error(`${path} is damaged: its address does not match its key`);
  return key;
}
