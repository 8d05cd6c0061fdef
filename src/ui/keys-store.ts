import { createStore, del, entries, get, set, type UseStore } from 'idb-keyval';
import { addressFromPublicKey, keyPairFromSecret, type KeyPair } from '../core/index.js';

/**
 * Publisher keys, on the app's origin only (sites run on other origins and cannot read
 * this database). One key per site, by address.
 */
let defaultStore: UseStore | undefined;
function store(): UseStore {
  defaultStore ??= createStore('p2p-keys', 'keys');
  return defaultStore;
}

interface StoredKey {
  secretKey: Uint8Array;
  createdAt: number;
}

export async function saveKey(key: KeyPair, customStore = store()): Promise<string> {
  const address = addressFromPublicKey(key.publicKey);
  const existing = await get<StoredKey>(address, customStore);
  await set(address, { secretKey: key.secretKey, createdAt: existing?.createdAt ?? Date.now() } satisfies StoredKey, customStore);
  return address;
}

export async function loadKey(address: string, customStore = store()): Promise<KeyPair | undefined> {
  const stored = await get<StoredKey>(address, customStore);
  return stored ? keyPairFromSecret(stored.secretKey) : undefined;
}

export async function listKeys(customStore = store()): Promise<{ address: string; createdAt: number }[]> {
  return (await entries<string, StoredKey>(customStore)).map(([address, k]) => ({ address, createdAt: k.createdAt })).sort((a, b) => b.createdAt - a.createdAt);
}

export async function deleteKey(address: string, customStore = store()): Promise<void> {
  await del(address, customStore);
}
