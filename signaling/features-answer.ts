import type { ServerResponse } from 'node:http';
import type { SiteLimits } from '../src/core/index.js';
import type { ServerFeatures } from '../src/core/server-features.js';
import { HttpError } from './errors.js';
import { sendJson } from './http-util.js';

/** What the app needs to know of this server to state it as it is (src/core/server-features.ts). */
export function featuresAnswer(options: { originSeed: boolean; limits: SiteLimits }): ServerFeatures {
  const { maxFiles, maxFileBytes, maxTotalBytes } = options.limits;
  return { originSeed: options.originSeed, limits: { maxFiles, maxFileBytes, maxTotalBytes } };
}

/** `GET /api/features`: public, the same for everyone. */
export function sendFeaturesAnswer(res: ServerResponse, method: string, options: { originSeed: boolean; limits: SiteLimits }): void {
  if (method !== 'GET' && method !== 'HEAD') throw new HttpError(405, 'E_METHOD', `${method} is not allowed on /api/features; use GET`);
  sendJson(res, 200, featuresAnswer(options), { 'Cache-Control': 'no-cache' });
}
