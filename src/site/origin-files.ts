import { assertFileDigest, sha256, Sha256, type Manifest, type ManifestFile } from '../core/index.js';
import { planOriginRequests, readSpan, spanUrl, type OriginRequest } from './origin-spans.js';

/**
 * Whole files from the origin seed with plain parallel GETs, each checked against its
 * signed sha256 before it is handed on. This is the first visit's path when no peer
 * holds the version (or the visitor chose "origin only"): a browser fetches the files as
 * it would from any web server, without WebTorrent's 16 KiB piece pipeline, and the
 * swarm only seeds afterwards.
 */

/** Browsers open six HTTP/1.1 connections per host; more would only queue. */
const DEFAULT_PARALLEL = 6;
/** Files up to this size are hashed in one WebCrypto call; larger ones as they stream in. */
const WHOLE_HASH_BYTES = 8 * 1024 * 1024;
/** A large file's chunks are folded into a Blob this often, so the page holds little of it. */
const BLOB_FOLD_BYTES = 4 * 1024 * 1024;
/** Hash at most this long before yielding, so a large file never blocks the page. */
const HASH_SLICE_MS = 8;

export interface VerifiedFile {
  file: ManifestFile;
  blob: Blob;
}

export interface OriginFilesOptions {
  manifest: Manifest;
  /** The files to fetch, most wanted first (see `fetchOrder`). */
  files: readonly ManifestFile[];
  /** The origin seed's base, e.g. `http://<address>.localhost:8080/seed/`. */
  seedBase: string;
  /**
   * Stores verified files. Called with every file verified since the last call began, so
   * files arriving together share one storage transaction; the next call waits for it.
   */
  store(batch: VerifiedFile[]): Promise<void>;
  /** Bytes received from the origin, as they arrive. */
  onBytes?(n: number): void;
  parallel?: number;
  /** Ask for runs of small files in one response each (default true; src/core/seed-span.ts). */
  spans?: boolean;
  signal?: AbortSignal;
  fetch?: typeof fetch;
}

export interface OriginFilesResult {
  stored: ManifestFile[];
  /** Files the origin did not deliver intact, with why; someone else (peers) must send them. */
  failed: { file: ManifestFile; reason: string }[];
  /** Set when the origin seed refuses the whole version (off, blocked, not there): nothing more was asked. */
  refused?: string;
}

/**
 * Answers that hold for the whole version, not one file: asking for the others would only
 * repeat them. A private marker, not an error model: thrown by `fetchVerified` and caught
 * by `fetchOne` in this module, it only sets `refused` (a string) and never leaves here.
 */
class SeedRefusal extends Error {}

/** The seed URL of one file: `<seedBase><infoHash>/<name>/<path>`, as BEP 19 webseeds lay out multi-file torrents. */
export function originFileUrl(seedBase: string, manifest: Manifest, file: ManifestFile): string {
  const path = file.path.split('/').map(encodeURIComponent).join('/');
  return `${seedBase}${manifest.torrent.infoHash}/${encodeURIComponent(manifest.torrent.name)}/${path}`;
}

/**
 * The order a visitor needs files in: the page opened first, then what renders it
 * (documents, style sheets, scripts), then everything else, small before large.
 */
export function fetchOrder(files: readonly ManifestFile[], openedPath: string): ManifestFile[] {
  const rank = (f: ManifestFile): number => {
    if (f.path === openedPath) return 0;
    if (/^(text\/html|text\/css|text\/javascript|application\/javascript)/.test(f.type)) return 1;
    return 2;
  };
  return [...files].sort((a, b) => rank(a) - rank(b) || a.size - b.size);
}

/** Fetches, verifies and stores the files; never throws for one file's failure. */
export async function fetchFromOrigin(options: OriginFilesOptions): Promise<OriginFilesResult> {
  const doFetch = options.fetch ?? fetch.bind(globalThis);
  const { manifest } = options;
  // Files with the same content are fetched once and stored once.
  const sameContent = new Map<string, ManifestFile[]>();
  for (const file of options.files) sameContent.set(file.sha256, [...(sameContent.get(file.sha256) ?? []), file]);
  const firsts = [...sameContent.values()].map((group) => group[0]);
  const indexOf = new Map(manifest.files.map((f, i) => [f, i]));
  const queue = planOriginRequests(firsts, indexOf, options.spans !== false);
  const result: OriginFilesResult = { stored: [], failed: [] };
  const batcher = new StoreBatcher(options.store);
  const verified = async (file: ManifestFile, blob: Blob) => {
    await batcher.add({ file, blob });
    result.stored.push(...(sameContent.get(file.sha256) ?? [file]));
  };
  const failed = (file: ManifestFile, reason: string) => result.failed.push(...(sameContent.get(file.sha256) ?? [file]).map((f) => ({ file: f, reason })));
  let spansRefused = false;

  const fetchOne = async (file: ManifestFile) => {
    try {
      await verified(file, await fetchVerified(doFetch, originFileUrl(options.seedBase, manifest, file), file, options));
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      if (err instanceof SeedRefusal) result.refused ??= reason;
      failed(file, reason);
    }
  };
  const fetchSpan = async (request: Extract<OriginRequest, { kind: 'span' }>) => {
    const response = await doFetch(spanUrl(options.seedBase, manifest.torrent.infoHash, request.from, request.to), { signal: options.signal, credentials: 'omit' }).catch(() => undefined);
    if (response && [451, 503].includes(response.status)) {
      result.refused ??= `the origin seed answered ${response.status}`;
      return request.files.forEach((f) => failed(f, result.refused!));
    }
    if (!response?.ok || !response.body) {
      // A seed without spans (a mirror, an older server): each file on its own from now on.
      spansRefused = true;
      queue.unshift(...request.files.map((file): OriginRequest => ({ kind: 'file', file })));
      return;
    }
    // Copies inside the span are cut and checked like the others; each content is stored once.
    await readSpan(response.body, manifest.files.slice(request.from, request.to), (file, blob) => (request.files.includes(file) ? verified(file, blob) : Promise.resolve()), (file, reason) => request.files.includes(file) && failed(file, reason), options.onBytes);
  };

  const worker = async (): Promise<void> => {
    for (let request = queue.shift(); request && !options.signal?.aborted && !result.refused; request = queue.shift()) {
      if (request.kind === 'file') await fetchOne(request.file);
      else if (spansRefused) queue.unshift(...request.files.map((file): OriginRequest => ({ kind: 'file', file })));
      else await fetchSpan(request);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.parallel ?? DEFAULT_PARALLEL) }, worker));
  return result;
}

