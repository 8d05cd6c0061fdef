import { describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../src/core/index.js';
import { exportKey, importKey, isEncrypted, KeyFileError } from '../../src/ui/key-file.js';

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(KeyFileError);
    return (err as KeyFileError).code;
  }
  throw new Error('expected an error');
}

describe('key files', () => {
  it('round-trips a plain and a passphrase-protected key', async () => {
    const key = await generateKeyPair();
    expect(await importKey(await exportKey(key))).toEqual(key);
    const locked = await exportKey(key, 'correct horse');
    expect(isEncrypted(locked)).toBe(true);
    expect(locked).not.toContain(Buffer.from(key.secretKey).toString('hex'));
    expect(await importKey(locked, 'correct horse')).toEqual(key);
  });

  it('refuses a wrong passphrase, a missing one, and damaged or foreign files with typed errors', async () => {
    const key = await generateKeyPair();
    const locked = await exportKey(key, 'right');
    expect(await codeOf(importKey(locked, 'wrong'))).toBe('E_WRONG_PASSPHRASE');
    expect(await codeOf(importKey(locked))).toBe('E_NEEDS_PASSPHRASE');
    expect(await codeOf(importKey('not json'))).toBe('E_BAD_KEY_FILE');
    expect(await codeOf(importKey('{"format":"other"}'))).toBe('E_BAD_KEY_FILE');
    const plain = JSON.parse(await exportKey(key));
    expect(await codeOf(importKey(JSON.stringify({ ...plain, secretKey: 'zz' })))).toBe('E_BAD_KEY_FILE');
    const other = JSON.parse(await exportKey(await generateKeyPair()));
    expect(await codeOf(importKey(JSON.stringify({ ...plain, address: other.address })))).toBe('E_BAD_KEY_FILE');
    const tampered = JSON.parse(locked);
    expect(await codeOf(importKey(JSON.stringify({ ...tampered, address: other.address }), 'right'))).toBe('E_WRONG_PASSPHRASE');
  });
});
