/** A single byte range of a file, both ends included. */
export type ByteRange = { kind: 'none' } | { kind: 'range'; start: number; end: number } | { kind: 'unsatisfiable' };

const RANGE = /^bytes=(\d*)-(\d*)$/;

/**
 * Reads a `Range` header (RFC 9110 section 14.2) for a file of `size` bytes, the one way
 * the server and the service worker both answer it:
 * - one range, `bytes=a-b`, `bytes=a-` or the suffix `bytes=-n`, clamped to the file;
 * - `unsatisfiable` (416) when it starts at or past the end, or is a zero suffix;
 * - `none` (the whole file, 200) when there is no header, it is not in bytes, it names
 *   several ranges (section 14.2 lets a server ignore those) or its end is before its start.
 */
export function parseByteRange(header: string | null | undefined, size: number): ByteRange {
  if (!header) return { kind: 'none' };
  const match = RANGE.exec(header.trim());
  if (!match) return { kind: 'none' };
  const [, a, b] = match;
  if (a === '' && b === '') return { kind: 'none' };
  let start: number;
  let end: number;
  if (a === '') {
    const suffix = Number(b);
    if (suffix === 0) return { kind: 'unsatisfiable' };
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(a);
    end = b === '' ? size - 1 : Math.min(Number(b), size - 1);
    if (b !== '' && Number(b) < start) return { kind: 'none' };
  }
  if (start >= size) return { kind: 'unsatisfiable' };
  return { kind: 'range', start, end };
}
