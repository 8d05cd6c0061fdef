import { afterEach, describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../src/core/index.js';
import { manifestEtag as etagOf } from '../../src/core/index.js';
import { ServerWatch } from '../../src/site/server-watch.js';
import { harness, publish, type Harness } from './helpers.js';

let h: Harness | undefined;
const watches: ServerWatch[] = [];
afterEach(async () => {
  for (const w of watches.splice(0)) w.stop();
  await h?.close();
  h = undefined;
});

const until = async (check: () => boolean, ms: number) => {
  const deadline = Date.now() + ms;
  while (!check() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  return check();
};

describe('open pages hear of updates', () => {
  it('holds a request that has the newest version, and answers it when the next is published', async () => {
    h = await harness();
    const key = await generateKeyPair();
    const { b } = await publish(h.server.url, key, 1);
    const url = `${h.server.url}/api/sites/${b.manifest.address}`;
    const first = await fetch(url);
    expect(first.headers.get('etag')).toBe(etagOf(b.manifest));

    const asked = Date.now();
    const held = fetch(url, { headers: { 'If-None-Match': etagOf(b.manifest)!, Prefer: 'wait=20' } });
    expect(await until(() => h!.server.waitingPages === 1, 2000)).toBe(true);
    await new Promise((r) => setTimeout(r, 300));
    const published = Date.now();
    await publish(h.server.url, key, 2, 'second');
    const answer = await held;
    expect(answer.status).toBe(200);
    expect(((await answer.json()) as { seq: number }).seq).toBe(2);
    expect(Date.now() - published).toBeLessThan(1000);
    expect(Date.now() - asked).toBeGreaterThan(300);
    expect(h.server.waitingPages).toBe(0);
  });

  it('answers 304 when the wait ends, at once for another version, and holds no more than its limit', async () => {
    h = await harness({ limits: { heldManifestRequests: 1 } });
    const { b } = await publish(h.server.url);
    const url = `${h.server.url}/api/sites/${b.manifest.address}`;
    const etag = etagOf(b.manifest)!;
    const started = Date.now();
    const timedOut = fetch(url, { headers: { 'If-None-Match': etag, Prefer: 'wait=1' } });
    expect(await until(() => h!.server.waitingPages === 1, 2000)).toBe(true);
    // The limit is reached: the next one is answered at once.
    const full = await fetch(url, { headers: { 'If-None-Match': etag, Prefer: 'wait=20' } });
    expect(full.status).toBe(304);
    expect((await timedOut).status).toBe(304);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    // Without Prefer, or with an older version held: no wait.
    expect((await fetch(url, { headers: { 'If-None-Match': etag } })).status).toBe(304);
    expect((await fetch(url, { headers: { 'If-None-Match': '"0-0000000000000000"', Prefer: 'wait=20' } })).status).toBe(200);
  });

  it('forgets a held request whose client went away', async () => {
    h = await harness();
    const { b } = await publish(h.server.url);
    const controller = new AbortController();
    const held = fetch(`${h.server.url}/api/sites/${b.manifest.address}`, { headers: { 'If-None-Match': etagOf(b.manifest)!, Prefer: 'wait=20' }, signal: controller.signal }).catch(() => 'aborted');
    expect(await until(() => h!.server.waitingPages === 1, 2000)).toBe(true);
    controller.abort();
    expect(await held).toBe('aborted');
    expect(await until(() => h!.server.waitingPages === 0, 2000)).toBe(true);
  });

  it('a page hears of seq 2 within a second of the publish, and of the server returning within its retry bound', async () => {
    h = await harness();
    const key = await generateKeyPair();
    const { b } = await publish(h.server.url, key, 1);
    const seen: number[] = [];
    const reachability: boolean[] = [];
    const watch = new ServerWatch({
      url: `${h.server.url}/api/sites/${b.manifest.address}`,
      onManifest: async (m) => void seen.push((m as { seq: number }).seq),
      onReachable: (r) => reachability.push(r),
      onDenied: () => undefined,
      retryMs: 300,
      jitterMs: 200,
    });
    watches.push(watch);
    watch.start(b.manifest, true);
    expect(await until(() => h!.server.waitingPages === 1, 3000)).toBe(true);
    const published = Date.now();
    await publish(h.server.url, key, 2, 'second');
    expect(await until(() => seen.includes(2), 3000)).toBe(true);
    expect(Date.now() - published).toBeLessThan(1000);

    // The server goes away and comes back on the same port.
    const port = h.server.port;
    await h.server.close();
    expect(await until(() => reachability.at(-1) === false, 5000)).toBe(true);
    const back = Date.now();
    await h.restart({ port });
    const ok = await until(() => reachability.at(-1) === true, 3000);
    expect(ok).toBe(true);
    // retryMs + jitter bound the time to notice (10 s + 3 s by default, under the 15 s asked).
    expect(Date.now() - back).toBeLessThan(300 + 200 + 500);
  });
});
