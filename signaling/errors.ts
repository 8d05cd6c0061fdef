import { CodedError, isCoreError, type ServerErrorBody, type ServerErrorCode, type ServerErrorExtra } from '../src/core/index.js';

/** Error codes of the server's HTTP API, beside the core's codes. */
export type ApiErrorCode =
  | 'E_NOT_FOUND'
  | 'E_DENIED'
  | 'E_ORIGIN_OFF'
  | 'E_MISSING_BLOB'
  | 'E_RATE_LIMITED'
  | 'E_METHOD'
  | 'E_BAD_REQUEST'
  | 'E_RANGE'
  | 'E_NO_BUILD'
  | 'E_UPGRADE_REQUIRED'
  | 'E_WRONG_HOST'
  /** A page's usage report that is not exactly { address, fromPeers, fromOrigin, uploaded } (signaling/page-reports.ts). */
  | 'E_BAD_REPORT'
  /** A usage report sent from a page of another origin. */
  | 'E_WRONG_ORIGIN'
  | 'E_CLOSING'
  /** A span of the origin seed outside its version or over the limits (src/core/seed-span.ts). */
  | 'E_BAD_SPAN'
  | 'E_INTERNAL';

/** An error with the HTTP status and body it is answered with (`errorBody`). */
export class HttpError extends CodedError<ServerErrorCode> {
  constructor(
    readonly status: number,
    code: ServerErrorCode,
    message: string,
    readonly extra: ServerErrorExtra = {},
  ) {
    super(code, message);
  }
}

/** The body a refusal is answered with, the type every client reads (src/core/server-error.ts). */
export function errorBody(err: HttpError): ServerErrorBody {
  return { error: { code: err.code, message: err.detail, ...err.extra } };
}

/** The one place core error codes become HTTP statuses; every other core code (a bad signature, a malformed manifest, ...) is 400: the request is wrong. */
const STATUS_OF_CORE_CODE: Record<string, number> = {
  E_TOO_LARGE: 413,
  E_STALE_SEQ: 409,
  E_SEQ_CONFLICT: 409,
  E_ADDRESS_MISMATCH: 400,
};

export function toHttpError(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  if (isCoreError(err)) return new HttpError(STATUS_OF_CORE_CODE[err.code] ?? 400, err.code, err.detail);
  return new HttpError(500, 'E_INTERNAL', 'the server hit an unexpected problem; try again, and tell the operator if it persists');
}
