import { addressFromPublicKey, buildBundle, contentTypeFor, diffFiles, sha256, toHex, type KeyPair, type Manifest, type ManifestDiff } from '../core/index.js';
import { SiteSwarm, type SiteSwarmOptions, type VersionTransfer } from '../swarm/site-swarm.js';
import { swarmEndpoints } from '../swarm/endpoints.js';
import type { PublishPlan } from './publish-plan.js';

/** A failed step of publishing, with the code the app explains (messages.ts). */
export class PublishError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(`${code}: ${message}`);
    this.name = 'PublishError';
  }
}

export type PublishStep = 'reading' | 'signing' | 'uploading' | 'seeding' | 'done';
export type ProgressFn = (step: PublishStep, done: number, total: number) => void;

async function api(url: string, init?: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch {
    throw new PublishError('E_SERVER_DOWN', 'the server cannot be reached');
  }
}

async function refusal(res: Response): Promise<PublishError> {
  const body = (await res.json().catch(() => ({}))) as { error?: { code?: string; message?: string } };
  return new PublishError(body.error?.code ?? `E_HTTP_${res.status}`, body.error?.message ?? res.statusText);
}

/** The newest published manifest of a site, or undefined when nothing is published yet. */
export async function currentManifest(server: string, address: string): Promise<Manifest | undefined> {
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
  const next = [];
  for (const f of plan.files) {
    let hash: string;
    if (exact) {
      try {
        hash = toHex(await sha256(new Uint8Array(await f.blob!.arrayBuffer())));
      } catch {
        throw new PublishError('E_READ_FAILED', `could not read ${f.path}`);
      }
    } else {
      hash = current.files.find((c) => c.path === f.path && c.size === f.size)?.sha256 ?? `new:${f.path}`;
    }
    next.push({ path: f.path, size: f.size, sha256: hash, type: contentTypeFor(f.path) });
  }
  const before = current.files.map((f) => ({ ...f, type: contentTypeFor(f.path) }));
  return { diff: diffFiles(before, next), exact };
}

/**
 * Reads, signs and uploads a site, then starts seeding it from this browser. Returns the
 * manifest published (seq = current + 1) and the swarm that seeds it.
 */
export async function publishSite(options: { plan: PublishPlan; key: KeyPair; server: string; progress: ProgressFn; newKey?: boolean; swarm?: Partial<Omit<SiteSwarmOptions, 'endpoints'>> }): Promise<{ manifest: Manifest; swarm: SiteSwarm; transfer: VersionTransfer }> {
  const { plan, key, server, progress } = options;
  const files = [];
  let read = 0;
  for (const f of plan.files) {
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await f.blob!.arrayBuffer());
    } catch {
      throw new PublishError('E_READ_FAILED', `could not read ${f.path}`);
    }
    files.push({ path: f.path, bytes });
    read += f.size;
    progress('reading', read, plan.total);
  }
  progress('signing', 0, 1);
  const address = addressFromPublicKey(key.publicKey);
  // A key made a moment ago has nothing published yet: no need to ask.
  const current = options.newKey ? undefined : await currentManifest(server, address);
  const bundle = await buildBundle({ files, secretKey: key.secretKey, seq: (current?.seq ?? 0) + 1, entry: plan.entry, fallback: plan.fallback });
  progress('signing', 1, 1);

  let sent = 0;
  // Files the current version already has are on the server: not sent again (asked of the
  // manifest rather than file by file, so no 404 per new file fills the console).
  const held = new Set(current?.files.map((f) => f.sha256) ?? []);
  for (const { file, bytes } of bundle.files) {
    if (!held.has(file.sha256)) {
      const res = await api(`${server}/api/blobs/${file.sha256}`, { method: 'PUT', body: new Blob([bytes as BlobPart]) });
      if (!res.ok) throw await refusal(res);
    }
    sent += file.size;
    progress('uploading', sent, plan.total);
  }
  const res = await api(`${server}/api/sites/${address}`, { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(bundle.manifest) });
  if (!res.ok) throw await refusal(res);

  progress('seeding', 0, 1);
  // Under the visitor's settings (caps, "stop sharing"; "origin only" opens no connection).
  const swarm = new SiteSwarm({ ...options.swarm, endpoints: swarmEndpoints(server, address) });
  const stored = new Map(bundle.files.map(({ file, bytes }) => [file.sha256, new Blob([bytes as BlobPart])]));
  const transfer = swarm.transfer(bundle.manifest, stored, { fileComplete: async (_f, b) => new Blob([b as BlobPart]) });
  await swarm.joinDiscovery(address, { newest: () => bundle.manifest, received: async () => true, warn: (m) => console.warn(`[p2p] ${m}`) });
  progress('done', 1, 1);
  return { manifest: bundle.manifest, swarm, transfer };
}
