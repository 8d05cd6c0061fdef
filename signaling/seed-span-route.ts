import { createReadStream } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { MAX_SPAN_BYTES, parseSeedSpan, type Manifest } from '../src/core/index.js';
import { HttpError } from './errors.js';
import { CORS_HEADERS } from './http-util.js';
import { INERT_BYTES_HEADERS, RAW_BYTES_TYPE } from './raw-bytes.js';
import type { ServerContext } from './server-context.js';

/**
 * `/seed/<infoHash>/?files=<from>-<to>`: the bytes of files `from`..`to` (excluded) of a
 * version laid end to end (src/core/seed-span.ts). The caller has checked the origin, the
 * denylist and that the origin seed is on, as for a single file.
 * @throws {HttpError} 400 E_BAD_SPAN for a span outside the version or over the limits
 */
export async function seedSpanRoute(ctx: ServerContext, req: IncomingMessage, res: ServerResponse, manifest: Manifest, value: string | null): Promise<void> {
  const span = parseSeedSpan(value, manifest.files.length);
  if ('error' in span) throw new HttpError(400, 'E_BAD_SPAN', span.error);
  const files = manifest.files.slice(span.from, span.to);
  const length = files.reduce((n, f) => n + f.size, 0);
  if (length > MAX_SPAN_BYTES) throw new HttpError(400, 'E_BAD_SPAN', `a span holds at most ${MAX_SPAN_BYTES} bytes; ask for fewer files`);
  res.writeHead(200, {
    'Content-Type': RAW_BYTES_TYPE,
    'Content-Length': String(length),
    'Cache-Control': 'public, max-age=31536000, immutable',
    'X-Content-Type-Options': 'nosniff',
    ...CORS_HEADERS,
    ...INERT_BYTES_HEADERS,
  });
  if (req.method === 'HEAD') return void res.end();
  for (const file of files) {
    if (file.size === 0) continue;
    const sent = await sendFile(ctx.store.blobPath(file.sha256), res, (n) => ctx.metrics.addOriginBytes(manifest.address, n));
    if (!sent) return; // The client went away.
  }
  res.end();
}

/** Writes one file into the response, waiting for it to drain; false if the response closed. */
function sendFile(path: string, res: ServerResponse, onBytes: (n: number) => void): Promise<boolean> {
  return new Promise((resolve) => {
    const stream = createReadStream(path, { highWaterMark: 256 * 1024 });
    const closed = () => {
      stream.destroy();
      resolve(false);
    };
    res.once('close', closed);
    stream.on('data', (chunk) => {
      onBytes((chunk as Buffer).length);
      if (!res.write(chunk)) {
        stream.pause();
        res.once('drain', () => stream.resume());
      }
    });
    stream.on('end', () => {
      res.off('close', closed);
      resolve(true);
    });
    stream.on('error', () => {
      res.off('close', closed);
      res.destroy();
      resolve(false);
    });
  });
}
