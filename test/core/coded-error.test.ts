import { describe, expect, it } from 'vitest';
import { CodedError, CoreError, detailOf, ManifestError } from '../../src/core/index.js';
import { SiteActionError } from '../../src/bridge/errors.js';
import { KeyFileError } from '../../src/keys/errors.js';
import { PublishError } from '../../src/ui/publish-error.js';
import { SiteError } from '../../src/site/errors.js';
import { HttpError } from '../../signaling/errors.js';

describe('CodedError', () => {
  it('puts the code first in the message and keeps the message without it as detail', () => {
    const err = new CodedError('E_SOMETHING', 'what happened; what to do');
    expect(err.message).toBe('E_SOMETHING: what happened; what to do');
    expect(err.detail).toBe('what happened; what to do');
    expect(err.code).toBe('E_SOMETHING');
  });

  it('names each boundary class after itself, and every one is a CodedError', () => {
    const cases: [CodedError, string][] = [
      [new ManifestError('E_BAD_MANIFEST', 'm'), 'ManifestError'],
      [new SiteError('E_DENIED', 'm'), 'SiteError'],
      [new SiteActionError('E_PINNED', 'm'), 'SiteActionError'],
      [new KeyFileError('E_NEEDS_PASSPHRASE', 'm'), 'KeyFileError'],
      [new PublishError('E_READ_FAILED', 'm', { path: 'a' }), 'PublishError'],
      [new HttpError(413, 'E_TOO_LARGE', 'm'), 'HttpError'],
    ];
    for (const [err, name] of cases) {
      expect(err).toBeInstanceOf(CodedError);
      expect(err).toBeInstanceOf(Error);
      expect(err.name).toBe(name);
      expect(err.message).toBe(`${err.code}: m`);
      expect(err.detail).toBe('m');
    }
    expect(new ManifestError('E_BAD_MANIFEST', 'm')).toBeInstanceOf(CoreError);
  });

  it('keeps a cause', () => {
    const cause = new Error('inner');
    expect(new SiteError('E_STORAGE_BLOCKED', 'm', { cause }).cause).toBe(cause);
  });

  it('keeps a detail that starts like a code as it is', () => {
    expect(new CoreError('E_BAD_PATH', 'E_X: is part of the text').detail).toBe('E_X: is part of the text');
  });
});

describe('detailOf', () => {
  it('answers the message without a code for any thrown value', () => {
    expect(detailOf(new CoreError('E_BAD_KEY', 'key is 31 bytes, expected 32'))).toBe('key is 31 bytes, expected 32');
    expect(detailOf(new TypeError('x is not a function'))).toBe('x is not a function');
    expect(detailOf('plain')).toBe('plain');
    expect(detailOf(undefined)).toBe('undefined');
  });
});
