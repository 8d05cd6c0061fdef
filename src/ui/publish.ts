import { addressFromPublicKey, buildBundle, isAddress, contentTypeFor, diffFiles, parseServerError, sha256, toHex, type KeyPair, type Manifest, type ManifestDiff } from '../core/index.js';
import { PublishError, type PublishErrorInfo } from './publish-error.js';
import { SiteSwarm, type SiteSwarmOptions, type VersionTransfer } from '../swarm/site-swarm.js';
import { swarmEndpoints } from '../swarm/endpoints.js';
export { PublishError } from './publish-error.js';
import type { PublishPlan } from './publish-plan.js';
import { runPool } from './run-pool.js';

export type PublishStep = 'reading' | 'signing' | 'uploading' | 'seeding' | 'done';

/** Where a publish is: its step, and files and bytes done of the step's total (uploads count only the files sent). */
export interface PublishProgress {
  step: PublishStep;
  files: number;
  filesTotal: number;
  bytes: number;
  bytesTotal: number;
}
/** Called at every file; the view decides how often to show it. */
export type ProgressFn = (progress: PublishProgress) => void;

/** Files read at once from the disk. */
const READS_AT_ONCE = 8;
/** Uploads at once: what a browser opens to one HTTP/1.1 host anyway. */
const UPLOADS_AT_ONCE = 6;

async function api(url: string, init?: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch {
    // fetch rejects only when no answer came at all: refused, reset, offline, DNS.
    throw new PublishError('E_SERVER_DOWN', `no answer from ${new URL(url).host}`);
  }
}

async function refusal(res: Response, info: PublishErrorInfo = {}): Promise<PublishError> {
  // Not the server's refusal (a proxy's page, an older server): the status says it.
  const refused = parseServerError(await res.json().catch(() => undefined));
  return new PublishError(refused?.code ?? `E_HTTP_${res.status}`, refused?.message ?? (res.statusText || `HTTP ${res.status}`), { ...info, status: res.status, fromServer: true });
}

/** The newest published manifest of a site, or undefined when nothing is published yet. */
export async function currentManifest(server: string, address: string): Promise<Manifest | undefined> {
  // A stored key whose address is not one (damaged or planted data) is never asked about.
  if (!isAddress(address)) throw new PublishError('E_BAD_ADDRESS', `"${String(address).slice(0, 60)}" is not a site address; the key it belongs to is damaged`);
  const res = await api(`${server}/api/sites/${address}`, { cache: 'no-store' });
  if (res.status === 404) return undefined;
  if (!res.ok) throw await refusal(res);
  return (await res.json()) as Manifest;
}

/** Above this, the diff before publishing compares sizes only instead of hashing every file. */
export const EXACT_DIFF_MAX_BYTES = 64 * 1024 * 1024;

/**
 * What publishing the plan would change against the published version: files are
 * hashed (so same-size edits show) unless the site is large, when sizes are compared.
 * @throws {PublishError} E_READ_FAILED when a file cannot be read.
 */
export async function diffPlan(current: Manifest, plan: PublishPlan): Promise<{ diff: ManifestDiff; exact: boolean }> {
  const exact = plan.total <= EXACT_DIFF_MAX_BYTES && plan.files.every((f) => f.blob);
  const held = new Map(current.files.map((c) => [`${c.size} ${c.path}`, c.sha256]));
  const next = [];
  for (const f of plan.files) {
    let hash: string;
    if (exact) {
      try {
        hash = toHex(await sha256(new Uint8Array(await f.blob!.arrayBuffer())));
      } catch {
        throw new PublishError('E_READ_FAILED', `could not read ${f.path}`, { path: f.path });
      }
    } else {
      hash = held.get(`${f.size} ${f.path}`) ?? `new:${f.path}`;
    }
    next.push({ path: f.path, size: f.size, sha256: hash, type: contentTypeFor(f.path) });
  }
  const before = current.files.map((f) => ({ ...f, type: contentTypeFor(f.path) }));
  return { diff: diffFiles(before, next), exact };
}

