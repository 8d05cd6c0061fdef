import { describe, expect, it } from 'vitest';
import { assertFileDigest, isCoreError, Sha256, sha256, toHex, utf8, type ManifestFile } from '../../src/core/index.js';

// FIPS 180-4 examples (NIST CSRC "SHA256.pdf", "SHA2_Additional.pdf").
const VECTORS: [string, Uint8Array, string][] = [
  ['empty', new Uint8Array(0), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
  ['"abc"', utf8('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
  ['448 bits', utf8('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'), '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1'],
  ['one million "a"', new Uint8Array(1_000_000).fill(0x61), 'cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0'],
];

describe('Sha256 (incremental)', () => {
  it.each(VECTORS)('matches the FIPS 180-4 vector for %s, whole and byte by byte', (_name, bytes, hex) => {
    expect(toHex(new Sha256().update(bytes).digest())).toBe(hex);
    if (bytes.length <= 1000) {
      const h = new Sha256();
      for (let i = 0; i < bytes.length; i++) h.update(bytes.subarray(i, i + 1));
      expect(toHex(h.digest())).toBe(hex);
    }
  });

  it('agrees with WebCrypto for random lengths cut at random places (block edges included)', async () => {
    let seed = 7;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) >>> 0) % n);
    for (let round = 0; round < 300; round++) {
      const bytes = new Uint8Array(round < 130 ? round : rand(5000)).map(() => rand(256));
      const h = new Sha256();
      for (let i = 0; i < bytes.length; ) {
        const step = 1 + rand(200);
        h.update(bytes.subarray(i, i + step));
        i += step;
      }
      expect(h.bytesHashed).toBe(bytes.length);
      expect(toHex(h.digest())).toBe(toHex(await sha256(bytes)));
    }
  });

  it('refuses use after digest', () => {
    const h = new Sha256();
    h.digest();
    expect(() => h.update(new Uint8Array(1))).toThrow(/after digest/);
    expect(() => h.digest()).toThrow(/twice/);
  });
});

describe('assertFileDigest', () => {
  const file: ManifestFile = { path: 'a.txt', size: 3, sha256: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad', type: 'text/plain' };
  const code = (f: () => void) => {
    try {
      f();
    } catch (err) {
      return isCoreError(err) ? err.code : 'not a core error';
    }
    return 'no error';
  };
  it('passes the right bytes and refuses a wrong length or hash with E_HASH_MISMATCH', () => {
    expect(code(() => assertFileDigest(file, 3, new Sha256().update(utf8('abc')).digest()))).toBe('no error');
    expect(code(() => assertFileDigest(file, 4, new Sha256().update(utf8('abcd')).digest()))).toBe('E_HASH_MISMATCH');
    expect(code(() => assertFileDigest(file, 3, new Sha256().update(utf8('abd')).digest()))).toBe('E_HASH_MISMATCH');
  });
});
