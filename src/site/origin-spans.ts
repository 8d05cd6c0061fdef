import { assertFileDigest, formatSeedSpan, MAX_SPAN_BYTES, MAX_SPAN_FILES, sha256, type ManifestFile } from '../core/index.js';

/**
 * Which requests a first visit makes of the origin seed: a file alone, or a span of
 * consecutive small files in one response (src/core/seed-span.ts). Pure: the plan only.
 */

/** Files up to this size travel in spans; larger ones alone (they are a request's worth anyway). */
const SPAN_FILE_BYTES = 256 * 1024;
/** A span closes at this many bytes or files, so several run in parallel. */
const SPAN_TARGET_BYTES = 512 * 1024;
const SPAN_TARGET_FILES = Math.min(250, MAX_SPAN_FILES);

export type OriginRequest = { kind: 'file'; file: ManifestFile } | { kind: 'span'; from: number; to: number; files: ManifestFile[] };

/**
 * Plans the requests for `files` (already in the order the page wants them): the first
 * file alone, then runs of small files that sit next to each other in the manifest as
 * spans, in the order their most wanted file had. `indexOf` gives a file's manifest index.
 */
export function planOriginRequests(files: readonly ManifestFile[], indexOf: ReadonlyMap<ManifestFile, number>, spans: boolean): OriginRequest[] {
  if (!spans || files.length < 3) return files.map((file) => ({ kind: 'file', file }));
  const [first, ...rest] = files;
  const wantedAt = new Map(rest.map((f, i) => [f, i]));
  const small = rest.filter((f) => f.size <= SPAN_FILE_BYTES && indexOf.has(f)).sort((a, b) => indexOf.get(a)! - indexOf.get(b)!);
  const planned: { request: OriginRequest; rank: number }[] = rest.filter((f) => f.size > SPAN_FILE_BYTES || !indexOf.has(f)).map((file) => ({ request: { kind: 'file', file }, rank: wantedAt.get(file)! }));
  let run: ManifestFile[] = [];
  let runBytes = 0;
  const close = () => {
    if (!run.length) return;
    const rank = Math.min(...run.map((f) => wantedAt.get(f)!));
    const from = indexOf.get(run[0])!;
    planned.push({ request: run.length === 1 ? { kind: 'file', file: run[0] } : { kind: 'span', from, to: from + run.length, files: run }, rank });
    run = [];
    runBytes = 0;
  };
  for (const file of small) {
    const follows = run.length > 0 && indexOf.get(file) === indexOf.get(run[run.length - 1])! + 1;
    if (!follows || run.length >= SPAN_TARGET_FILES || runBytes + file.size > Math.min(SPAN_TARGET_BYTES, MAX_SPAN_BYTES)) close();
    run.push(file);
    runBytes += file.size;
  }
  close();
  planned.sort((a, b) => a.rank - b.rank);
  return [{ kind: 'file', file: first }, ...planned.map((p) => p.request)];
}

/** The URL of a span: `<seedBase><infoHash>/?files=<from>-<to>`. */
export function spanUrl(seedBase: string, infoHash: string, from: number, to: number): string {
  return `${seedBase}${infoHash}/?files=${formatSeedSpan({ from, to })}`;
}

/**
 * Cuts a span's bytes at the manifest's sizes, checking each file as it completes.
 * `verified` gets each matching file; a file that does not match, or that the stream ends
 * before, is reported to `failed`, and the rest of the span still counts.
 */
export async function readSpan(
  body: ReadableStream<Uint8Array>,
  files: readonly ManifestFile[],
  verified: (file: ManifestFile, blob: Blob) => Promise<void>,
  failed: (file: ManifestFile, reason: string) => void,
  onBytes?: (n: number) => void,
): Promise<void> {
  const reader = body.getReader();
  let i = 0;
  let buffer = new Uint8Array(files[0]?.size ?? 0);
  let filled = 0;
  // Files are handed on without waiting for each to be stored: storing goes in batches,
  // and a span of 250 files waiting on 250 commits in turn would be slower than fetching them.
  const handedOn: Promise<void>[] = [];
  const finishFile = () => {
    const [file, bytes, length] = [files[i], buffer, filled];
    handedOn.push(
      (async () => {
        assertFileDigest(file, length, await sha256(bytes));
        await verified(file, new Blob([bytes]));
      })().catch((err: unknown) => failed(file, err instanceof Error ? err.message : String(err))),
    );
    i++;
    buffer = new Uint8Array(files[i]?.size ?? 0);
    filled = 0;
  };
  // Empty files at the start are whole already.
  while (i < files.length && files[i].size === 0) finishFile();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    onBytes?.(value.length);
    let at = 0;
    while (at < value.length && i < files.length) {
      const take = Math.min(buffer.length - filled, value.length - at);
      buffer.set(value.subarray(at, at + take), filled);
      filled += take;
      at += take;
      while (i < files.length && filled === buffer.length) finishFile();
    }
    if (at < value.length) {
      void reader.cancel();
      break; // More bytes than the files' sizes: what was cut so far was checked file by file.
    }
  }
  for (; i < files.length; i++) failed(files[i], `the origin seed's span ended before "${files[i].path}"`);
  await Promise.all(handedOn);
}
