import { afterEach, describe, expect, it } from 'vitest';
import { buildBundle, concatBytes, generateKeyPair, MAX_SPAN_FILES, parseSeedSpan, utf8, type Bundle } from '../../src/core/index.js';
import { fetchAs, harness, putBlobs, putManifest, siteHost, type Harness } from './helpers.js';

async function manyFiles(h: Harness, count: number): Promise<Bundle> {
  const files = [{ path: 'index.html', bytes: utf8('<!doctype html><h1>spans</h1>') }];
  for (let i = 0; i < count; i++) files.push({ path: `docs/p${i}.txt`, bytes: utf8(`page ${i} `.repeat(1 + (i % 5))) });
  files.push({ path: 'empty.txt', bytes: new Uint8Array(0) });
  const b = await buildBundle({ files, secretKey: (await generateKeyPair()).secretKey, seq: 1 });
  await putBlobs(h.server.url, b);
  expect((await putManifest(h.server.url, b.manifest)).status).toBe(201);
  return b;
}

describe('origin seed spans: consecutive files in one response', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('sends files from..to laid end to end in manifest order, inert, on the site origin only', async () => {
    h = await harness();
    const b = await manyFiles(h, 20);
    const host = siteHost(b.manifest.address, h.server.port);
    const url = `${h.server.url}/seed/${b.manifest.torrent.infoHash}/?files=3-${b.manifest.files.length}`;
    const res = await fetchAs(host, url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/octet-stream');
    expect(res.headers.get('content-disposition')).toMatch(/attachment/);
    const expected = concatBytes(...b.manifest.files.slice(3).map((f) => b.files.find((x) => x.file.sha256 === f.sha256)!.bytes));
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(expected);
    expect(Number(res.headers.get('content-length'))).toBe(expected.length);
    // Not on the app's origin, nor on another name.
    expect((await fetchAs(`p2p.localhost:${h.server.port}`, url)).status).toBe(404);
  });

  it('refuses spans outside the version or over the limits with E_BAD_SPAN, and follows the origin switch', async () => {
    h = await harness();
    const b = await manyFiles(h, 5);
    const host = siteHost(b.manifest.address, h.server.port);
    const base = `${h.server.url}/seed/${b.manifest.torrent.infoHash}/?files=`;
    for (const bad of ['2-2', '3-1', `0-${b.manifest.files.length + 1}`, 'x', '1-', '-1-3']) {
      const res = await fetchAs(host, base + encodeURIComponent(bad));
      expect(res.status, bad).toBe(400);
      expect(((await res.json()) as { error?: { code: string } }).error?.code).toBe('E_BAD_SPAN');
    }
    await h.restart({ origin: false });
    expect((await fetchAs(host, `${base}0-2`)).status).toBe(503);
  });
});

describe('parseSeedSpan', () => {
  it('reads from-to within the file count and the file limit', () => {
    expect(parseSeedSpan('0-3', 3)).toEqual({ from: 0, to: 3 });
    expect(parseSeedSpan(`0-${MAX_SPAN_FILES + 1}`, 5000)).toHaveProperty('error');
    expect(parseSeedSpan(null, 3)).toHaveProperty('error');
  });
});
