import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { assertNewerVersion, verifyManifest, type Manifest } from '../src/core/index.js';
import { HttpError } from './errors.js';
import { PendingBlobs, type PendingBlobsOptions } from './pending-blobs.js';

/**
 * The server's store: plain files under the data folder. Blobs are content-addressed
 * (`blobs/<aa>/<sha256>`); every version of every site is one file
 * (`sites/<address>/<seq>.json`), so older versions stay available to webseeds. Every
 * write goes to `tmp/`, is fsynced, then renamed into place and the folder fsynced, so a
 * crash or `kill -9` never leaves a half-written blob or manifest visible.
 */
export interface SiteStoreOptions {
  /** Told about a stored manifest that no longer verifies (it is then left out). */
  onDamaged?: (file: string, message: string) => void;
  /** How long blobs no manifest names are kept, and how many bytes of them per client IP. */
  pending?: PendingBlobsOptions;
}

/** One hour to publish what was uploaded; a client IP may hold two of the largest sites unpublished. */
export const DEFAULT_PENDING: Readonly<PendingBlobsOptions> = Object.freeze({ ttlMs: 60 * 60_000, bytesPerIp: 1024 * 1024 * 1024 });

export class SiteStore {
  private readonly newest = new Map<string, Manifest>();
  /** info hash -> the version it belongs to. */
  private readonly versions = new Map<string, Manifest>();
  /** address -> info hashes of its stored versions. */
  private readonly infoHashes = new Map<string, string[]>();
  /** sha256 -> addresses whose stored versions name it. */
  private readonly blobOwners = new Map<string, Set<string>>();
  private readonly locks = new Map<string, Promise<unknown>>();
  /** Uploaded blobs no stored manifest names yet. */
  readonly pending: PendingBlobs;

  private constructor(
    readonly dataDir: string,
    private readonly options: SiteStoreOptions,
  ) {
    this.pending = new PendingBlobs(options.pending ?? DEFAULT_PENDING);
  }

  static async open(dataDir: string, options: SiteStoreOptions = {}): Promise<SiteStore> {
    const store = new SiteStore(dataDir, options);
    await mkdir(join(dataDir, 'blobs'), { recursive: true });
    await mkdir(join(dataDir, 'sites'), { recursive: true });
    // Temp files are writes a crash interrupted: never visible, safe to drop.
    await rm(join(dataDir, 'tmp'), { recursive: true, force: true });
    await mkdir(join(dataDir, 'tmp'), { recursive: true });
    await store.loadIndex();
    await store.findUnnamedBlobs();
    return store;
  }

  /** Blobs left by publishes that never sent their manifest: pending from their file's time. */
  private async findUnnamedBlobs(): Promise<void> {
    const root = join(this.dataDir, 'blobs');
    for (const dir of await readdir(root)) {
      for (const name of await readdir(join(root, dir)).catch(() => [] as string[])) {
        if (!/^[0-9a-f]{64}$/.test(name) || this.blobOwners.has(name)) continue;
        const info = await stat(join(root, dir, name)).catch(() => undefined);
        if (info?.isFile()) this.pending.add(name, '', info.size, info.mtimeMs);
      }
    }
  }

  /** Removes blobs no manifest named in time. Returns how many were removed. */
  async sweepPending(now = Date.now()): Promise<number> {
    let removed = 0;
    for (const sha of this.pending.expired(now)) {
      // Checked again right before removing: a publish that named it settled it meanwhile.
      if (this.blobOwners.has(sha) || !this.pending.isExpired(sha, now)) continue;
      this.pending.settle(sha);
      await rm(this.blobPath(sha), { force: true });
      removed++;
    }
    return removed;
  }

  private async loadIndex(): Promise<void> {
    for (const address of await readdir(join(this.dataDir, 'sites'))) {
      for (const name of await readdir(join(this.dataDir, 'sites', address))) {
        if (!/^\d+\.json$/.test(name)) continue;
        const file = join(this.dataDir, 'sites', address, name);
        // Files were verified before they were written; verify again so a tampered disk is
        // noticed. One damaged file is reported and left out; it does not stop the server.
        try {
          this.remember(await verifyManifest(JSON.parse(await readFile(file, 'utf8')), { address }));
        } catch (err) {
          this.options.onDamaged?.(file, err instanceof Error ? err.message : String(err));
        }
      }
    }
  }

  private remember(manifest: Manifest): void {
    const held = this.newest.get(manifest.address);
    if (!held || manifest.seq > held.seq) this.newest.set(manifest.address, manifest);
    if (!this.versions.has(manifest.torrent.infoHash)) {
      this.versions.set(manifest.torrent.infoHash, manifest);
      this.infoHashes.set(manifest.address, [...(this.infoHashes.get(manifest.address) ?? []), manifest.torrent.infoHash]);
    }
    for (const f of manifest.files) {
      this.pending.settle(f.sha256);
      let owners = this.blobOwners.get(f.sha256);
      if (!owners) this.blobOwners.set(f.sha256, (owners = new Set()));
      owners.add(manifest.address);
    }
  }

  current(address: string): Manifest | undefined {
    return this.newest.get(address);
  }

  byInfoHash(infoHash: string): Manifest | undefined {
    return this.versions.get(infoHash);
  }

  /** Addresses whose published versions include this blob. */
  ownersOf(sha256: string): ReadonlySet<string> {
    return this.blobOwners.get(sha256) ?? new Set();
  }

  infoHashesOf(address: string): string[] {
    return this.infoHashes.get(address) ?? [];
  }