/**
 * Reads, signs and uploads a site, then starts seeding it from this browser. Returns the
 * manifest published (seq = current + 1) and the swarm that seeds it. Files are read a
 * few at a time and uploaded six at a time; files the current version has are not sent.
 * @throws {PublishError} E_READ_FAILED, E_SERVER_DOWN, or the server's refusal (its code)
 */
export async function publishSite(options: { plan: PublishPlan; key: KeyPair; server: string; progress: ProgressFn; newKey?: boolean; swarm?: Partial<Omit<SiteSwarmOptions, 'endpoints'>> }): Promise<{ manifest: Manifest; swarm: SiteSwarm; transfer: VersionTransfer }> {
  const { plan, key, server } = options;
  const filesTotal = plan.files.length;
  const progress = (step: PublishStep, files: number, bytes: number, bytesTotal = plan.total, total = filesTotal) => options.progress({ step, files, filesTotal: total, bytes, bytesTotal });
  const files: { path: string; bytes: Uint8Array }[] = new Array(filesTotal);
  let read = 0;
  let readBytes = 0;
  progress('reading', 0, 0);
  await runPool(plan.files, READS_AT_ONCE, async (f, i) => {
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await f.blob!.arrayBuffer());
    } catch {
      throw new PublishError('E_READ_FAILED', `could not read ${f.path}`, { path: f.path });
    }
    files[i] = { path: f.path, bytes };
    readBytes += f.size;
    progress('reading', ++read, readBytes);
  });
  progress('signing', 0, 0);
  const address = addressFromPublicKey(key.publicKey);
  // A key made a moment ago has nothing published yet: no need to ask.
  const current = options.newKey ? undefined : await currentManifest(server, address);
  const bundle = await buildBundle({ files, secretKey: key.secretKey, seq: (current?.seq ?? 0) + 1, entry: plan.entry, fallback: plan.fallback });
  progress('signing', filesTotal, plan.total);

  // Files the current version already has are on the server: not sent again (asked of the
  // manifest rather than file by file, so no 404 per new file fills the console).
  const held = new Set(current?.files.map((f) => f.sha256) ?? []);
  const toSend = bundle.files.filter(({ file }) => !held.has(file.sha256));
  const sendBytes = toSend.reduce((n, { file }) => n + file.size, 0);
  let sent = 0;
  let sentBytes = 0;
  progress('uploading', 0, 0, sendBytes, toSend.length);
  await runPool(toSend, UPLOADS_AT_ONCE, async ({ file, bytes }) => {
    const res = await api(`${server}/api/blobs/${file.sha256}`, { method: 'PUT', body: new Blob([bytes as BlobPart]) });
    if (!res.ok) throw await refusal(res, { path: file.path, scope: 'file' });
    sentBytes += file.size;
    progress('uploading', ++sent, sentBytes, sendBytes, toSend.length);
  });
  const res = await api(`${server}/api/sites/${address}`, { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(bundle.manifest) });
  if (!res.ok) throw await refusal(res, { scope: 'site' });

  progress('seeding', 0, 0);
  // Under the visitor's settings (caps, "stop sharing"; "origin only" opens no connection).
  const swarm = new SiteSwarm({ ...options.swarm, endpoints: swarmEndpoints(server, address) });
  const stored = new Map(bundle.files.map(({ file, bytes }) => [file.sha256, new Blob([bytes as BlobPart])]));
  const transfer = swarm.transfer(bundle.manifest, stored, { fileVerified: async (_f, blob) => blob });
  await swarm.joinDiscovery(address, { newest: () => bundle.manifest, received: async () => true, warn: (m) => console.warn(`[p2p] ${m}`) });
  progress('done', filesTotal, plan.total);
  return { manifest: bundle.manifest, swarm, transfer };
}
