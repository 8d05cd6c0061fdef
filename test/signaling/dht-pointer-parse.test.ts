import { describe, expect, it } from 'vitest';
import * as ed from '@noble/ed25519';
import { addressFromPublicKey, fromHex, signMutableItem, signSitePointer, toHex } from '../../src/core/index.js';
import { parsePointerBody, pointerValue } from '../../signaling/dht-pointer.js';
import { prng, randomBytesFrom } from '../core/ed25519-cases.js';

const IH = '5a'.repeat(20);

describe('parsePointerBody: exactly { seq, sig, v }, checked before anything trusts it', () => {
  it('known answer: the BEP 46 value of an info hash is d2:ih20:<bytes>e', () => {
    expect(new TextDecoder('latin1').decode(pointerValue(fromHex('41'.repeat(20))))).toBe(`d2:ih20:${'A'.repeat(20)}e`);
  });

  it('takes a good pointer and answers its info hash', async () => {
    const { secretKey, publicKey } = await ed.keygenAsync();
    const item = await signSitePointer(secretKey, 4, IH);
    const p = await parsePointerBody(addressFromPublicKey(publicKey), { seq: 4, sig: toHex(item.signature), v: toHex(item.value) });
    expect(p).toMatchObject({ seq: 4, infoHash: IH });
  });

  it('refuses a signed value with a key beside ih (BEP 46 names { ih } only)', async () => {
    const { secretKey, publicKey } = await ed.keygenAsync();
    const item = await signMutableItem(secretKey, 1, { ih: fromHex(IH), x: 1 });
    await expect(parsePointerBody(addressFromPublicKey(publicKey), { seq: 1, sig: toHex(item.signature), v: toHex(item.value) })).rejects.toMatchObject({ code: 'E_BAD_POINTER' });
  });

  it('500 seeded mutations of a good body are each refused with a code, or are the good body', async () => {
    const { secretKey, publicKey } = await ed.keygenAsync();
    const address = addressFromPublicKey(publicKey);
    const item = await signSitePointer(secretKey, 2, IH);
    const good = { seq: 2, sig: toHex(item.signature), v: toHex(item.value) };
    const rand = prng(44);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
    const odd = [null, true, 0, -1, 1.5, 2 ** 53, '2', [], {}, 'zz', '', 'A'.repeat(128), toHex(randomBytesFrom(rand, 64))];
    const codes = new Set<string>();
    for (let i = 0; i < 500; i++) {
      const body: Record<string, unknown> = { ...good };
      const field = pick(['seq', 'sig', 'v', 'extra', 'flip'] as const);
      if (field === 'extra') body[pick(['salt', 'k', 'ih', '__proto__x'])] = pick(odd);
      else if (field === 'flip') {
        const which = pick(['sig', 'v'] as const);
        const bytes = fromHex(good[which]);
        bytes[Math.floor(rand() * bytes.length)] ^= 1 << Math.floor(rand() * 8);
        body[which] = toHex(bytes);
      } else body[field] = pick(odd);
      const result = await parsePointerBody(address, body).then(
        () => 'accepted',
        (err: { code?: string }) => err.code ?? 'no code',
      );
      if (result === 'accepted') expect(body).toEqual(good);
      else codes.add(result);
    }
    expect([...codes].sort()).toEqual(['E_BAD_POINTER', 'E_BAD_SIGNATURE']);
  });

  it('refuses non-objects and an address whose key is unusable', async () => {
    for (const body of [null, 1, 'x', [1]]) await expect(parsePointerBody('a'.repeat(52), body)).rejects.toMatchObject({ code: 'E_BAD_POINTER' });
    // The all-zero-y encoding: 52 'a's decode to 32 zero bytes, not a usable key.
    await expect(parsePointerBody('a'.repeat(52), { seq: 1, sig: '00'.repeat(64), v: toHex(pointerValue(fromHex(IH))) })).rejects.toMatchObject({ code: 'E_BAD_KEY' });
  });
});