  addresses(): string[] {
    return [...this.newest.keys()];
  }

  async blobSize(sha256: string): Promise<number> {
    return (await stat(this.blobPath(sha256))).size;
  }

  get siteCount(): number {
    return this.newest.size;
  }

  blobPath(sha256: string): string {
    return join(this.dataDir, 'blobs', sha256.slice(0, 2), sha256);
  }

  async hasBlob(sha256: string): Promise<boolean> {
    return stat(this.blobPath(sha256)).then(
      (s) => s.isFile(),
      () => false,
    );
  }

  /**
   * Streams a blob to a temp file while hashing it; keeps it only when the hash matches.
   * Refuses a body over `maxBytes` as soon as it passes the limit, without buffering it,
   * and more unnamed bytes from one client IP than its pending allowance.
   * @throws {HttpError} 400 E_HASH_MISMATCH, 413 E_TOO_LARGE, 429 E_PENDING_LIMIT
   */
  async putBlob(sha256: string, body: Readable & { headers?: Record<string, unknown> }, maxBytes: number, ip = ''): Promise<'created' | 'exists'> {
    if (await this.hasBlob(sha256)) {
      body.resume();
      this.pending.touch(sha256);
      return 'exists';
    }
    const allowance = ip ? this.pending.allowance(ip) : Infinity;
    const declared = Number(body.headers?.['content-length']);
    if (allowance <= 0 || (Number.isFinite(declared) && declared > allowance)) throw pendingLimit(allowance);
    const limit = Math.min(maxBytes, allowance);
    const tmp = join(this.dataDir, 'tmp', `${randomUUID()}.blob`);
    const hash = createHash('sha256');
    let size = 0;
    try {
      await new Promise<void>((resolve, reject) => {
        const out = createWriteStream(tmp, { flags: 'wx' });
        const onData = (chunk: Buffer) => {
          size += chunk.length;
          if (size > limit) {
            // Stop reading but keep the connection, so the refusal reaches the client.
            body.off('data', onData);
            body.pause();
            out.destroy();
            reject(limit < maxBytes ? pendingLimit(allowance) : new HttpError(413, 'E_TOO_LARGE', `blob is larger than the limit of ${maxBytes} bytes`));
            return;
          }
          hash.update(chunk);
          if (!out.write(chunk)) body.pause();
        };
        body.on('data', onData);
        out.on('drain', () => {
          if (size <= limit) body.resume();
        });
        body.on('end', () => out.end());
        body.on('error', reject);
        body.on('aborted', () => reject(new HttpError(400, 'E_BAD_REQUEST', 'upload was interrupted; send it again')));
        out.on('error', reject);
        out.on('finish', resolve);
      });
      const actual = hash.digest('hex');
      if (actual !== sha256) throw new HttpError(400, 'E_HASH_MISMATCH', `the bytes hash to ${actual}, not ${sha256}; upload the right file`);
      await fsyncFile(tmp);
      const dir = join(this.dataDir, 'blobs', sha256.slice(0, 2));
      await mkdir(dir, { recursive: true });
      await rename(tmp, this.blobPath(sha256));
      await fsyncFile(dir);
      if (!this.blobOwners.has(sha256)) this.pending.add(sha256, ip, size);
      return 'created';
    } finally {
      await rm(tmp, { force: true });
    }
  }

  /**
   * Stores a verified manifest as the newest version of its site. Publishes of one
   * address run one at a time, so of two with the same seq exactly one wins.
   * @throws {VersionError} E_STALE_SEQ / E_SEQ_CONFLICT, {HttpError} 400 E_MISSING_BLOB
   */
  publish(manifest: Manifest): Promise<void> {
    // Named now: kept through the publish even if their time runs out meanwhile.
    for (const f of manifest.files) this.pending.touch(f.sha256);
    return this.serialise(manifest.address, async () => {
      assertNewerVersion(this.current(manifest.address), manifest);
      const missing: string[] = [];
      for (const f of manifest.files) if (!(await this.hasBlob(f.sha256))) missing.push(f.path);
      if (missing.length) {
        throw new HttpError(400, 'E_MISSING_BLOB', `upload these files first: ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? ', ...' : ''}`, { missing });
      }
      const dir = join(this.dataDir, 'sites', manifest.address);
      await mkdir(dir, { recursive: true });
      await writeAtomically(join(this.dataDir, 'tmp'), join(dir, `${manifest.seq}.json`), JSON.stringify(manifest));
      this.remember(manifest);
    });
  }

  private serialise<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(key) ?? Promise.resolve();
    const next = previous.then(work, work);
    const settled = next.then(
      () => undefined,
      () => undefined,
    );
    this.locks.set(key, settled);
    void settled.then(() => {
      if (this.locks.get(key) === settled) this.locks.delete(key);
    });
    return next;
  }
}

function pendingLimit(allowance: number): HttpError {
  return new HttpError(
    429,
    'E_PENDING_LIMIT',
    `this client has ${Math.max(0, allowance)} bytes left for files no published manifest names yet; publish the manifest naming the files already sent, or wait for them to expire`,
  );
}

async function fsyncFile(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** temp file, fsync, rename, fsync the folder. */
export async function writeAtomically(tmpDir: string, path: string, data: string): Promise<void> {
  const tmp = join(tmpDir, `${randomUUID()}.tmp`);
  const handle = await open(tmp, 'wx');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(tmp, path);
  await fsyncFile(join(path, '..'));
}
