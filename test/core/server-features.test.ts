import { describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_LIMITS } from '../../src/core/index.js';
import { parseServerFeatures, planLimits } from '../../src/core/server-features.js';
import { startServer } from '../../signaling/server.js';

describe('what the server says it does', () => {
  it('an answer is checked field by field; anything else is "not told"', () => {
    const good = { originSeed: false, limits: { maxFiles: 10, maxFileBytes: 100, maxTotalBytes: 1000 } };
    expect(parseServerFeatures(good)).toEqual(good);
    expect(parseServerFeatures({ ...good, extra: 1 })).toEqual(good);
    for (const bad of [null, 'x', [], {}, { ...good, originSeed: 'yes' }, { ...good, limits: null }, { ...good, limits: { ...good.limits, maxFiles: -1 } }, { ...good, limits: { ...good.limits, maxFileBytes: 1.5 } }]) {
      expect(parseServerFeatures(bad)).toBeUndefined();
    }
    expect(planLimits(undefined)).toEqual(DEFAULT_LIMITS);
    expect(planLimits(good)).toMatchObject(good.limits);
  });

  for (const origin of [true, false]) {
    it(`GET /api/features on a server with the origin seed ${origin ? 'on' : 'off'} says so, with its limits`, async () => {
      const dataDir = await mkdtemp(join(tmpdir(), 'p2p-features-'));
      const server = await startServer({ port: 0, dataDir, origin, limits: { maxBlobBytes: 1024 * 1024, maxSiteBytes: 8 * 1024 * 1024 }, log: () => {} });
      try {
        const res = await fetch(`${server.url}/api/features`);
        expect(res.status).toBe(200);
        expect(parseServerFeatures(await res.json())).toEqual({ originSeed: origin, limits: { maxFiles: 10_000, maxFileBytes: 1024 * 1024, maxTotalBytes: 8 * 1024 * 1024 } });
        expect((await fetch(`${server.url}/api/features`, { method: 'POST' })).status).toBe(405);
      } finally {
        await server.close();
        await rm(dataDir, { recursive: true, force: true });
      }
    });
  }
});
