import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { createCipheriv, createDecipheriv, pbkdf2Sync, randomBytes } from 'node:crypto';
import { addressFromPublicKey, fromHex, generateKeyPair, keyPairFromSecret, toHex } from '../../src/core/index.js';
import { KeyFileError, type KeyFileErrorCode } from '../../src/keys/errors.js';
import { MIN_ITERATIONS } from '../../src/keys/key-cipher.js';
import { describeKeyFile, parseKeyFile, serializeKeyFile } from '../../src/keys/key-file.js';

const fixture = (name: string): string => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
// RFC 8032 §7.1, test 1: the fixtures were written by the app's exporter before the format moved to src/keys.
const RFC_SECRET = '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60';
const RFC_ADDRESS = '25njqamcweflpvkl73j4szahhihoc4xt3ktcgjnpaingr5yhkena';
const FAST = { iterations: MIN_ITERATIONS };

async function codeOf(p: Promise<unknown> | (() => unknown)): Promise<KeyFileErrorCode> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (err) {
    expect(err).toBeInstanceOf(KeyFileError);
    expect((err as KeyFileError).message.startsWith(`${(err as KeyFileError).code}: `)).toBe(true);
    return (err as KeyFileError).code;
  }
  throw new Error('expected an error');
}

describe('key file format', () => {
  it('round-trips a plain and a passphrase-protected key', async () => {
    const key = await generateKeyPair();
    const plain = await serializeKeyFile(key);
    expect(JSON.parse(plain)).toEqual({ format: 'p2psite-key', version: 1, address: addressFromPublicKey(key.publicKey), secretKey: toHex(key.secretKey) });
    expect(await parseKeyFile(plain)).toEqual(key);
    expect(await parseKeyFile(new TextEncoder().encode(plain))).toEqual(key);
    expect(await serializeKeyFile(key, { passphrase: '' })).toBe(plain);

    const locked = await serializeKeyFile(key, { passphrase: 'correct horse', ...FAST });
    expect(locked).not.toContain(toHex(key.secretKey));
    expect(describeKeyFile(locked)).toEqual({ address: addressFromPublicKey(key.publicKey), encrypted: true, legacy: false });
    expect(await parseKeyFile(locked, { passphrase: 'correct horse' })).toEqual(key);
    expect(JSON.parse(await serializeKeyFile(key, { passphrase: 'x' })).kdf.iterations).toBe(600_000);
    await expect(serializeKeyFile(key, { passphrase: 'x', iterations: 1000 })).rejects.toThrow(RangeError);
  });

  it('opens files the app exported before the move, and the old CLI form', async () => {
    const want = await keyPairFromSecret(fromHex(RFC_SECRET));
    expect(await parseKeyFile(fixture('app-plain.p2psite-key.json'))).toEqual(want);
    expect(await parseKeyFile(fixture('app-protected.p2psite-key.json'), { passphrase: 'correct horse battery staple' })).toEqual(want);
    expect(describeKeyFile(fixture('cli-legacy.key'))).toEqual({ address: RFC_ADDRESS, encrypted: false, legacy: true });
    expect(await parseKeyFile(fixture('cli-legacy.key'))).toEqual(want);
    expect(await parseKeyFile(JSON.stringify({ secretKey: RFC_SECRET }))).toEqual(want);
  });

  it('is PBKDF2-HMAC-SHA-256 into AES-256-GCM with the address as additional data (checked with node:crypto)', async () => {
    const key = await keyPairFromSecret(fromHex(RFC_SECRET));
    const file = JSON.parse(await serializeKeyFile(key, { passphrase: 'pässphrase', ...FAST }));
    const aes = pbkdf2Sync(Buffer.from('pässphrase', 'utf8'), Buffer.from(file.kdf.salt, 'hex'), file.kdf.iterations, 32, 'sha256');
    const data = Buffer.from(file.data, 'hex');
    const decipher = createDecipheriv('aes-256-gcm', aes, Buffer.from(file.cipher.iv, 'hex'));
    decipher.setAAD(Buffer.from(RFC_ADDRESS));
    decipher.setAuthTag(data.subarray(32));
    expect(Buffer.concat([decipher.update(data.subarray(0, 32)), decipher.final()]).toString('hex')).toBe(RFC_SECRET);

    // And the other way: a file sealed by another implementation opens.
    const salt = randomBytes(16);
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', pbkdf2Sync('other', salt, MIN_ITERATIONS, 32, 'sha256'), iv);
    cipher.setAAD(Buffer.from(RFC_ADDRESS));
    const sealed = Buffer.concat([cipher.update(Buffer.from(RFC_SECRET, 'hex')), cipher.final(), cipher.getAuthTag()]);
    const foreign = { format: 'p2psite-key', version: 1, address: RFC_ADDRESS, kdf: { name: 'PBKDF2', hash: 'SHA-256', iterations: MIN_ITERATIONS, salt: salt.toString('hex') }, cipher: { name: 'AES-GCM', iv: iv.toString('hex') }, data: sealed.toString('hex') };
    expect(await parseKeyFile(JSON.stringify(foreign), { passphrase: 'other' })).toEqual(key);
  });

  it('refuses each kind of bad file with its code', async () => {
    const key = await generateKeyPair();
    const other = addressFromPublicKey((await generateKeyPair()).publicKey);
    const plain = JSON.parse(await serializeKeyFile(key));
    const lockedText = await serializeKeyFile(key, { passphrase: 'right', ...FAST });
    const locked = JSON.parse(lockedText);
    const cases: [unknown, KeyFileErrorCode][] = [
      ['not json', 'E_NOT_KEY_FILE'],
      ['[1]', 'E_NOT_KEY_FILE'],
      ['{}', 'E_NOT_KEY_FILE'],
      [{ format: 'other' }, 'E_NOT_KEY_FILE'],
      [{ ...plain, version: 2 }, 'E_NOT_KEY_FILE'],
      [' '.repeat(20_000), 'E_NOT_KEY_FILE'],
      [{ ...plain, secretKey: 'zz' }, 'E_DAMAGED_KEY_FILE'],
      [{ ...plain, secretKey: plain.secretKey.slice(2) }, 'E_DAMAGED_KEY_FILE'],
      [{ ...plain, address: 'not an address' }, 'E_DAMAGED_KEY_FILE'],
      [{ format: 'p2psite-key', version: 1, address: plain.address }, 'E_DAMAGED_KEY_FILE'],
      [{ address: plain.address, secretKey: 7 }, 'E_NOT_KEY_FILE'],
      [{ address: plain.address, secretKey: 'ab' }, 'E_DAMAGED_KEY_FILE'],
      [{ ...locked, kdf: { ...locked.kdf, iterations: 5 } }, 'E_DAMAGED_KEY_FILE'],
      [{ ...locked, kdf: { ...locked.kdf, name: 'scrypt' } }, 'E_DAMAGED_KEY_FILE'],
      [{ ...locked, kdf: { ...locked.kdf, salt: 'ab' } }, 'E_DAMAGED_KEY_FILE'],
      [{ ...locked, cipher: { name: 'AES-GCM', iv: '00' } }, 'E_DAMAGED_KEY_FILE'],
      [{ ...locked, cipher: undefined }, 'E_DAMAGED_KEY_FILE'],
      [{ ...locked, data: locked.data.slice(0, 40) }, 'E_DAMAGED_KEY_FILE'],
      [{ ...plain, address: other }, 'E_KEY_MISMATCH'],
      [{ address: other, secretKey: plain.secretKey }, 'E_KEY_MISMATCH'],
    ];
    for (const [file, code] of cases) {
      const text = typeof file === 'string' ? file : JSON.stringify(file);
      expect(await codeOf(parseKeyFile(text, { passphrase: 'right' })), text.slice(0, 80)).toBe(code);
      if (code !== 'E_KEY_MISMATCH') expect(await codeOf(() => describeKeyFile(text))).toBe(code);
    }
    expect(await codeOf(parseKeyFile(lockedText))).toBe('E_NEEDS_PASSPHRASE');
    expect(await codeOf(parseKeyFile(lockedText, { passphrase: '' }))).toBe('E_NEEDS_PASSPHRASE');
    expect(await codeOf(parseKeyFile(lockedText, { passphrase: 'wrong' }))).toBe('E_WRONG_PASSPHRASE');
    // AES-GCM cannot tell a wrong passphrase from altered bytes; both are refused before any key is used.
    const flipped = locked.data.slice(0, -1) + (locked.data.endsWith('0') ? '1' : '0');
    expect(await codeOf(parseKeyFile(JSON.stringify({ ...locked, data: flipped }), { passphrase: 'right' }))).toBe('E_WRONG_PASSPHRASE');
    expect(await codeOf(parseKeyFile(JSON.stringify({ ...locked, address: other }), { passphrase: 'right' }))).toBe('E_WRONG_PASSPHRASE');
  });

  it('fuzz: a mutated key file opens or fails with a KeyFileError code, never anything else', async () => {
    let seed = 0x5eed;
    const rand = (): number => {
      // mulberry32, so a failure replays from its seed.
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const base = fixture('app-plain.p2psite-key.json');
    const codes = new Set<string>();
    for (let i = 0; i < 400; i++) {
      const chars = [...base];
      for (let n = 1 + Math.floor(rand() * 3); n > 0; n--) {
        const at = Math.floor(rand() * chars.length);
        const r = rand();
        if (r < 0.4) chars[at] = String.fromCharCode(32 + Math.floor(rand() * 95));
        else if (r < 0.7) chars.splice(at, 1);
        else chars.splice(at, 0, chars[Math.floor(rand() * chars.length)]);
      }
      try {
        await parseKeyFile(chars.join(''));
        codes.add('opened');
      } catch (err) {
        expect(err, `case ${i}`).toBeInstanceOf(KeyFileError);
        codes.add((err as KeyFileError).code);
        // Messages reach terminals and logs: never any run of the secret key's hex.
        for (let at = 0; at + 12 <= RFC_SECRET.length; at += 4) expect((err as Error).message).not.toContain(RFC_SECRET.slice(at, at + 12));
      }
    }
    expect([...codes].sort()).toEqual(expect.arrayContaining(['E_DAMAGED_KEY_FILE', 'E_KEY_MISMATCH', 'E_NOT_KEY_FILE']));
  });
});
