import { RESERVED_SEGMENTS } from '../core/index.js';
import { formatCount, formatSize } from './format-size.js';
import type { PublishErrorInfo } from './publish-error.js';
import type { PlanIssue } from './publish-plan.js';

/** Every message the app shows for an error code: one place, components never parse messages. */
export function planIssueText(issue: PlanIssue): string {
  switch (issue.code) {
    case 'E_EMPTY':
      return 'Nothing to publish: the drop had no files (hidden files are skipped). Drop a folder with an index.html.';
    case 'E_FILE_TOO_LARGE':
      return `"${issue.subject}" is larger than the limit of ${limitText(issue.limit, formatSize)} a file. Leave it out or make it smaller.`;
    case 'E_SITE_TOO_LARGE':
      return `The site is ${formatSize(Number(issue.subject))}, more than the limit of ${limitText(issue.limit, formatSize)} in all. Leave out large files.`;
    case 'E_TOO_MANY_FILES':
      return `${formatCount(Number(issue.subject))} files is more than the limit of ${limitText(issue.limit, formatCount)} files a site may hold. Leave some out.`;
    case 'E_BAD_PATH':
      return `"${issue.subject}" has a name that cannot be used on the web (control characters, "..", or too long). Rename it.`;
    case 'E_RESERVED_PATH':
      return `"${issue.subject}" is in a folder the server keeps for itself (${RESERVED_SEGMENTS.map((s) => `${s}/`).join(', ')}). Rename or move it.`;
    case 'E_DUPLICATE_PATH':
      return `${issue.subject} differ only in upper/lower case; other systems would mix them up. Rename one.`;
    case 'W_NO_INDEX':
      return issue.subject ? `No index.html: "${issue.subject}" will be the start page.` : 'No index.html and no single HTML page: add an index.html so the site has a start page.';
    case 'W_HIDDEN_SKIPPED':
      return `${issue.subject} hidden ${issue.subject === '1' ? 'file is' : 'files are'} left out (names starting with ".").`;
  }
}

function limitText(limit: number | undefined, format: (n: number) => string): string {
  return limit === undefined ? 'this server' : format(limit);
}

/** What a failed publish gives the message: its code, its message, and what else it knows. */
export interface PublishFailure extends PublishErrorInfo {
  code: string;
  /** The message as the server or the step said it, without the code. */
  detail?: string;
}

/**
 * What the publisher reads when a publish fails: the cause named, with the server's own
 * code and message when it refused, and the limit when one was hit. `limits` are the
 * server's (from /api/features) when known.
 */
export function publishErrorText(failure: PublishFailure, limits?: { maxFiles: number; maxFileBytes: number; maxTotalBytes: number }): string {
  const { code, detail, status, fromServer, path } = failure;
  const said = detail ? ` (the server said: “${detail}”)` : '';
  switch (code) {
    case 'E_SERVER_DOWN':
      return `The server cannot be reached${detail ? ` (${detail})` : ''}: the network is down or the server is not running. Check your connection and try again; nothing was published.`;
    case 'E_TOO_LARGE':
      if (failure.scope === 'file') return `The server refused "${path}" as too large${limits ? `: it takes files up to ${formatSize(limits.maxFileBytes)}` : ''}${said}. Leave it out or make it smaller.`;
      return `The server refused the site as too large${limits ? `: it takes up to ${formatCount(limits.maxFiles)} files and ${formatSize(limits.maxTotalBytes)} in all` : ''}${said}. Leave out some files.`;
    case 'E_FILE_TOO_LARGE':
    case 'E_SITE_TOO_LARGE':
    case 'E_TOO_MANY_FILES':
      return planIssueText({ code, subject: path ?? detail, limit: code === 'E_TOO_MANY_FILES' ? limits?.maxFiles : code === 'E_FILE_TOO_LARGE' ? limits?.maxFileBytes : limits?.maxTotalBytes });
    case 'E_PENDING_LIMIT':
      return `The server holds as many files from you as it keeps before a site names them${said}. Wait for them to expire (an hour) or publish a smaller site.`;
    case 'E_STORAGE_REFUSED':
      return `This browser refused to store the site’s key (its storage is full, or blocked for this app${detail ? `: ${detail}` : ''}). Free some space or allow site data for this app, then publish again; nothing was published.`;
    case 'E_READ_FAILED':
      return path ? `"${path}" could not be read (was it moved or deleted?). Drop the folder again.` : errorText(code);
    case 'E_INTERNAL':
      return `The server failed while storing the site (HTTP ${status ?? 500})${said}. Its disk may be full; try again later, or tell its operator.`;
  }
  const known = errorText(code, '');
  if (known) return fromServer && detail ? `${known} (${code}: ${detail})` : known;
  if (fromServer) return `The server refused the publish: ${code}${status ? ` (HTTP ${status})` : ''}${detail ? `, “${detail}”` : ''}.`;
  return `Publishing stopped: ${code}${detail ? `, ${detail}` : ''}.`;
}

