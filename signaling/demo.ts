import { readFile, writeFile, chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { buildBundle, canonicalManifestBytes, equalBytes, generateKeyPair, addressFromPublicKey, keyPairFromSecret } from '../src/core/index.js';
import { parseKeyFile, serializeKeyFile } from '../src/keys/key-file.js';
import { readFolder } from './cli/read-folder.js';
import type { RunningServer } from './server.js';

/**
 * Publishes the demo site under a key kept in the data folder: a new version only when
 * the files changed, so restarts keep the same address and version.
 */
export async function publishDemo(server: RunningServer, dataDir: string, folder: string): Promise<{ address: string; seq: number }> {
  const keyPath = join(dataDir, 'demo.key');
  let secret: Uint8Array;
  const text = await readFile(keyPath, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw err;
  });
  if (text === undefined) {
    const pair = await generateKeyPair();
    secret = pair.secretKey;
    // The app's key file format, so the demo's key also opens in the app and the CLI.
    // `wx` and 0600: never overwrite a key, never let other users read it.
    await writeFile(keyPath, await serializeKeyFile(pair), { mode: 0o600, flag: 'wx' });
    await chmod(keyPath, 0o600);
  } else {
    try {
      secret = (await parseKeyFile(text)).secretKey;
    } catch (err) {
      // Replacing it would silently move the demo to a new address: let the operator decide.
      throw new Error(`${keyPath} is not a demo key file (${(err as Error).message}); move it away to create a new one`);
    }
  }
  const { publicKey } = await keyPairFromSecret(secret);
  const address = addressFromPublicKey(publicKey);
  const files = await readFolder(folder);
  const current = server.store.current(address);
  if (current) {
    const same = await buildBundle({ files, secretKey: secret, seq: current.seq, createdAt: current.createdAt, fallback: current.fallback });
    if (equalBytes(canonicalManifestBytes(same.manifest), canonicalManifestBytes(current))) return { address, seq: current.seq };
  }
  const seq = (current?.seq ?? 0) + 1;
  const bundle = await buildBundle({ files, secretKey: secret, seq, fallback: files.some((f) => f.path === '404.html') ? '404.html' : undefined });
  for (const { file, bytes } of bundle.files) {
    const res = await fetch(`${server.url}/api/blobs/${file.sha256}`, { method: 'PUT', body: new Blob([bytes as BlobPart]) });
    if (!res.ok) throw new Error(`demo upload failed: ${res.status} ${await res.text()}`);
  }
  const res = await fetch(`${server.url}/api/sites/${address}`, { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(bundle.manifest) });
  if (!res.ok) throw new Error(`demo publish failed: ${res.status} ${await res.text()}`);
  return { address, seq };
}
