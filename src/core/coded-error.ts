/**
 * The one shape of every typed error in this project, browser and server: a stable
 * `code` from a string union that callers branch on, a message that starts with the
 * code (`E_TOO_LARGE: blob is larger than ...`, as hypercore's errors do), and the same
 * message without it as `detail`, for text that names the code elsewhere (the server's
 * error body, the publish view), so no caller ever cuts a prefix off a message.
 */
export class CodedError<Code extends string = string> extends Error {
  readonly code: Code;
  /** The message without its code: what happened, what was expected, what to do. */
  readonly detail: string;
  constructor(code: Code, detail: string, options?: { cause?: unknown }) {
    super(`${code}: ${detail}`, options);
    this.code = code;
    this.detail = detail;
    this.name = new.target.name;
  }
}

/**
 * What any thrown value says without a code in front: a CodedError's `detail`, an
 * Error's message, anything else as a string. For logs and for messages sent on (a
 * worker's reply) that carry their code beside them.
 */
export function detailOf(err: unknown): string {
  if (err instanceof CodedError) return err.detail;
  return err instanceof Error ? err.message : String(err);
}
