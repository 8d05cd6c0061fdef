import { DEFAULT_LIMITS, type SiteLimits } from './limits.js';

/**
 * What `GET /api/features` answers (signaling/features-answer.ts builds it): what this
 * server does for a publisher, so the app states it as it is. One shape for the server
 * that writes it and the app that reads it (src/ui/server-features.ts asks for it).
 */
export interface ServerFeatures {
  /** The server serves published files itself (the origin seed), so a site stays up with no peer online. */
  originSeed: boolean;
  /** What the server accepts for one site. */
  limits: Pick<SiteLimits, 'maxFiles' | 'maxFileBytes' | 'maxTotalBytes'>;
}

const LIMIT_FIELDS = ['maxFiles', 'maxFileBytes', 'maxTotalBytes'] as const;

/**
 * Reads an answer of `/api/features`; undefined when it is not one (an older server, a
 * proxy's error page), so the app claims nothing it was not told.
 */
export function parseServerFeatures(json: unknown): ServerFeatures | undefined {
  if (typeof json !== 'object' || json === null) return undefined;
  const { originSeed, limits } = json as Record<string, unknown>;
  if (typeof originSeed !== 'boolean' || typeof limits !== 'object' || limits === null) return undefined;
  const l = limits as Record<string, unknown>;
  if (!LIMIT_FIELDS.every((k) => Number.isSafeInteger(l[k]) && (l[k] as number) > 0)) return undefined;
  return { originSeed, limits: { maxFiles: l.maxFiles as number, maxFileBytes: l.maxFileBytes as number, maxTotalBytes: l.maxTotalBytes as number } };
}

/** The limits to plan with: the server's when it said them, else the protocol's defaults. */
export function planLimits(features: ServerFeatures | undefined): SiteLimits {
  return { ...DEFAULT_LIMITS, ...features?.limits };
}
