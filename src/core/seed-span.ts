/**
 * A span of the origin seed: consecutive files of one version in manifest order, sent as
 * one response of their bytes laid end to end, `GET /seed/<infoHash>/?files=<from>-<to>`
 * (`to` excluded). Small files cost a request each otherwise; a docs site of 1,000 1 kB
 * files is a handful of spans. The page cuts the bytes at the manifest's sizes and checks
 * every file's sha256 as it would a file fetched alone (docs/PROTOCOL.md, "Origin seed").
 */

/** Most files in one span. */
export const MAX_SPAN_FILES = 1000;
/** Most bytes in one span. */
export const MAX_SPAN_BYTES = 4 * 1024 * 1024;

export interface SeedSpan {
  from: number;
  to: number;
}

export function formatSeedSpan(span: SeedSpan): string {
  return `${span.from}-${span.to}`;
}

/** The span a `files` parameter names, or a reason it names none. */
export function parseSeedSpan(value: string | null, fileCount: number): SeedSpan | { error: string } {
  const match = /^(\d{1,6})-(\d{1,6})$/.exec(value ?? '');
  if (!match) return { error: 'files=<from>-<to> names a span of file indices in manifest order, <to> excluded' };
  const span = { from: Number(match[1]), to: Number(match[2]) };
  if (span.from >= span.to || span.to > fileCount) return { error: `the span ${value} is not within this version's ${fileCount} files` };
  if (span.to - span.from > MAX_SPAN_FILES) return { error: `a span holds at most ${MAX_SPAN_FILES} files` };
  return span;
}
