import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../test/helpers/chromium.js';
import { transferBetweenBrowsers, type Direction } from './helpers/cross-browser.js';

// Firefox and Chromium exchange a site over WebRTC, each way, with the server's origin
// seed off: every byte the visitor shows came from the other browser. 300 kB on top of
// the fixture, so the time says something about the wire, not only about set-up.
let chromium: Browser;

beforeAll(async () => {
  chromium = await launchChromium();
});

afterAll(async () => {
  await chromium?.close();
});

for (const direction of ['chromium-to-firefox', 'firefox-to-chromium'] satisfies Direction[]) {
  test(`${direction}: the visitor shows the site, seq 1, every byte from the other browser`, async () => {
    const result = await transferBetweenBrowsers(chromium, direction, { extraBytes: 300_000 });
    console.log(`[firefox] ${direction}: ${result.siteBytes} bytes over WebRTC in ${result.loadMs} ms`);
    expect(result.title).toBe('Hello from the swarm');
    expect(result.visitorSeq).toBe(1);
    expect(result.originBytes).toBe(0);
    expect(result.seederUploaded).toBeGreaterThanOrEqual(result.siteBytes);
    expect(result.errors).toEqual([]);
    // Both directions take a few seconds here; the bound catches a stalled wire (the
    // colleague's 18.5 s and "ICE failed" runs) without flaking on a busy machine.
    expect(result.loadMs).toBeLessThan(15_000);
  });
}
