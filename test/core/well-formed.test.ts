import { describe, expect, it } from 'vitest';
import {
  addressFromPublicKey,
  assertSafePath,
  bencode,
  buildBundle,
  canonicalManifestBytes,
  compareBytes,
  computeInfoHash,
  CoreError,
  hashPieces,
  loneSurrogateIndex,
  normalisePath,
  parseManifestJson,
  sha256,
  signManifest,
  toHex,
  utf8,
  verifyManifest,
  type Manifest,
} from '../../src/core/index.js';
import * as ed from '@noble/ed25519';
import { FIXED_SECRET, FIXED_TIME, sampleBundle } from '../helpers/fixtures.js';

async function codeOf(run: () => unknown): Promise<string> {
  try {
    await run();
  } catch (err) {
    expect(err).toBeInstanceOf(CoreError);
    return (err as CoreError).code;
  }
  throw new Error('expected a CoreError, nothing was thrown');
}

/** A correctly signed manifest of `index.html` and `path`, built by hand (not through buildBundle's checks). */
async function signedWith(path: string): Promise<Manifest> {
  const address = addressFromPublicKey(await ed.getPublicKeyAsync(FIXED_SECRET));
  const contents = [
    { path: 'index.html', bytes: utf8('<!doctype html><p>home</p>') },
    { path, bytes: utf8('<!doctype html><p>x</p>') },
  ].sort((a, b) => compareBytes(utf8(a.path), utf8(b.path)));
  const files = [];
  for (const f of contents) files.push({ path: f.path, size: f.bytes.length, sha256: toHex(await sha256(f.bytes)), type: 'text/html; charset=utf-8' });
  const partial = { name: address, pieceLength: 16384, pieces: toHex(await hashPieces(contents.map((f) => f.bytes), 16384)) };
  const torrent = { ...partial, infoHash: await computeInfoHash(files, partial) };
  return signManifest({ v: 1, address, seq: 1, createdAt: FIXED_TIME, entry: 'index.html', files, torrent }, FIXED_SECRET);
}

describe('lone UTF-16 surrogates', () => {
  it('finds lone surrogates only, not pairs', () => {
    expect(loneSurrogateIndex('a\ud800b')).toBe(1);
    expect(loneSurrogateIndex('ab\udfff')).toBe(2);
    expect(loneSurrogateIndex('\udc00\ud800')).toBe(0); // a low before a high is no pair
    expect(loneSurrogateIndex('emoji \ud83d\ude00 ok')).toBe(-1);
    expect(loneSurrogateIndex('plain')).toBe(-1);
  });

  it('refuses two manifests differing only in "\\ud800" vs "\\udfff" in a path, which would share canonical bytes and so a signature', async () => {
    // What TextEncoder makes of either lone surrogate: U+FFFD. A manifest signed with
    // U+FFFD in that place is genuine and verifies.
    const genuine = await signedWith('a\ufffd.html');
    expect((await verifyManifest(genuine)).files[0].path).toBe('a\ufffd.html');
    const text = JSON.stringify(genuine).replaceAll('\ufffd', 'LONE');
    const high = text.replaceAll('LONE', '\\ud800');
    const low = text.replaceAll('LONE', '\\udfff');
    expect(high).not.toBe(low);
    // The hazard: both spell the same UTF-8 bytes as the genuine manifest.
    expect(utf8(JSON.parse(high).files[0].path)).toEqual(utf8(genuine.files[0].path));
    expect(utf8(JSON.parse(low).files[0].path)).toEqual(utf8(genuine.files[0].path));
    for (const forged of [high, low]) {
      expect(await codeOf(() => parseManifestJson(forged))).toBe('E_BAD_MANIFEST');
      expect(await codeOf(() => verifyManifest(JSON.parse(forged)))).toBe('E_BAD_MANIFEST');
    }
    try {
      parseManifestJson(high);
    } catch (err) {
      expect((err as Error).message).toMatch(/"files\[0\]\.path" contains a lone UTF-16 surrogate \(U\+D800 at index 1\)/);
    }
  });

  it('refuses a lone surrogate in every string field of a manifest with E_BAD_MANIFEST', async () => {
    const { manifest } = await sampleBundle();
    const edits: [string, (m: Manifest) => void][] = [
      ['address', (m) => (m.address = m.address.slice(0, 51) + '\ud800')],
      ['entry', (m) => (m.entry = 'index.html\udbff')],
      ['fallback', (m) => (m.fallback = '\udc00')],
      ['files[].path', (m) => (m.files[1].path = 'css/site\ud800.css')],
      ['files[].type', (m) => (m.files[1].type = 'text/css; charset="\ud800"')],
      ['files[].sha256', (m) => (m.files[1].sha256 = m.files[1].sha256.slice(0, 63) + '\udfff')],
      ['torrent.infoHash', (m) => (m.torrent.infoHash = m.torrent.infoHash.slice(0, 39) + '\ud800')],
      ['torrent.name', (m) => (m.torrent.name = m.torrent.name.slice(0, 51) + '\ud800')],
      ['torrent.pieces', (m) => (m.torrent.pieces = '\ud800' + m.torrent.pieces.slice(1))],
      ['signature', (m) => (m.signature = m.signature.slice(0, 127) + '\udfff')],
    ];
    for (const [field, edit] of edits) {
      const copy = structuredClone(manifest);
      edit(copy);
      expect(await codeOf(() => verifyManifest(copy)), field).toBe('E_BAD_MANIFEST');
      expect(await codeOf(() => parseManifestJson(JSON.stringify(copy))), field).toBe('E_BAD_MANIFEST');
    }
  });

  it('refuses such a path when building a bundle and in the path rules (E_BAD_PATH), accepts paired surrogates', async () => {
    expect(await codeOf(() => assertSafePath('a\ud800.html'))).toBe('E_BAD_PATH');
    expect(await codeOf(() => normalisePath('docs/\udfff.html'))).toBe('E_BAD_PATH');
    const files = [{ path: 'index.html', bytes: utf8('x') }, { path: 'a\ud800.html', bytes: utf8('y') }];
    expect(await codeOf(() => buildBundle({ files, secretKey: FIXED_SECRET, seq: 1 }))).toBe('E_BAD_PATH');
    const emoji = await buildBundle({ files: [{ path: 'index.html', bytes: utf8('x') }, { path: '\ud83d\ude00.html', bytes: utf8('y') }], secretKey: FIXED_SECRET, seq: 1 });
    expect((await verifyManifest(JSON.parse(JSON.stringify(emoji.manifest)))).files.map((f) => f.path)).toContain('\ud83d\ude00.html');
  });

  it('canonical bytes cannot be made from a lone surrogate (E_BAD_ENCODING), so nothing can sign one', async () => {
    expect(await codeOf(() => bencode('x\ud800'))).toBe('E_BAD_ENCODING');
    expect(await codeOf(() => bencode({ ['k\udfff']: 1 }))).toBe('E_BAD_ENCODING');
    const { manifest } = await sampleBundle();
    expect(await codeOf(() => canonicalManifestBytes({ ...manifest, entry: 'index\ud800.html' }))).toBe('E_BAD_ENCODING');
    expect(await codeOf(() => signManifest({ ...manifest, entry: 'index\ud800.html' }, FIXED_SECRET))).toBe('E_BAD_ENCODING');
  });
});
