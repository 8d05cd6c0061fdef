import { CodedError, isCoreError, type ServerErrorCode } from '../core/index.js';
import type { PublishFailure } from './messages.js';

/** What a failed publish knows beside its code, for the message the publisher reads. */
export interface PublishErrorInfo {
  /** The HTTP status, when the server refused. */
  status?: number;
  /** The server answered with this refusal (its `error.code` and `error.message`). */
  fromServer?: boolean;
  /** The file it is about. */
  path?: string;
  /** What was refused: one file, or the site as a whole. */
  scope?: 'file' | 'site';
}

/**
 * Why a publish failed: a step in this browser, or the server's refusal with its own code
 * (any `E_` code a server sends, or `E_HTTP_<status>` when its answer is not a refusal).
 */
export type PublishErrorCode = 'E_SERVER_DOWN' | 'E_BAD_ADDRESS' | 'E_READ_FAILED' | 'E_NO_KEY' | 'E_STORAGE_REFUSED' | ServerErrorCode;

/** A failed step of publishing, with the code the app explains (messages.ts, `publishErrorText`). */
export class PublishError extends CodedError<PublishErrorCode> {
  constructor(
    code: PublishErrorCode,
    message: string,
    readonly info: PublishErrorInfo = {},
  ) {
    super(code, message);
  }
}

/**
 * What any error thrown while publishing says, by its type and code (never its text):
 * a refusal or a failed step as it is, a core check (a path, a limit) with its code, the
 * browser refusing storage as E_STORAGE_REFUSED, anything else as E_UNEXPECTED.
 */
export function failureOf(err: unknown): PublishFailure {
  if (err instanceof PublishError) return { code: err.code, detail: err.detail, ...err.info };
  if (isCoreError(err)) return { code: err.code, detail: err.detail };
  if (err instanceof DOMException && (err.name === 'QuotaExceededError' || err.name === 'InvalidStateError' || err.name === 'UnknownError')) return { code: 'E_STORAGE_REFUSED', detail: err.name };
  return { code: 'E_UNEXPECTED', detail: err instanceof Error ? `${err.name}: ${err.message}`.slice(0, 300) : String(err).slice(0, 300) };
}
