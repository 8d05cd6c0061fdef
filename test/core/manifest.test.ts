import { describe, expect, it } from 'vitest';
import {
  assertFileBytes,
  assertSafePath,
  base32Decode,
  base32Encode,
  bdecode,
  bencode,
  buildBundle,
  canonicalManifestBytes,
  computeInfoHash,
  CoreError,
  decideVersion,
  assertNewerVersion,
  diffFiles,
  generateKeyPair,
  addressFromPublicKey,
  publicKeyFromAddress,
  isAddress,
  normalisePath,
  parseManifestJson,
  signManifest,
  torrentFile,
  utf8,
  verifyManifest,
  type Manifest,
} from '../../src/core/index.js';
import { FIXED_SECRET, FIXED_TIME, sampleBundle, sampleFiles } from '../helpers/fixtures.js';

async function codeOf(promise: Promise<unknown> | (() => unknown)): Promise<string> {
  try {
    await (typeof promise === 'function' ? promise() : promise);
  } catch (err) {
    expect(err).toBeInstanceOf(CoreError);
    return (err as CoreError).code;
  }
  throw new Error('expected a CoreError, nothing was thrown');
}

describe('addresses', () => {
  it('round-trips a public key through a 52-char lowercase DNS label', async () => {
    const { publicKey } = await generateKeyPair();
    const address = addressFromPublicKey(publicKey);
    expect(address).toMatch(/^[a-z2-7]{52}$/);
    expect(publicKeyFromAddress(address)).toEqual(publicKey);
    expect(isAddress(address)).toBe(true);
  });

  it('matches RFC 4648 base32 test vectors (lowercased, unpadded)', () => {
    const cases: [string, string][] = [['', ''], ['f', 'my'], ['fo', 'mzxq'], ['foo', 'mzxw6'], ['foob', 'mzxw6yq'], ['fooba', 'mzxw6ytb'], ['foobar', 'mzxw6ytboi']];
    for (const [plain, encoded] of cases) {
      expect(base32Encode(utf8(plain))).toBe(encoded);
      expect(base32Decode(encoded)).toEqual(utf8(plain));
    }
  });

  it('rejects wrong length, alphabet, case and trailing bits with E_BAD_ADDRESS', async () => {
    const { publicKey } = await generateKeyPair();
    const good = addressFromPublicKey(publicKey);
    for (const bad of [good.slice(1), good + 'a', good.toUpperCase(), good.slice(0, 51) + '1', good.slice(0, 51) + '0', 'x'.repeat(52).replace(/x$/, '7'), 42]) {
      expect(await codeOf(() => publicKeyFromAddress(bad as string))).toBe('E_BAD_ADDRESS');
    }
    // 256 bits in 52 characters: the last character carries 1 data bit and 4 unused bits,
    // which must be zero (see base32.test.ts for each of the four).
    const last = good[51];
    const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
    const tweaked = good.slice(0, 51) + alphabet[alphabet.indexOf(last) ^ 1];
    expect(await codeOf(() => publicKeyFromAddress(tweaked))).toBe('E_BAD_ADDRESS');
  });
});

describe('bencode', () => {
  it('encodes canonically and decodes strictly', () => {
    const bytes = bencode({ b: 1, a: [utf8('x'), 'yz', -3], c: {} });
    expect(new TextDecoder().decode(bytes)).toBe('d1:al1:x2:yzi-3ee1:bi1e1:cdee');
    expect(bencode(bdecode(bytes) as never)).toEqual(bytes);
  });

  it('refuses non-canonical forms with E_BAD_ENCODING', async () => {
    for (const text of ['i-0e', 'i03e', 'd1:bi1e1:ai2ee', 'd1:ai1e1:ai2ee', '02:ab', 'i1ei2e', 'l', 'd1:a', '5:abc', 'x', 'ie', 'i1']) {
      expect(await codeOf(() => bdecode(utf8(text)))).toBe('E_BAD_ENCODING');
    }
  });
});