async function fetchVerified(doFetch: typeof fetch, url: string, file: ManifestFile, options: OriginFilesOptions): Promise<Blob> {
  if (file.size === 0) {
    assertFileDigest(file, 0, await sha256(new Uint8Array(0)));
    return new Blob([]);
  }
  const response = await doFetch(url, { signal: options.signal, credentials: 'omit' });
  // 503: the origin seed is off; 451: the site is blocked; 404: the server lacks this version.
  if ([404, 451, 503].includes(response.status)) throw new SeedRefusal(`the origin seed answered ${response.status}`);
  if (!response.ok || !response.body) throw new Error(`the origin seed answered ${response.status} for "${file.path}"`);
  const length = response.headers.get('content-length');
  if (length !== null && Number(length) !== file.size) {
    void response.body.cancel();
    throw new Error(`the origin seed sent ${length} bytes for "${file.path}", the signed manifest says ${file.size}`);
  }
  return file.size <= WHOLE_HASH_BYTES ? readWhole(response.body, file, options) : readStreaming(response.body, file, options);
}

/** A small file: read it all (never past its signed size), then one native hash. */
async function readWhole(body: ReadableStream<Uint8Array>, file: ManifestFile, options: OriginFilesOptions): Promise<Blob> {
  const bytes = new Uint8Array(file.size);
  let offset = 0;
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (offset + value.length > file.size) {
      void reader.cancel();
      throw new Error(`the origin seed sent more than the signed ${file.size} bytes for "${file.path}"`);
    }
    bytes.set(value, offset);
    offset += value.length;
    options.onBytes?.(value.length);
  }
  assertFileDigest(file, offset, offset === file.size ? await sha256(bytes) : new Uint8Array(32));
  return new Blob([bytes]);
}

/** A large file: hashed as it streams in, its bytes folded into Blobs so memory stays flat. */
async function readStreaming(body: ReadableStream<Uint8Array>, file: ManifestFile, options: OriginFilesOptions): Promise<Blob> {
  const hash = new Sha256();
  const folded: Blob[] = [];
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  let received = 0;
  let sliceStart = performance.now();
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    received += value.length;
    if (received > file.size) {
      void reader.cancel();
      throw new Error(`the origin seed sent more than the signed ${file.size} bytes for "${file.path}"`);
    }
    hash.update(value);
    pending.push(value);
    pendingBytes += value.length;
    options.onBytes?.(value.length);
    if (pendingBytes >= BLOB_FOLD_BYTES) {
      folded.push(new Blob(pending as BlobPart[]));
      pending = [];
      pendingBytes = 0;
    }
    if (performance.now() - sliceStart > HASH_SLICE_MS) {
      await new Promise((r) => setTimeout(r, 0));
      sliceStart = performance.now();
    }
  }
  assertFileDigest(file, received, hash.digest());
  return new Blob([...folded, ...(pending as BlobPart[])]);
}

/**
 * Hands verified files to `store` in batches: while one batch is being stored, the files
 * verified meanwhile wait and go together in the next. `add` resolves once its file is stored.
 */
export class StoreBatcher {
  private waiting: { item: VerifiedFile; resolve: () => void; reject: (err: unknown) => void }[] = [];
  private running = false;

  constructor(private readonly store: (batch: VerifiedFile[]) => Promise<void>) {}

  add(item: VerifiedFile): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      void this.drain();
    });
  }

  private async drain(): Promise<void> {
    if (this.running) return;
    this.running = true;
    while (this.waiting.length) {
      const batch = this.waiting;
      this.waiting = [];
      try {
        await this.store(batch.map((w) => w.item));
        for (const w of batch) w.resolve();
      } catch (err) {
        for (const w of batch) w.reject(err);
      }
    }
    this.running = false;
  }
}
