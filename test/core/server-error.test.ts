import { describe, expect, it } from 'vitest';
import { parseServerError, SERVER_MESSAGE_MAX, type ServerErrorBody } from '../../src/core/index.js';
import { errorBody, HttpError, toHttpError } from '../../signaling/errors.js';
import { ManifestError } from '../../src/core/index.js';
import { prng } from '../helpers/prng.js';


describe('parseServerError', () => {
  it('reads what the server writes, extras included (one type both sides)', () => {
    const written: ServerErrorBody[] = [
      errorBody(new HttpError(404, 'E_NOT_FOUND', 'nothing at /x')),
      errorBody(new HttpError(409, 'E_STALE_SEQ', 'a pointer with seq 4 is already known; publish a newer version', { currentSeq: 4 })),
      errorBody(new HttpError(400, 'E_MISSING_BLOB', 'upload these files first: a.txt', { missing: ['a.txt', 'b/c.css'] })),
      errorBody(new HttpError(404, 'E_POINTER_ONLY', 'look among peers', { pointer: { address: 'a'.repeat(52), seq: 7, infoHash: 'f'.repeat(40), sig: '00', v: '11' } })),
    ];
    for (const body of written) expect(parseServerError(JSON.parse(JSON.stringify(body)))).toEqual(body.error);
  });

  it('sends a core error with its code once, not in the message', () => {
    const body = errorBody(toHttpError(new ManifestError('E_BAD_MANIFEST', 'files[3].sha256 expected 64 hex characters')));
    expect(body).toEqual({ error: { code: 'E_BAD_MANIFEST', message: 'files[3].sha256 expected 64 hex characters' } });
    expect(toHttpError(new ManifestError('E_STALE_SEQ', 'seq 1 is older')).status).toBe(409);
  });

  it('answers undefined for what is not a refusal: not JSON, a proxy page, another server', () => {
    for (const body of [undefined, null, 'Bad Gateway', 42, [], {}, { error: 'E_NOT_FOUND' }, { error: [] }, { error: { code: 'E_X' } }, { error: { message: 'no code' } }, { error: { code: 'not_a_code', message: 'x' } }, { error: { code: 'E_', message: 'x' } }, { error: { code: `E_${'A'.repeat(41)}`, message: 'x' } }, { error: { code: 'E_X', message: 3 } }]) {
      expect(parseServerError(body), JSON.stringify(body)).toBeUndefined();
    }
  });

  it('accepts codes this build does not know, and cuts a long message', () => {
    expect(parseServerError({ error: { code: 'E_FROM_A_NEWER_SERVER_2', message: 'x'.repeat(5000) } })).toEqual({ code: 'E_FROM_A_NEWER_SERVER_2', message: 'x'.repeat(SERVER_MESSAGE_MAX) });
  });

  it('keeps extras only when well formed and drops unknown fields', () => {
    expect(parseServerError({ error: { code: 'E_STALE_SEQ', message: 'm', currentSeq: 0, pointer: { seq: 1.5 }, missing: ['a', 2], html: '<b>' } })).toEqual({ code: 'E_STALE_SEQ', message: 'm' });
    expect(parseServerError({ error: { code: 'E_STALE_SEQ', message: 'm', currentSeq: 2 ** 60 } })).toEqual({ code: 'E_STALE_SEQ', message: 'm' });
    expect(parseServerError({ error: { code: 'E_POINTER_ONLY', message: 'm', pointer: { seq: 3, infoHash: 5, extra: 'x' } } })).toEqual({ code: 'E_POINTER_ONLY', message: 'm', pointer: { seq: 3 } });
  });

  it('never throws and always answers the documented shape (seeded fuzz)', () => {
    const odd: unknown[] = [null, true, -1, 0, 1, 1.5, NaN, 2 ** 60, '', 'E_OK', 'e_low', 'x'.repeat(600), [], ['a'], {}, { seq: 2 }, { seq: -1 }];
    for (let seed = 1; seed <= 300; seed++) {
      const rand = prng(seed);
      const pick = () => odd[Math.floor(rand() * odd.length)];
      const error: Record<string, unknown> = {};
      for (const key of ['code', 'message', 'currentSeq', 'pointer', 'missing', 'other']) if (rand() < 0.7) error[key] = pick();
      const parsed = parseServerError(rand() < 0.9 ? { error } : pick());
      if (!parsed) continue;
      expect(parsed.code, `seed ${seed}`).toMatch(/^E_[A-Z0-9_]{1,40}$/);
      expect(typeof parsed.message).toBe('string');
      expect(parsed.message.length).toBeLessThanOrEqual(SERVER_MESSAGE_MAX);
      if (parsed.currentSeq !== undefined) expect(Number.isSafeInteger(parsed.currentSeq) && parsed.currentSeq >= 1).toBe(true);
      if (parsed.pointer !== undefined) expect(Number.isSafeInteger(parsed.pointer.seq) && parsed.pointer.seq >= 1).toBe(true);
      if (parsed.missing !== undefined) expect(parsed.missing.every((p) => typeof p === 'string')).toBe(true);
      expect(Object.keys(parsed).every((k) => ['code', 'message', 'currentSeq', 'pointer', 'missing'].includes(k))).toBe(true);
    }
  });
});