describe('paths', () => {
  it('accepts normal relative paths', () => {
    for (const p of ['index.html', 'a/b/c.txt', 'héllo wörld.html', '.well-known/x', 'a..b/c']) expect(() => assertSafePath(p)).not.toThrow();
  });

  it('rejects each invalid class with a typed error', async () => {
    const cases: [string, string][] = [
      ['', 'E_BAD_PATH'],
      ['../x', 'E_BAD_PATH'],
      ['a/../x', 'E_BAD_PATH'],
      ['./x', 'E_BAD_PATH'],
      ['/etc/passwd', 'E_BAD_PATH'],
      ['a\\b', 'E_BAD_PATH'],
      ['a\u0000b', 'E_BAD_PATH'],
      ['a\nb', 'E_BAD_PATH'],
      ['a\u0085b', 'E_BAD_PATH'],
      ['a//b', 'E_BAD_PATH'],
      ['dir/', 'E_BAD_PATH'],
      ['cafe\u0301.html', 'E_BAD_PATH'], // NFD: must be NFC in a manifest
      ['x'.repeat(1025), 'E_TOO_LARGE'],
      ['y'.repeat(256), 'E_TOO_LARGE'],
      [Array(40).fill('d').join('/'), 'E_TOO_LARGE'],
    ];
    for (const [path, code] of cases) expect(await codeOf(() => assertSafePath(path)), path).toBe(code);
  });

  it('normalises dropped-file paths', () => {
    expect(normalisePath('.\\docs\\cafe\u0301.html')).toBe('docs/caf\u00e9.html');
    expect(normalisePath('/index.html')).toBe('index.html');
  });

  it('refuses files that collide after NFC and case folding', async () => {
    const files = [{ path: 'Index.html', bytes: utf8('a') }, { path: 'index.html', bytes: utf8('b') }];
    expect(await codeOf(buildBundle({ files, secretKey: FIXED_SECRET, seq: 1 }))).toBe('E_DUPLICATE_PATH');
    const nfc = [{ path: 'caf\u00e9.html', bytes: utf8('a') }, { path: 'cafe\u0301.html', bytes: utf8('b') }, { path: 'index.html', bytes: utf8('') }];
    expect(await codeOf(buildBundle({ files: nfc, secretKey: FIXED_SECRET, seq: 1 }))).toBe('E_DUPLICATE_PATH');
  });
});

describe('bundles and manifests', () => {
  it('builds a signed manifest that verifies and round-trips through JSON', async () => {
    const { manifest, files } = await sampleBundle();
    expect(manifest.files.map((f) => f.path)).toEqual(['blog/post.html', 'css/site.css', 'empty.txt', 'img/pattern.bin', 'index.html']);
    expect(manifest.entry).toBe('index.html');
    expect(manifest.files.find((f) => f.path === 'css/site.css')?.type).toBe('text/css; charset=utf-8');
    const parsed = await verifyManifest(JSON.parse(JSON.stringify(manifest)));
    expect(parsed).toEqual(manifest);
    expect(parseManifestJson(JSON.stringify(manifest))).toEqual(manifest);
    for (const { file, bytes } of files) await assertFileBytes(file, bytes);
  });

  it('is deterministic: same input, same bytes and info hash', async () => {
    const a = await sampleBundle();
    const b = await sampleBundle(1, sampleFiles().reverse());
    expect(canonicalManifestBytes(b.manifest)).toEqual(canonicalManifestBytes(a.manifest));
    expect(b.manifest.signature).toBe(a.manifest.signature);
    expect(torrentFile(a.manifest.files, a.manifest.torrent)).toEqual(torrentFile(b.manifest.files, b.manifest.torrent));
  });

  it('writes a torrent whose info dictionary hashes to the manifest info hash', async () => {
    const { manifest } = await sampleBundle();
    const torrent = bdecode(torrentFile(manifest.files, manifest.torrent, { announce: ['ws://127.0.0.1:1/announce'], urlList: ['http://127.0.0.1:1/seed/'] })) as Record<string, unknown>;
    expect(torrent['url-list']).toEqual([utf8('http://127.0.0.1:1/seed/')]);
    expect(await computeInfoHash(manifest.files, manifest.torrent)).toBe(manifest.torrent.infoHash);
  });

  it('fails verification when any signed field is tampered', async () => {
    const { manifest } = await sampleBundle();
    const other = (await generateKeyPair()).publicKey;
    const tampers: [string, (m: Manifest) => void][] = [
      ['v', (m) => ((m as { v: number }).v = 2)],
      ['address', (m) => (m.address = addressFromPublicKey(other))],
      ['seq', (m) => (m.seq += 1)],
      ['createdAt', (m) => (m.createdAt += 1)],
      ['entry', (m) => (m.entry = 'blog/post.html')],
      ['fallback', (m) => (m.fallback = 'index.html')],
      ['files.path', (m) => (m.files[0].path = 'blog/post2.html')],
      ['files.size', (m) => (m.files[1].size += 1)],
      ['files.sha256', (m) => (m.files[1].sha256 = '0'.repeat(64))],
      ['files.type', (m) => (m.files[1].type = 'text/html')],
      ['files removed', (m) => m.files.splice(0, 1)],
      ['torrent.infoHash', (m) => (m.torrent.infoHash = '1'.repeat(40))],
      ['torrent.name', (m) => (m.torrent.name = 'other')],
      ['torrent.name (another address)', (m) => (m.torrent.name = addressFromPublicKey(other))],
      ['torrent.pieceLength', (m) => (m.torrent.pieceLength *= 2)],
      ['torrent.pieces', (m) => (m.torrent.pieces = 'f' + m.torrent.pieces.slice(1))],
      ['signature', (m) => (m.signature = (m.signature[0] === 'a' ? 'b' : 'a') + m.signature.slice(1))],
      ['extra field', (m) => ((m as unknown as Record<string, unknown>).extra = 1)],
    ];
    for (const [name, tamper] of tampers) {
      const copy = structuredClone(manifest);
      tamper(copy);
      const code = await codeOf(verifyManifest(copy));
      expect(['E_BAD_SIGNATURE', 'E_BAD_MANIFEST', 'E_BAD_ENCODING', 'E_NO_ENTRY'], name).toContain(code);
    }
  });

  it('signature over the right key only', async () => {
    const { manifest } = await sampleBundle();
    const { secretKey } = await generateKeyPair();
    expect(await codeOf(signManifest(manifest, secretKey))).toBe('E_BAD_KEY');
    expect(await codeOf(verifyManifest(manifest, { address: addressFromPublicKey((await generateKeyPair()).publicKey) }))).toBe('E_ADDRESS_MISMATCH');
  });

  it('rejects a bad seq, missing entry and over-limit sites', async () => {
    const files = sampleFiles();
    expect(await codeOf(buildBundle({ files, secretKey: FIXED_SECRET, seq: -1 }))).toBe('E_BAD_MANIFEST');
    expect(await codeOf(buildBundle({ files, secretKey: FIXED_SECRET, seq: 1.5 }))).toBe('E_BAD_MANIFEST');
    expect(await codeOf(buildBundle({ files: files.slice(1, 3), secretKey: FIXED_SECRET, seq: 1 }))).toBe('E_NO_ENTRY');
    expect(await codeOf(buildBundle({ files, secretKey: FIXED_SECRET, seq: 1, limits: { maxTotalBytes: 1000 } }))).toBe('E_TOO_LARGE');
    expect(await codeOf(buildBundle({ files, secretKey: FIXED_SECRET, seq: 1, limits: { maxFiles: 2 } }))).toBe('E_TOO_LARGE');
    expect(await codeOf(buildBundle({ files: [], secretKey: FIXED_SECRET, seq: 1 }))).toBe('E_BAD_MANIFEST');
    const { manifest } = await sampleBundle();
    const copy = { ...manifest, seq: Number.MAX_SAFE_INTEGER + 2 };
    expect(await codeOf(verifyManifest(copy))).toBe('E_BAD_MANIFEST');
    expect(await codeOf(() => parseManifestJson('x'.repeat(100), { ...{ maxFiles: 1, maxTotalBytes: 1, maxFileBytes: 1, maxPathBytes: 9, maxSegmentBytes: 9, maxDepth: 1 }, maxManifestBytes: 10 }))).toBe('E_TOO_LARGE');
  });

  it('detects wrong file bytes', async () => {
    const { files } = await sampleBundle();
    const { file, bytes } = files[1];
    const bad = bytes.slice();
    bad[0] ^= 1;
    expect(await codeOf(assertFileBytes(file, bad))).toBe('E_HASH_MISMATCH');
    expect(await codeOf(assertFileBytes(file, bytes.subarray(1)))).toBe('E_HASH_MISMATCH');
  });
});

