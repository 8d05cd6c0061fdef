/// <reference lib="webworker" />
import { detailOf, isCoreError, prepareVerifier, verifyManifest } from '../core/index.js';
import type { VerifyReply, VerifyRequest } from './verify-off-thread.js';

/**
 * Verifies manifests off the page's main thread: the first ed25519 verification builds
 * the base-point tables in one synchronous step of a hundred milliseconds or more, which
 * would freeze the page (the loading view, the site) while it runs.
 */
void prepareVerifier();
self.onmessage = async (event: MessageEvent<VerifyRequest>) => {
  const { id, candidate, address } = event.data;
  let reply: VerifyReply;
  try {
    reply = { id, manifest: await verifyManifest(candidate, { address }) };
  } catch (err) {
    reply = { id, error: { code: isCoreError(err) ? err.code : 'E_BAD_MANIFEST', message: detailOf(err) } };
  }
  (self as unknown as DedicatedWorkerGlobalScope).postMessage(reply);
};
