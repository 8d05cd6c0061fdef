/**
 * Errors of the CLI itself, beside the key file's codes (src/keys/errors.ts) and the
 * core's. main.ts turns them into a message on stderr and an exit status.
 */
export type CliErrorCode =
  /** The key file is missing or unreadable. */
  | 'E_KEY_FILE_UNREADABLE'
  /** --passphrase-file is missing, unreadable or empty. */
  | 'E_PASSPHRASE_FILE'
  /** The publisher pressed Ctrl-C at the passphrase prompt. */
  | 'E_CANCELLED'
  /** The folder's p2psite.json is not valid JSON or names an unknown option. */
  | 'E_BAD_SITE_CONFIG';

export class CliError extends Error {
  readonly code: CliErrorCode;
  constructor(code: CliErrorCode, message: string, options?: { cause?: unknown }) {
    super(`${code}: ${message}`, options);
    this.code = code;
    this.name = 'CliError';
  }
}
