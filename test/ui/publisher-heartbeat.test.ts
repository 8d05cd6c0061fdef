import { afterEach, describe, expect, it } from 'vitest';
import { EngineRoster } from '../../src/settings/engine-roster.js';
import { PublisherHeartbeat } from '../../src/ui/publisher-heartbeat.js';

// Real BroadcastChannels (Node has them): a site page's hub roster and the publisher's
// tab hear each other's beats, as two app-origin documents of one browser do.

/** Resolves once `read()` gives `want`, or fails saying what it gave. */
async function until<T>(read: () => T, want: T, ms = 2000): Promise<void> {
  const deadline = Date.now() + ms;
  while (read() !== want && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  expect(read()).toBe(want);
}

describe('PublisherHeartbeat', () => {
  const hubs: PublisherHeartbeat[] = [];
  afterEach(() => {
    for (const h of hubs.splice(0)) h.setSeeding(false);
  });

  it('counts the publishing tab among the engines that split the caps, and gives its share back when it stops', async () => {
    let siteHears = 0;
    const site = new EngineRoster((active) => (siteHears = active));
    site.own({ type: 'p2p-heartbeat', address: 'a'.repeat(52), seeding: true, since: Date.now() - 1000, gone: false });
    expect(siteHears).toBe(1);

    let publisherHears = 0;
    const publisher = new PublisherHeartbeat((active) => (publisherHears = active));
    hubs.push(publisher);
    publisher.setSeeding(true);
    await until(() => siteHears, 2);
    // The publisher hears the site page's next beat.
    site.own({ type: 'p2p-heartbeat', address: 'a'.repeat(52), seeding: true, since: Date.now() - 1000, gone: false });
    await until(() => publisherHears, 2);

    publisher.setSeeding(false);
    await until(() => siteHears, 1);
  });

  it('two publishing tabs are two engines', async () => {
    let heard = 0;
    new EngineRoster((active) => (heard = active));
    const one = new PublisherHeartbeat(() => {});
    const two = new PublisherHeartbeat(() => {});
    hubs.push(one, two);
    one.setSeeding(true);
    two.setSeeding(true);
    await until(() => heard, 2);
  });
});
