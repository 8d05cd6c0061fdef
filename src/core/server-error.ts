/**
 * The body of every refusal of the server's HTTP API, one type for the side that writes
 * it (signaling/errors.ts, `errorBody`) and every side that reads it: the app's publish
 * (src/ui/publish.ts) and the CLI (signaling/cli). docs/PROTOCOL.md lists the codes.
 *
 * ```json
 * { "error": { "code": "E_STALE_SEQ", "message": "seq 3 is older than ...", "currentSeq": 4 } }
 * ```
 */

import { DEFAULT_LIMITS } from './limits.js';

/** A code as the server sends it: `E_` and capitals. A newer server may send codes this build does not know. */
export type ServerErrorCode = `E_${string}`;

/** What a refusal may carry beside its code and message, by code. */
export interface ServerErrorExtra {
  /** 409 E_STALE_SEQ and E_SEQ_CONFLICT: the seq the server holds (absent when it holds none). */
  currentSeq?: number;
  /** 404 E_POINTER_ONLY: the version the DHT names although the server holds no manifest. */
  pointer?: { seq: number; infoHash?: string; address?: string; sig?: string; v?: string };
  /** 400 E_MISSING_BLOB: the paths of the files to upload before the manifest. */
  missing?: string[];
}

/** The refusal itself: `body.error`. `message` is the server's text without the code. */
export interface ServerError extends ServerErrorExtra {
  code: ServerErrorCode;
  message: string;
}

export interface ServerErrorBody {
  error: ServerError;
}

const CODE = /^E_[A-Z0-9_]{1,40}$/;
/** A longer message is cut: the reader shows it, and a server is not trusted with a page of text. */
export const SERVER_MESSAGE_MAX = 500;

/** At most as many missing paths as a site has files by default. */
const MISSING_MAX = DEFAULT_LIMITS.maxFiles;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isSeq = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 1;

/**
 * Reads a response body as a server refusal: `{ error: { code, message, ...extra } }`
 * with a code of `E_` and up to 40 capitals, digits or underscores and a string message
 * (cut to 500 characters). Extras are kept only when well formed (`currentSeq` and
 * `pointer.seq` integers from 1, `missing` strings); unknown fields are dropped.
 * @returns the refusal, or undefined when the body is not one (not JSON, another server, a proxy's page).
 */
export function parseServerError(body: unknown): ServerError | undefined {
  if (!isRecord(body) || !isRecord(body.error)) return undefined;
  const { code, message, currentSeq, pointer, missing } = body.error;
  if (typeof code !== 'string' || !CODE.test(code) || typeof message !== 'string') return undefined;
  const error: ServerError = { code: code as ServerErrorCode, message: message.slice(0, SERVER_MESSAGE_MAX) };
  if (isSeq(currentSeq)) error.currentSeq = currentSeq;
  if (isRecord(pointer) && isSeq(pointer.seq)) {
    error.pointer = { seq: pointer.seq };
    for (const key of ['infoHash', 'address', 'sig', 'v'] as const) if (typeof pointer[key] === 'string') error.pointer[key] = pointer[key];
  }
  if (Array.isArray(missing) && missing.every((p) => typeof p === 'string')) error.missing = missing.slice(0, MISSING_MAX);
  return error;
}