export function errorText(code: string, fallback?: string): string {
  switch (code) {
    case 'E_SERVER_DOWN':
      return 'The server cannot be reached. Check that it is running and try again; nothing was published.';
    case 'E_WRONG_PASSPHRASE':
      return 'That passphrase does not open this key file. Check it and try again.';
    case 'E_NEEDS_PASSPHRASE':
      return 'This key file is protected: enter its passphrase.';
    case 'E_NOT_KEY_FILE':
      return 'This is not a usable key file. Choose the file you exported from this app or made with p2psite keygen.';
    case 'E_DAMAGED_KEY_FILE':
      return 'This key file is damaged: part of it is missing or changed. Use another copy of the key.';
    case 'E_KEY_MISMATCH':
      return 'This key file is damaged: its key does not belong to the site address it names. Use another copy of the key.';
    case 'E_STALE_SEQ':
    case 'E_SEQ_CONFLICT':
      return 'A newer version was published meanwhile (from another browser?). Reload the site list and publish again.';
    case 'E_RATE_LIMITED':
      return 'Too many publishes in a short time. Wait a minute and try again.';
    case 'E_TOO_LARGE':
      return 'The server refused a file as too large.';
    case 'E_DENIED':
      return 'The operator of this server refuses this site.';
    case 'E_NO_KEY':
      return 'This browser has no key for that site. Import its key (Keys) or publish as a new site.';
    case 'E_HASH_MISMATCH':
    case 'E_MISSING_BLOB':
      return 'A file changed or went missing while it was uploaded. Drop the folder again and publish.';
    case 'E_POPUP_BLOCKED':
      return 'The browser blocked the small window that changes a site’s cache. Allow pop-ups for this app and try again.';
    case 'E_MANAGE_TIMEOUT':
      return 'The site’s window did not answer. Check that the server is running and try again.';
    case 'E_MANAGE_FAILED':
      return 'The browser refused to change that site’s cache. Try again, or clear the site’s data in the browser settings.';
    case 'E_READ_FAILED':
      return 'A file could not be read (was it moved or deleted?). Drop the folder again.';
    case 'E_RESERVED_PATH':
      return `A file or folder at the top of the site has a name the server keeps for itself (${RESERVED_SEGMENTS.join(', ')}). Rename it or move it into another folder, then publish again.`;
    default:
      return fallback ?? 'Something went wrong. Try again.';
  }
}

/** What is wrong with a typed site address, as the visitor types; undefined when nothing (yet). */
export function addressHint(text: string, code: string | undefined): { text: string; error: boolean } | undefined {
  const t = text.trim();
  if (!t || !code) return undefined;
  if (code === 'E_BAD_ADDRESS') {
    const letters = t.replace(/^[a-z]+:\/\//i, '').split(/[./:]/)[0];
    if (/[^a-z2-7]/i.test(letters)) return { text: 'An address has only the letters a–z and the digits 2–7. Check for 0, 1, 8, 9 or punctuation.', error: true };
    if (letters.length < 52) return { text: `${letters.length} of 52 characters: keep typing, or paste the whole link.`, error: false };
    return { text: `That is ${letters.length} characters; an address has exactly 52. Check for extra characters.`, error: true };
  }
  return { text: 'That is not a site address or link.', error: true };
}
