import { createReadStream } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { parseByteRange } from '../src/core/byte-range.js';
import { errorBody, HttpError } from './errors.js';

/**
 * CORS for what other origins need to read: manifests, raw bytes (webseeds, the loader),
 * the loader and its engine. Only reads: publishing is for the app's own origin and the
 * CLI, so no other page can make a visitor's browser upload anything.
 * The allowed request headers are what stock WebTorrent 2.8.5's browser webseed
 * (lib/webconn.js) sets on every range request: `Range`, `Cache-Control: no-store` and
 * `User-Agent` (no longer a forbidden header in the Fetch standard, so a browser that
 * sends it asks for it in the preflight); `If-None-Match` for our own revalidation.
 */
export const CORS_HEADERS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Methods': 'GET, HEAD, OPTIONS',
  'Access-Control-Allow-Headers': 'Range, Cache-Control, If-None-Match, User-Agent',
  'Access-Control-Expose-Headers': 'Content-Range, Content-Length, ETag, Accept-Ranges, P2P-Swarm',
  'Access-Control-Max-Age': '600',
};

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), 'X-Content-Type-Options': 'nosniff', ...headers });
  res.end(text);
}

export function sendError(res: ServerResponse, err: HttpError): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  // Refused before the body was read (too large, rate limited): answer, then close the
  // connection rather than read the rest of a body nobody wants.
  const unread: Record<string, string> = res.req && !res.req.complete ? { Connection: 'close' } : {};
  sendJson(res, err.status, errorBody(err), { ...CORS_HEADERS, ...unread });
}

/** Refuses a body whose declared length is over the limit before reading any of it. @throws {HttpError} 413 E_TOO_LARGE */
export function checkDeclaredLength(req: IncomingMessage, maxBytes: number): void {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    throw new HttpError(413, 'E_TOO_LARGE', `request body is ${declared} bytes, more than the limit of ${maxBytes}; split it or ask the operator to raise the limit`);
  }
}

/**
 * Reads a body up to `maxBytes`, refusing more as soon as it arrives (no unbounded
 * buffering). On refusal the request is paused, not destroyed, so the 413 still reaches
 * the client before the connection closes.
 * @throws {HttpError} 413 E_TOO_LARGE, 400 E_BAD_REQUEST when the client goes away
 */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  checkDeclaredLength(req, maxBytes);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        req.off('data', onData);
        req.pause();
        reject(new HttpError(413, 'E_TOO_LARGE', `request body is more than the limit of ${maxBytes} bytes`));
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => resolve(Buffer.concat(chunks)));
    req.once('error', () => reject(new HttpError(400, 'E_BAD_REQUEST', 'the request body was interrupted; send it again')));
    req.once('aborted', () => reject(new HttpError(400, 'E_BAD_REQUEST', 'the request body was interrupted; send it again')));
  });
}

export interface FileResponse {
  path: string;
  size: number;
  type: string;
  etag?: string;
  cacheControl: string;
  extraHeaders?: Record<string, string>;
  /** Called with the number of body bytes written. */
  onBytes?: (n: number) => void;
}

/** Serves a file with ranges, conditional requests, HEAD and the given caching. */
export async function serveFile(req: IncomingMessage, res: ServerResponse, file: FileResponse): Promise<void> {
  const headers: Record<string, string> = {
    'Content-Type': file.type,
    'Cache-Control': file.cacheControl,
    'Accept-Ranges': 'bytes',
    'X-Content-Type-Options': 'nosniff',
    ...(file.etag ? { ETag: file.etag } : {}),
    ...file.extraHeaders,
  };
  if (file.etag && req.headers['if-none-match'] === file.etag) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  const parsed = parseByteRange(req.headers.range, file.size);
  if (parsed.kind === 'unsatisfiable') {
    res.writeHead(416, { ...headers, 'Content-Range': `bytes */${file.size}` });
    res.end();
    return;
  }
  const range = parsed.kind === 'range' ? parsed : undefined;
  const start = range ? range.start : 0;
  const end = range ? range.end : file.size - 1;
  const length = file.size === 0 ? 0 : end - start + 1;
  if (range) headers['Content-Range'] = `bytes ${start}-${end}/${file.size}`;
  headers['Content-Length'] = String(length);
  res.writeHead(range ? 206 : 200, headers);
  if (req.method === 'HEAD' || length === 0) {
    res.end();
    return;
  }
  // 256 KiB reads: a quarter of the thread-pool round trips of the 64 KiB default for webseed-sized ranges.
  const stream = createReadStream(file.path, { start, end, highWaterMark: 256 * 1024 });
  if (file.onBytes) stream.on('data', (chunk) => file.onBytes!((chunk as Buffer).length));
  await pipeline(stream, res).catch(() => undefined); // The client went away: nothing to answer.
}
