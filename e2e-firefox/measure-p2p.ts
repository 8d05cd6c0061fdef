/**
 * Measures the p2p load time of one site (fixture + 300 kB) in each direction between
 * Firefox and Chromium, N runs each, with the test prefs, with Firefox's own WebRTC
 * defaults, and with the seeder's tab behind another one. Not part of `npm test` (it takes minutes):
 *   P2P_DIST=dist-firefox npx tsx e2e-firefox/measure-p2p.ts [runs]
 */
import { launchChromium } from '../test/helpers/chromium.js';
import { transferBetweenBrowsers, type Direction } from './helpers/cross-browser.js';

const runs = Number(process.argv[2] ?? 3);
const variants: Record<string, { prefs: Record<string, unknown>; seederInBackground?: boolean }> = {
  'test prefs': { prefs: {} },
  'Firefox defaults': { prefs: { 'media.peerconnection.ice.obfuscate_host_addresses': true, 'media.peerconnection.ice.loopback': false } },
  // Another tab in front of the seeder's: Firefox then paces its data channel (ARCHITECTURE.md, Browsers).
  'seeder behind': { prefs: {}, seederInBackground: true },
};
const chromium = await launchChromium();
try {
  for (const [name, variant] of Object.entries(variants)) {
    for (const direction of ['chromium-to-firefox', 'firefox-to-chromium'] satisfies Direction[]) {
      const times: string[] = [];
      for (let i = 0; i < runs; i++) {
        try {
          const r = await transferBetweenBrowsers(chromium, direction, { extraBytes: 300_000, firefoxPrefs: variant.prefs, seederInBackground: variant.seederInBackground, timeoutMs: 60_000 });
          times.push(r.originBytes === 0 && r.title ? `${r.loadMs}` : `bad(${r.originBytes} origin bytes)`);
        } catch (err) {
          times.push(`failed (${String(err).slice(0, 80)})`);
        }
      }
      console.log(`${name.padEnd(17)} ${direction.padEnd(20)} ms: ${times.join(', ')}`);
    }
  }
} finally {
  await chromium.close();
}
// Something (not found yet) keeps Node's event loop alive after the last run's server and
// browsers are closed: the script printed every figure and then never exited. Exit.
process.exit(0);
