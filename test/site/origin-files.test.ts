import { writeFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { buildBundle, generateKeyPair, utf8, type Bundle, type ManifestFile } from '../../src/core/index.js';
import { fetchFromOrigin, fetchOrder, type VerifiedFile } from '../../src/site/origin-files.js';
import { fetchAs, harness, putBlobs, putManifest, siteHost, type Harness } from '../signaling/helpers.js';

// The origin path against a real server: whole files over plain GETs on the site's own
// origin (Node cannot resolve *.localhost, so requests go to 127.0.0.1 with the site's Host).

async function publishSite(h: Harness, fileCount: number): Promise<Bundle> {
  const files = [{ path: 'index.html', bytes: utf8('<!doctype html><link rel=stylesheet href=a.css><h1>hi</h1>') }, { path: 'a.css', bytes: utf8('h1{color:red}') }];
  for (let i = 0; i < fileCount; i++) files.push({ path: `img/${i}.bin`, bytes: new Uint8Array(2000 + i).fill(i & 255) });
  // Two files with the same content: fetched and stored once.
  files.push({ path: 'img/copy.bin', bytes: new Uint8Array(2000).fill(0) });
  const key = await generateKeyPair();
  const b = await buildBundle({ files, secretKey: key.secretKey, seq: 1 });
  await putBlobs(h.server.url, b);
  expect((await putManifest(h.server.url, b.manifest)).status).toBe(201);
  return b;
}

function siteFetch(h: Harness, b: Bundle, seen: string[]): typeof fetch {
  const host = siteHost(b.manifest.address, h.server.port);
  return (async (input: string | URL | Request) => {
    const url = new URL(String(input));
    seen.push(decodeURIComponent(url.pathname));
    return fetchAs(host, `${h.server.url}${url.pathname}${url.search}`);
  }) as typeof fetch;
}

describe('fetchFromOrigin', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('fetches every file, checks it, stores files that arrive together in one batch, and asks for the opened page first', async () => {
    h = await harness();
    const b = await publishSite(h, 40);
    const seen: string[] = [];
    const batches: VerifiedFile[][] = [];
    const result = await fetchFromOrigin({
      manifest: b.manifest,
      files: fetchOrder(b.manifest.files, 'img/7.bin'),
      seedBase: `http://${siteHost(b.manifest.address, h.server.port)}/seed/`,
      fetch: siteFetch(h, b, seen),
      spans: false,
      store: async (batch) => {
        batches.push(batch);
        await new Promise((r) => setTimeout(r, 5));
      },
    });
    expect(result.failed).toEqual([]);
    expect(result.stored.map((f) => f.path).sort()).toEqual(b.manifest.files.map((f) => f.path).sort());
    // One request per distinct content, the opened page first.
    expect(seen.length).toBe(new Set(b.manifest.files.map((f) => f.sha256)).size);
    expect(seen[0]).toMatch(/\/img\/7\.bin$/);
    const stored = batches.flat();
    for (const { file, blob } of stored) expect(blob.size).toBe(file.size);
    expect(batches.length).toBeLessThan(stored.length);
  });

  it('asks for runs of small files as spans: a handful of requests for many files, each file still checked', async () => {
    h = await harness();
    const b = await publishSite(h, 300);
    const seen: string[] = [];
    const stored: VerifiedFile[] = [];
    const result = await fetchFromOrigin({
      manifest: b.manifest,
      files: fetchOrder(b.manifest.files, 'index.html'),
      seedBase: `http://${siteHost(b.manifest.address, h.server.port)}/seed/`,
      fetch: siteFetch(h, b, seen),
      store: async (batch) => void stored.push(...batch),
    });
    expect(result.failed).toEqual([]);
    expect(result.stored.length).toBe(b.manifest.files.length);
    expect(seen.length).toBeLessThan(10);
    expect(seen[0]).toMatch(/\/index\.html$/);
    for (const { file, blob } of stored) expect(blob.size).toBe(file.size);
  });

  it('falls back to one request per file on a seed without spans', async () => {
    h = await harness();
    const b = await publishSite(h, 30);
    const seen: string[] = [];
    const plain = siteFetch(h, b, seen);
    // As an older server or a static mirror answers a span request.
    const noSpans = (async (input: string | URL | Request) => (String(input).includes('?files=') ? new Response('no', { status: 404 }) : plain(input))) as typeof fetch;
    const result = await fetchFromOrigin({
      manifest: b.manifest,
      files: b.manifest.files,
      seedBase: `http://${siteHost(b.manifest.address, h.server.port)}/seed/`,
      fetch: noSpans,
      store: async () => undefined,
    });
    expect(result.refused).toBeUndefined();
    expect(result.failed).toEqual([]);
    expect(result.stored.length).toBe(b.manifest.files.length);
  });

  it('names a file whose bytes do not match and keeps the others', async () => {
    h = await harness();
    const b = await publishSite(h, 3);
    const victim = b.manifest.files.find((f) => f.path === 'a.css')!;
    // The server's copy is damaged on disk (same length, other bytes).
    await writeFile(h.server.store.blobPath(victim.sha256), 'h1{color:xx}!');
    const stored: ManifestFile[] = [];
    const result = await fetchFromOrigin({
      manifest: b.manifest,
      files: b.manifest.files,
      seedBase: `http://${siteHost(b.manifest.address, h.server.port)}/seed/`,
      fetch: siteFetch(h, b, []),
      store: async (batch) => void stored.push(...batch.map((v) => v.file)),
    });
    expect(result.failed.map((f) => f.file.path)).toEqual(['a.css']);
    expect(result.failed[0].reason).toMatch(/does not match its signed hash/);
    expect(stored.map((f) => f.path)).not.toContain('a.css');
    expect(stored.length).toBe(new Set(b.manifest.files.map((f) => f.sha256)).size - 1);
  });

  it('stops at once when the origin seed is off, asking no more than one round of requests', async () => {
    h = await harness({ origin: false });
    const b = await publishSite(h, 40);
    const seen: string[] = [];
    const result = await fetchFromOrigin({
      manifest: b.manifest,
      files: b.manifest.files,
      seedBase: `http://${siteHost(b.manifest.address, h.server.port)}/seed/`,
      fetch: siteFetch(h, b, seen),
      parallel: 4,
      store: async () => {
        throw new Error('nothing may be stored');
      },
    });
    expect(result.refused).toMatch(/503/);
    expect(result.stored).toEqual([]);
    expect(seen.length).toBeLessThanOrEqual(4);
  });
});

describe('fetchOrder', () => {
  it('puts the opened page first, then what renders it, then the rest small before large', () => {
    const f = (path: string, type: string, size: number) => ({ path, type, size, sha256: path }) as ManifestFile;
    const order = fetchOrder([f('big.png', 'image/png', 900), f('a.js', 'text/javascript', 50), f('deep.html', 'text/html', 10), f('s.png', 'image/png', 9), f('x.css', 'text/css', 5)], 'deep.html');
    expect(order.map((x) => x.path)).toEqual(['deep.html', 'x.css', 'a.js', 's.png', 'big.png']);
  });
});