describe('version rule', () => {
  it('accepts only a strictly higher seq and reports forks', async () => {
    const v1 = (await sampleBundle(1)).manifest;
    const v2 = (await sampleBundle(2)).manifest;
    const v2b = (await buildBundle({ files: sampleFiles().slice(0, 2), secretKey: FIXED_SECRET, seq: 2, createdAt: FIXED_TIME })).manifest;
    expect(decideVersion(undefined, v1)).toEqual({ action: 'accept' });
    expect(decideVersion(v1, v2)).toEqual({ action: 'accept' });
    expect(decideVersion(v2, v1)).toEqual({ action: 'stale', heldSeq: 2 });
    expect(decideVersion(v2, v2)).toEqual({ action: 'same' });
    expect(decideVersion(v2, v2b)).toEqual({ action: 'conflict', heldSeq: 2 });
    // Highest seen seq survives eviction: with nothing held, seq 1 is still stale after seeing 2.
    expect(decideVersion(undefined, v1, 2)).toEqual({ action: 'stale', heldSeq: 2 });
    expect(await codeOf(() => assertNewerVersion(v2, v1))).toBe('E_STALE_SEQ');
    expect(await codeOf(() => assertNewerVersion(v2, v2))).toBe('E_STALE_SEQ');
    expect(await codeOf(() => assertNewerVersion(v2, v2b))).toBe('E_SEQ_CONFLICT');
  });

  it('diffs two versions', async () => {
    const v1 = (await sampleBundle(1)).manifest;
    const changed = sampleFiles();
    changed[1] = { path: 'css/site.css', bytes: utf8('h1 { color: teal }') };
    changed.pop();
    changed.push({ path: 'new.txt', bytes: utf8('new') });
    const v2 = (await sampleBundle(2, changed)).manifest;
    const diff = diffFiles(v1.files, v2.files);
    expect(diff.added.map((f) => f.path)).toEqual(['new.txt']);
    expect(diff.removed.map((f) => f.path)).toEqual(['empty.txt']);
    expect(diff.modified.map((m) => m.after.path)).toEqual(['css/site.css']);
    expect(diff.unchanged).toHaveLength(3);
  });
});
