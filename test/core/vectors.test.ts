import { describe, expect, it } from 'vitest';
import * as ed from '@noble/ed25519';
import {
  bdecode,
  fromHex,
  mutableSignedBytes,
  mutableTarget,
  toHex,
  utf8,
  verifyEd25519,
  verifyMutableItem,
  signMutableItem,
  signSitePointer,
  verifySitePointer,
  CoreError,
} from '../../src/core/index.js';

// RFC 8032 section 7.1, TEST 1 to TEST 3.
const RFC8032 = [
  {
    secret: '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60',
    public: 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
    message: '',
    signature:
      'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
  },
  {
    secret: '4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb',
    public: '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c',
    message: '72',
    signature:
      '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00',
  },
  {
    secret: 'c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7',
    public: 'fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025',
    message: 'af82',
    signature:
      '6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a',
  },
];

describe('RFC 8032 test vectors through our verify path', () => {
  for (const [i, v] of RFC8032.entries()) {
    it(`TEST ${i + 1}: key derivation, signature and verification`, async () => {
      const secret = fromHex(v.secret);
      expect(toHex(await ed.getPublicKeyAsync(secret))).toBe(v.public);
      expect(toHex(await ed.signAsync(fromHex(v.message), secret))).toBe(v.signature);
      expect(await verifyEd25519(fromHex(v.signature), fromHex(v.message), fromHex(v.public))).toBe(true);
      const flipped = fromHex(v.signature);
      flipped[5] ^= 1;
      expect(await verifyEd25519(flipped, fromHex(v.message), fromHex(v.public))).toBe(false);
      expect(await verifyEd25519(fromHex(v.signature), utf8('other message'), fromHex(v.public))).toBe(false);
    });
  }

  it('refuses a non-canonical S (S + L) that lax verifiers accept', async () => {
    const v = RFC8032[0];
    const sig = fromHex(v.signature);
    // Add the group order L to S (little-endian), giving a malleated signature.
    const L = 2n ** 252n + 27742317777372353535851937790883648493n;
    let s = 0n;
    for (let i = 63; i >= 32; i--) s = (s << 8n) | BigInt(sig[i]);
    s += L;
    for (let i = 32; i < 64; i++) {
      sig[i] = Number(s & 255n);
      s >>= 8n;
    }
    expect(await verifyEd25519(sig, fromHex(v.message), fromHex(v.public))).toBe(false);
  });

  it('answers false, not an exception, for malformed keys and signatures', async () => {
    expect(await verifyEd25519(new Uint8Array(63), new Uint8Array(0), new Uint8Array(32))).toBe(false);
    expect(await verifyEd25519(new Uint8Array(64), new Uint8Array(0), new Uint8Array(31))).toBe(false);
    expect(await verifyEd25519(new Uint8Array(64), new Uint8Array(0), new Uint8Array(32).fill(255))).toBe(false);
  });
});

// BEP 44 "test vectors". Their private key is the expanded 64-byte form, so we check
// that the published signatures verify and that the targets match, not re-signing.
const BEP44_PUBLIC = fromHex('77ff84905a91936367c01360803104f92432fcd904a43511876df5cdf3e7e548');
const BEP44 = [
  {
    salt: '',
    target: '4a533d47ec9c7d95b1ad75f576cffc641853b750',
    signature:
      '305ac8aeb6c9c151fa120f120ea2cfb923564e11552d06a5d856091e5e853cff1260d3f39e4999684aa92eb73ffd136e6f4f3ecbfda0ce53a1608ecd7ae21f01',
  },
  {
    salt: 'foobar',
    target: '411eba73b6f087ca51a3795d9c8c938d365e32c1',
    signature:
      '6834284b6b24c3204eb2fea824d82f88883a3d95e8b4a21b8c0ded553d17d17ddf9a8a7104b1258f30bed3787e6cb896fca78c58f8e03b5f18f14951a87d9a08',
  },
];

describe('BEP 44 mutable items', () => {
  for (const v of BEP44) {
    it(`test vector ${v.salt ? 'with salt' : 'without salt'}`, async () => {
      const value = utf8('12:Hello World!');
      const salt = utf8(v.salt);
      expect(toHex(await mutableTarget(BEP44_PUBLIC, salt))).toBe(v.target);
      const item = { publicKey: BEP44_PUBLIC, salt, seq: 1, value, signature: fromHex(v.signature) };
      expect(await verifyMutableItem(item)).toEqual(utf8('Hello World!'));
      await expect(verifyMutableItem({ ...item, seq: 2 })).rejects.toMatchObject({ code: 'E_BAD_SIGNATURE' });
    });
  }

  it('signs the documented byte layout', () => {
    expect(new TextDecoder().decode(mutableSignedBytes(1, utf8('12:Hello World!'), utf8('foobar')))).toBe(
      '4:salt6:foobar3:seqi1e1:v12:Hello World!',
    );
  });

  it('round-trips a BEP 46 site pointer and rejects a tampered one', async () => {
    const { secretKey } = await ed.keygenAsync();
    const ih = 'aa'.repeat(20);
    const item = await signSitePointer(secretKey, 7, ih);
    expect(await verifySitePointer(item)).toBe(ih);
    expect(bdecode(item.value)).toEqual({ ih: fromHex(ih) });
    const other = await signMutableItem(secretKey, 7, { ih: fromHex('bb'.repeat(20)) });
    await expect(verifySitePointer({ ...item, value: other.value })).rejects.toMatchObject({ code: 'E_BAD_SIGNATURE' });
    const notPointer = await signMutableItem(secretKey, 1, 'just a string');
    await expect(verifySitePointer(notPointer)).rejects.toMatchObject({ code: 'E_BAD_POINTER' });
    await expect(signMutableItem(secretKey, 1, 'x'.repeat(1000))).rejects.toBeInstanceOf(CoreError);
  });
});
