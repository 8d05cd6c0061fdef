import { CoreError, verifyManifest, type CoreErrorCode, type Manifest } from '../core/index.js';

export interface VerifyRequest {
  id: number;
  candidate: unknown;
  address: string;
}
export type VerifyReply = { id: number; manifest: Manifest; error?: undefined } | { id: number; manifest?: undefined; error: { code: CoreErrorCode; /** Without the code (`CodedError.detail`). */ message: string } };

let worker: Worker | undefined;
let broken = false;
let nextId = 0;
const waiting = new Map<number, { resolve: (m: Manifest) => void; reject: (e: unknown) => void; candidate: unknown; address: string }>();

function start(): Worker | undefined {
  if (worker || broken || typeof Worker === 'undefined') return worker;
  try {
    worker = new Worker(new URL('./verify-worker.ts', import.meta.url), { type: 'module', name: 'p2p-verify' });
  } catch {
    broken = true;
    return undefined;
  }
  worker.onmessage = (event: MessageEvent<VerifyReply>) => {
    const reply = event.data;
    const job = waiting.get(reply.id);
    if (!job) return;
    waiting.delete(reply.id);
    if (reply.manifest) job.resolve(reply.manifest);
    else job.reject(new CoreError(reply.error.code, reply.error.message));
  };
  worker.onerror = () => {
    // The worker could not load (or crashed): verify the waiting jobs here instead.
    broken = true;
    worker?.terminate();
    worker = undefined;
    for (const [id, job] of waiting) {
      waiting.delete(id);
      verifyManifest(job.candidate, { address: job.address }).then(job.resolve, job.reject);
    }
  };
  return worker;
}

/** Starts the worker early, so its tables are built while the network is busy. */
export function warmVerifier(): void {
  start();
}

/**
 * `verifyManifest` in a worker (the same core code, the same typed errors), or on this
 * thread where workers are unavailable.
 * @throws {CoreError} as verifyManifest does.
 */
export function verifyManifestOffThread(candidate: unknown, address: string): Promise<Manifest> {
  const w = start();
  if (!w) return verifyManifest(candidate, { address });
  const id = nextId++;
  return new Promise<Manifest>((resolve, reject) => {
    waiting.set(id, { resolve, reject, candidate, address });
    w.postMessage({ id, candidate, address } satisfies VerifyRequest);
  });
}
