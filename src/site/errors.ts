import { CodedError } from '../core/index.js';

/** Failures of loading a site in the browser, by stable code. */
export type SiteErrorCode =
  | 'E_NOT_PUBLISHED'
  | 'E_UNREACHABLE'
  | 'E_DENIED'
  | 'E_NO_SOURCES'
  | 'E_BAD_MANIFEST'
  | 'E_NO_SERVICE_WORKER'
  | 'E_STORAGE_BLOCKED'
  | 'E_STORAGE';

/** A site that cannot be shown; `describeSiteError` says what the visitor reads for its code. */
export class SiteError extends CodedError<SiteErrorCode> {}

/** What a visitor reads for each failure: what happened and what to try. One place, so components never parse messages. */
export function describeSiteError(code: string): { title: string; advice: string } {
  switch (code) {
    case 'E_NOT_PUBLISHED':
      return { title: 'Nothing is published at this address', advice: 'Check that the address is complete and correct, or ask the publisher for the link.' };
    case 'E_UNREACHABLE':
      return { title: 'No peers online and the origin is unreachable', advice: 'Check your connection and try again in a minute; the site appears as soon as a peer or the server is back.' };
    case 'E_NO_SOURCES':
      return { title: 'The site could not be downloaded', advice: 'No peer had the files and the origin did not answer in time. Try again in a minute.' };
    case 'E_DENIED':
      return { title: 'This site is not available here', advice: 'The operator of this server has blocked this address, so it is not loaded from peers either.' };
    case 'E_BAD_MANIFEST':
    case 'E_BAD_SIGNATURE':
      return { title: 'Only damaged copies of this site were found', advice: 'Every copy offered failed its signature check, so none was shown. Try again later.' };
    case 'E_NO_SERVICE_WORKER':
      return { title: 'This browser cannot show p2p sites here', advice: 'Service workers are off (for example in a private window of some browsers). Open the link in a normal window.' };
    case 'E_STORAGE_BLOCKED':
      return {
        title: 'This browser blocks storage for this site',
        advice: 'A p2p site is checked, kept and shown by your browser itself, which needs cookies and site data for this address. They are blocked here (a browser setting, an exception for this site, or a private window). Allow cookies and site data for this site and try again, or open the link in a normal window.',
      };
    case 'E_STORAGE':
      return { title: 'The browser refused to store the site', advice: 'Free some disk space or allow this site to store data, then reload.' };
    default:
      return { title: 'Something went wrong loading this site', advice: 'Reload the page to try again.' };
  }
}
