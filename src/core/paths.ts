import { LimitError, PathError } from './errors.js';
import { DEFAULT_LIMITS, type SiteLimits } from './limits.js';
import { utf8 } from './platform.js';
import { describeLoneSurrogate, loneSurrogateIndex } from './well-formed.js';

// C0 controls, DEL and C1 controls: invisible in file managers and dangerous in URLs.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * Checks that `path` is a safe site path in canonical form: relative, `/`-separated,
 * well-formed Unicode (no lone surrogate) in NFC, with no empty, `.` or `..` segments,
 * no backslash, no control characters, and within the length limits. Reserved first
 * segments are a separate rule (`assertNotReservedPath`), since request routing and
 * publishing differ there.
 * @throws {PathError} E_BAD_PATH naming the rule broken.
 * @throws {LimitError} E_TOO_LARGE when the path is too long or too deep.
 */
export function assertSafePath(path: unknown, limits: Pick<SiteLimits, 'maxPathBytes' | 'maxSegmentBytes' | 'maxDepth'> = DEFAULT_LIMITS): asserts path is string {
  if (typeof path !== 'string') throw new PathError('E_BAD_PATH', `path expected a string, got ${typeof path}`);
  const shown = JSON.stringify(path.length > 80 ? `${path.slice(0, 80)}...` : path);
  if (path.length === 0) throw new PathError('E_BAD_PATH', 'path is empty; every file needs a name');
  if (CONTROL.test(path)) throw new PathError('E_BAD_PATH', `path ${shown} contains a control character; rename the file`);
  const lone = loneSurrogateIndex(path);
  if (lone >= 0) {
    throw new PathError('E_BAD_PATH', `path ${shown} contains a lone UTF-16 surrogate (${describeLoneSurrogate(path, lone)}), which is not Unicode text; rename the file`);
  }
  if (path.includes('\\')) throw new PathError('E_BAD_PATH', `path ${shown} contains a backslash; use "/" between folders`);
  if (path.startsWith('/')) throw new PathError('E_BAD_PATH', `path ${shown} starts with "/"; paths are relative to the site root`);
  if (path.normalize('NFC') !== path) throw new PathError('E_BAD_PATH', `path ${shown} is not in Unicode NFC form; normalise it first`);
  if (utf8(path).length > limits.maxPathBytes) {
    throw new LimitError('E_TOO_LARGE', `path ${shown} is longer than ${limits.maxPathBytes} bytes; shorten it`);
  }
  const segments = path.split('/');
  if (segments.length > limits.maxDepth) {
    throw new LimitError('E_TOO_LARGE', `path ${shown} is nested ${segments.length} deep, more than ${limits.maxDepth}`);
  }
  for (const segment of segments) {
    if (segment === '') throw new PathError('E_BAD_PATH', `path ${shown} has an empty segment (a trailing or doubled "/")`);
    if (segment === '.' || segment === '..') throw new PathError('E_BAD_PATH', `path ${shown} contains "${segment}"; paths may not step outside the site`);
    if (utf8(segment).length > limits.maxSegmentBytes) {
      throw new LimitError('E_TOO_LARGE', `a name in ${shown} is longer than ${limits.maxSegmentBytes} bytes`);
    }
  }
}

/**
 * The key two paths collide under: NFC plus full case folding. Two files whose keys
 * match would overwrite each other on a case-insensitive or normalising file system
 * (macOS, Windows), so a site may not hold both.
 */
export function pathCollisionKey(path: string): string {
  return path.normalize('NFC').toUpperCase().toLowerCase();
}

/**
 * Turns a path as a browser or file system hands it over (backslashes, NFD, a leading
 * "./" or "/") into canonical form, then checks it. Used when building a bundle from
 * dropped files; manifests themselves must already be canonical.
 * @throws {PathError} E_BAD_PATH
 */
export function normalisePath(raw: string, limits?: Pick<SiteLimits, 'maxPathBytes' | 'maxSegmentBytes' | 'maxDepth'>): string {
  if (typeof raw !== 'string') throw new PathError('E_BAD_PATH', `path expected a string, got ${typeof raw}`);
  let path = raw.replace(/\\/g, '/').normalize('NFC');
  while (path.startsWith('./')) path = path.slice(2);
  path = path.replace(/^\/+/, '');
  assertSafePath(path, limits);
  return path;
}
