import { describe, expect, it } from 'vitest';
import { LimitError, PathError } from '../../src/core/errors.js';
import { publishErrorText, planIssueText } from '../../src/ui/messages.js';
import { failureOf, PublishError } from '../../src/ui/publish-error.js';

const LIMITS = { maxFiles: 10_000, maxFileBytes: 512 * 1024 * 1024, maxTotalBytes: 512 * 1024 * 1024 };

describe('what a failed publish says', () => {
  it('a server refusal names its code, status and message', () => {
    const text = publishErrorText(failureOf(new PublishError('E_BAD_MANIFEST', 'files[3].sha256 expected 64 hex characters', { status: 400, fromServer: true, scope: 'site' })));
    expect(text).toContain('E_BAD_MANIFEST');
    expect(text).toContain('HTTP 400');
    expect(text).toContain('files[3].sha256 expected 64 hex characters');
    expect(text).not.toContain('Something went wrong');
  });

  it('a known refusal keeps its advice and adds what the server said', () => {
    const text = publishErrorText(failureOf(new PublishError('E_RATE_LIMITED', 'too many publishes from this address', { status: 429, fromServer: true })));
    expect(text).toContain('Wait a minute');
    expect(text).toContain('E_RATE_LIMITED: too many publishes from this address');
  });

  it('the network unreachable: no answer at all, nothing published', () => {
    const text = publishErrorText(failureOf(new PublishError('E_SERVER_DOWN', 'no answer from p2p.localhost:8080')));
    expect(text).toContain('server cannot be reached');
    expect(text).toContain('p2p.localhost:8080');
    expect(text).toContain('nothing was published');
  });

  it('a file too large names the file and the limit in the docs’ unit', () => {
    const text = publishErrorText(failureOf(new PublishError('E_TOO_LARGE', 'blob is larger than the limit of 536870912 bytes', { status: 413, fromServer: true, path: 'video/big.mp4', scope: 'file' })), LIMITS);
    expect(text).toContain('"video/big.mp4"');
    expect(text).toContain('512 MiB');
    expect(text).not.toContain('537 MB');
  });

  it('a site too large or with too many files names both limits', () => {
    const text = publishErrorText(failureOf(new PublishError('E_TOO_LARGE', 'site has 10001 files, more than the limit of 10000', { status: 413, fromServer: true, scope: 'site' })), LIMITS);
    expect(text).toContain('10,000 files');
    expect(text).toContain('512 MiB in all');
    expect(text).toContain('site has 10001 files');
  });

  it('the limits checked before publishing name the limit', () => {
    expect(planIssueText({ code: 'E_TOO_MANY_FILES', subject: '12000', limit: 10_000 })).toBe('12,000 files is more than the limit of 10,000 files a site may hold. Leave some out.');
    expect(planIssueText({ code: 'E_FILE_TOO_LARGE', subject: 'a.iso', limit: 512 * 1024 * 1024 })).toContain('limit of 512 MiB a file');
    expect(planIssueText({ code: 'E_SITE_TOO_LARGE', subject: String(600 * 1024 * 1024), limit: 512 * 1024 * 1024 })).toContain('The site is 600 MiB, more than the limit of 512 MiB in all');
  });

  it('storage refused by the browser is said as such', () => {
    const failure = failureOf(new DOMException('The quota has been exceeded.', 'QuotaExceededError'));
    expect(failure.code).toBe('E_STORAGE_REFUSED');
    expect(publishErrorText(failure)).toContain('refused to store the site’s key');
    expect(publishErrorText(failureOf(new PublishError('E_STORAGE_REFUSED', 'UnknownError')))).toContain('UnknownError');
  });

  it('a server failing to store names it, a core check keeps its code, anything else is named too', () => {
    expect(publishErrorText(failureOf(new PublishError('E_INTERNAL', 'the server hit an unexpected problem', { status: 500, fromServer: true })))).toContain('disk may be full');
    const core = failureOf(new LimitError('E_TOO_LARGE', '"a.bin" is 9 bytes, more than the limit of 8'));
    expect(core).toEqual({ code: 'E_TOO_LARGE', detail: '"a.bin" is 9 bytes, more than the limit of 8' });
    expect(failureOf(new PathError('E_RESERVED_PATH', 'api/x is reserved')).code).toBe('E_RESERVED_PATH');
    const odd = publishErrorText(failureOf(new TypeError('x is not a function')));
    expect(odd).toBe('Publishing stopped: E_UNEXPECTED, TypeError: x is not a function.');
    expect(publishErrorText(failureOf(new PublishError('E_READ_FAILED', 'could not read a/b.txt', { path: 'a/b.txt' })))).toContain('"a/b.txt" could not be read');
  });
});
