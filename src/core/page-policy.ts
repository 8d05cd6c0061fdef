import { parseUrl, type MinimalUrl } from './platform.js';

/**
 * What a site page's own Content-Security-Policy (its `<meta http-equiv>` tags: the
 * service worker sends no CSP header of its own) lets the runtime do, so that on a page
 * with a strict policy the runtime skips what would be blocked instead of filling the
 * console with violations (CSP Level 3, section 6.1 for the fallback chains). Pure, so the
 * CLI can tell publishers at publish time.
 */

/** Directives consulted for each kind of request, most specific first. */
const CHAINS = {
  frame: ['frame-src', 'child-src', 'default-src'],
  connect: ['connect-src', 'default-src'],
  worker: ['worker-src', 'child-src', 'script-src', 'default-src'],
} as const;

export type RequestKind = keyof typeof CHAINS;

/** The source list the policy applies to `kind`, or undefined when nothing restricts it. */
function sourcesFor(policy: string, kind: RequestKind): string[] | undefined {
  const directives = new Map<string, string[]>();
  for (const part of policy.split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name && !directives.has(name.toLowerCase())) directives.set(name.toLowerCase(), sources);
  }
  for (const name of CHAINS[kind]) {
    const found = directives.get(name);
    if (found) return found;
  }
  return undefined;
}

function sourceMatches(source: string, url: MinimalUrl, self: MinimalUrl): boolean {
  const s = source.toLowerCase();
  if (s === "'none'") return false;
  if (s === '*') return /^(https?|wss?):$/.test(url.protocol);
  // 'self' covers the page's origin, and ws:/wss: to the same host (CSP Level 3).
  if (s === "'self'") return url.host === self.host && (url.protocol === self.protocol || url.protocol === (self.protocol === 'https:' ? 'wss:' : 'ws:'));
  if (/^[a-z][a-z0-9+.-]*:$/.test(s)) return url.protocol === s || (s === 'http:' && url.protocol === 'https:') || (s === 'ws:' && url.protocol === 'wss:');
  const m = /^(?:([a-z][a-z0-9+.-]*):\/\/)?(\*\.)?([a-z0-9.-]+)(?::(\d+|\*))?(?:\/.*)?$/.exec(s);
  if (!m) return false;
  const [, scheme, wildcard, host, port] = m;
  if (scheme && `${scheme}:` !== url.protocol && !(scheme === 'http' && url.protocol === 'https:')) return false;
  if (!scheme && !/^(https?|wss?):$/.test(url.protocol)) return false;
  const hostOk = wildcard ? url.hostname.endsWith(`.${host}`) : url.hostname === host;
  const defaultPort = url.protocol === 'https:' || url.protocol === 'wss:' ? '443' : '80';
  const portOk = port === '*' || (port ?? defaultPort) === (url.port || defaultPort);
  return hostOk && portOk;
}

/** True when every policy allows a request of `kind` to `target` from a page at `self`. */
export function policiesAllow(policies: readonly string[], kind: RequestKind, target: string, self: string): boolean {
  const url = parseUrl(target);
  const selfUrl = parseUrl(self);
  return policies.every((policy) => {
    const sources = sourcesFor(policy, kind);
    return !sources || sources.some((source) => sourceMatches(source, url, selfUrl));
  });
}

/** The policies of `<meta http-equiv="Content-Security-Policy">` tags in an HTML text. */
export function metaPolicies(html: string): string[] {
  const out: string[] = [];
  for (const tag of html.match(/<meta\b[^>]*>/gi) ?? []) {
    if (!/http-equiv\s*=\s*["']?content-security-policy["'\s>]/i.test(tag)) continue;
    const content = /content\s*=\s*(?:"([^"]*)"|'([^']*)')/i.exec(tag);
    if (content) out.push(content[1] ?? content[2]);
  }
  return out;
}
