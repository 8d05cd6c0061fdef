import type { BundleInputFile } from '../../src/core/index.js';
import { metaPolicies, policiesAllow } from '../../src/core/page-policy.js';

/**
 * What the pages' own Content-Security-Policy tags keep the runtime from doing, said at
 * publish time with what to add. The site still works: the runtime skips what is blocked
 * (src/site/runtime-main.ts).
 */
export function cspWarnings(files: readonly BundleInputFile[], appOrigin: string, siteOrigin: string): string[] {
  const warnings: string[] = [];
  for (const file of files) {
    if (!/\.html?$/i.test(file.path)) continue;
    const policies = metaPolicies(new TextDecoder().decode(file.bytes));
    if (!policies.length) continue;
    if (!policiesAllow(policies, 'connect', `${siteOrigin}/api/`, siteOrigin)) {
      warnings.push(`${file.path}: its Content-Security-Policy allows no requests to the site's own origin, so visitors of this page do not reseed the site or hear of updates; add connect-src 'self' to let them`);
    } else if (!policiesAllow(policies, 'frame', `${appOrigin}/__p2p/settings.html`, siteOrigin)) {
      warnings.push(`${file.path}: its Content-Security-Policy blocks the app's hidden frames, so visitors' sharing settings fall back to this site's saved copy or "origin only", and the visit is not listed in their app; add frame-src ${appOrigin} to let them`);
    }
  }
  return warnings;
}
