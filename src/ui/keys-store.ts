import { createStore, del, entries, get, set, update, type UseStore } from 'idb-keyval';
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
  /** The site's title as last published from here (its start page's <title>). */
  title?: string;
}

/** A key as listed: never the secret. */
export interface KeyEntry {
  address: string;
  createdAt: number;
  title?: string;
}

export async function saveKey(key: KeyPair, customStore = store()): Promise<string> {
  const address = addressFromPublicKey(key.publicKey);
  const existing = await get<StoredKey>(address, customStore);
  await set(address, { ...existing, secretKey: key.secretKey, createdAt: existing?.createdAt ?? Date.now() } satisfies StoredKey, customStore);
  return address;
}

export async function loadKey(address: string, customStore = store()): Promise<KeyPair | undefined> {
  const stored = await get<StoredKey>(address, customStore);
  return stored ? keyPairFromSecret(stored.secretKey) : undefined;
}

export async function listKeys(customStore = store()): Promise<KeyEntry[]> {
  return (await entries<string, StoredKey>(customStore)).map(([address, k]) => ({ address, createdAt: k.createdAt, ...(k.title ? { title: k.title } : {}) })).sort((a, b) => b.createdAt - a.createdAt);
}

/**
 * Keeps the title a site was published with beside its key (manifests carry none), so the
 * key and site lists can name it; undefined clears it. Nothing happens without the key.
 */
export async function setKeyTitle(address: string, title: string | undefined, customStore = store()): Promise<void> {
  await update<StoredKey | undefined>(address, (old) => (old ? { ...old, title } : old), customStore);
}

export async function deleteKey(address: string, customStore = store()): Promise<void> {
  await del(address, customStore);
}
