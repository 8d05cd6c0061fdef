import { isAddress } from '../core/index.js';

/** The site's own origin under this app's host: `<address>.<host>`. */
export function siteUrlFor(address: string, here: Pick<Location, 'protocol' | 'hostname' | 'port'> = location): string {
  return `${here.protocol}//${address}.${here.hostname}${here.port ? `:${here.port}` : ''}/`;
}

/** Accepts a bare address or any URL whose first host label is an address. */
export function addressFromInput(text: string): string | undefined {
  const trimmed = text.trim().toLowerCase();
  const bare: boolean = isAddress(trimmed);
  if (bare) return trimmed;
  try {
    const label = new URL(trimmed.includes('://') ? trimmed : `http://${trimmed}`).hostname.split('.')[0];
    return isAddress(label) ? label : undefined;
  } catch {
    return undefined;
  }
}
