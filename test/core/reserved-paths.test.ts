import { describe, expect, it } from 'vitest';
import * as ed from '@noble/ed25519';
import {
  addressFromPublicKey,
  assertNotReservedPath,
  buildBundle,
  compareBytes,
  computeInfoHash,
  CoreError,
  hashPieces,
  isReservedSitePath,
  RESERVED_SEGMENTS,
  sha256,
  signManifest,
  toHex,
  utf8,
  verifyManifest,
  type Manifest,
} from '../../src/core/index.js';
import { FIXED_SECRET, FIXED_TIME } from '../helpers/fixtures.js';

const REFUSED = ['api/index.html', 'announce', 'seed/x.png', '__p2p/sw.js', 'healthz', 'metrics/a/b.txt', 'api'];
const ALLOWED = ['announcements.html', 'API/x', 'apis/x', 'seeds/x', 'Seed', 'docs/api/index.html', 'x/seed', '_p2p/x', 'healthz.html'];

async function refusal(run: () => unknown): Promise<CoreError> {
  try {
    await run();
  } catch (err) {
    expect(err).toBeInstanceOf(CoreError);
    return err as CoreError;
  }
  throw new Error('expected a CoreError, nothing was thrown');
}

/** A correctly signed manifest of `index.html` and `path`, built by hand so buildBundle's own check is not in the way. */
async function signedWith(path: string): Promise<Manifest> {
  const address = addressFromPublicKey(await ed.getPublicKeyAsync(FIXED_SECRET));
  const contents = [
    { path: 'index.html', bytes: utf8('<!doctype html><p>home</p>') },
    { path, bytes: utf8('x') },
  ].sort((a, b) => compareBytes(utf8(a.path), utf8(b.path)));
  const files = [];
  for (const f of contents) files.push({ path: f.path, size: f.bytes.length, sha256: toHex(await sha256(f.bytes)), type: 'application/octet-stream' });
  const partial = { name: address, pieceLength: 16384, pieces: toHex(await hashPieces(contents.map((f) => f.bytes), 16384)) };
  const torrent = { ...partial, infoHash: await computeInfoHash(files, partial) };
  return signManifest({ v: 1, address, seq: 1, createdAt: FIXED_TIME, entry: 'index.html', files, torrent }, FIXED_SECRET);
}

describe('reserved first path segments', () => {
  it('are the ones the server keeps, matched exactly and case-sensitively', () => {
    expect(RESERVED_SEGMENTS).toEqual(['__p2p', 'seed', 'api', 'announce', 'healthz', 'metrics']);
    for (const path of REFUSED) expect(isReservedSitePath(path), path).toBe(true);
    for (const path of ALLOWED) expect(isReservedSitePath(path), path).toBe(false);
  });

  it('refuse a signed manifest holding such a file at verification, with E_RESERVED_PATH naming it', async () => {
    for (const path of REFUSED) {
      const signed = await signedWith(path);
      const err = await refusal(() => verifyManifest(JSON.parse(JSON.stringify(signed))));
      expect(err.code, path).toBe('E_RESERVED_PATH');
      expect(err.message).toContain(JSON.stringify(path));
      expect(err.message).toMatch(/which the server keeps for itself.*rename that (file|folder) or move it/);
    }
    for (const path of ALLOWED) expect((await verifyManifest(await signedWith(path))).files.map((f) => f.path), path).toContain(path);
  });

  it('refuse such a file when building a bundle, before anything is signed or uploaded', async () => {
    for (const path of [...REFUSED, '/api/x.js', './seed/y', 'metrics\\z']) {
      const files = [{ path: 'index.html', bytes: utf8('x') }, { path, bytes: utf8('y') }];
      const err = await refusal(() => buildBundle({ files, secretKey: FIXED_SECRET, seq: 1 }));
      expect(err.code, path).toBe('E_RESERVED_PATH');
    }
    for (const path of ALLOWED) {
      const { manifest } = await buildBundle({ files: [{ path: 'index.html', bytes: utf8('x') }, { path, bytes: utf8('y') }], secretKey: FIXED_SECRET, seq: 1 });
      expect(manifest.files.map((f) => f.path)).toContain(path);
    }
  });

  it('assertNotReservedPath says "file" or "folder" as the path has it', async () => {
    expect((await refusal(() => assertNotReservedPath('announce'))).message).toMatch(/rename that file/);
    expect((await refusal(() => assertNotReservedPath('api/x'))).message).toMatch(/rename that folder/);
    expect(() => assertNotReservedPath('apis/x')).not.toThrow();
  });
});
