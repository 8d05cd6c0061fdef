import { describe, expect, it } from 'vitest';
import { buildBundle, utf8, type Manifest } from '../../src/core/index.js';
import { routeRequest } from '../../src/sw/route.js';
import { RUNTIME_TAG, serveFromSite } from '../../src/sw/respond.js';
import { FIXED_SECRET, FIXED_TIME } from '../helpers/fixtures.js';

async function site(fallback?: string): Promise<{ manifest: Manifest; blobs: Map<string, Blob> }> {
  const files = [
    { path: 'index.html', bytes: utf8('<h1>home</h1>') },
    { path: 'docs/index.html', bytes: utf8('<h1>docs</h1>') },
    { path: 'about.html', bytes: utf8('<h1>about</h1>') },
    { path: 'media/clip.bin', bytes: new Uint8Array(1000).map((_, i) => i & 255) },
    { path: 'caf\u00e9 menu.txt', bytes: utf8('menu') },
    { path: '404.html', bytes: utf8('<h1>missing</h1>') },
  ];
  const { manifest, files: out } = await buildBundle({ files, secretKey: FIXED_SECRET, seq: 1, createdAt: FIXED_TIME, fallback });
  return { manifest, blobs: new Map(out.map((f) => [f.file.sha256, new Blob([f.bytes as BlobPart])])) };
}

describe('routing', () => {
  it('maps paths like a static host', async () => {
    const { manifest } = await site('404.html');
    const path = (p: string) => {
      const r = routeRequest(manifest, p);
      return r.kind === 'file' ? `${r.file.path}:${r.status}` : r.kind === 'redirect' ? `-> ${r.location}` : r.kind;
    };
    expect(path('/')).toBe('index.html:200');
    expect(path('/docs/')).toBe('docs/index.html:200');
    expect(path('/docs')).toBe('-> /docs/');
    expect(path('/about')).toBe('about.html:200');
    expect(path('/caf%C3%A9%20menu.txt')).toBe('caf\u00e9 menu.txt:200');
    expect(path('/nope')).toBe('404.html:404');
    expect(path('/%E0%A4%A')).toBe('bad-request');
    expect(routeRequest((await site()).manifest, '/nope').kind).toBe('not-found');
  });

  it('treats a non-404 fallback as an app shell with status 200', async () => {
    const { manifest } = await site('index.html');
    expect(routeRequest(manifest, '/app/route/42')).toMatchObject({ kind: 'file', status: 200 });
  });
});

describe('responses', () => {
  const serve = async (manifest: Manifest, blobs: Map<string, Blob>, path: string, range: string | null = null) => {
    const r = await serveFromSite({ manifest, url: new URL(`http://x.localhost${path}`), method: 'GET', rangeHeader: range, getFile: async (f) => blobs.get(f.sha256) });
    if (r.kind !== 'response') throw new Error(`missing ${r.file.path}`);
    return r.response;
  };

  it('serves HTML with the manifest type and the runtime tag appended', async () => {
    const { manifest, blobs } = await site('404.html');
    const res = await serve(manifest, blobs, '/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await res.text()).toBe(`${RUNTIME_TAG}<h1>home</h1>`);
    const missing = await serve(manifest, blobs, '/gone');
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain('missing');
  });

  it('serves byte ranges of media byte for byte', async () => {
    const { manifest, blobs } = await site();
    const whole = await serve(manifest, blobs, '/media/clip.bin');
    expect(whole.headers.get('accept-ranges')).toBe('bytes');
    expect((await whole.arrayBuffer()).byteLength).toBe(1000);
    const part = await serve(manifest, blobs, '/media/clip.bin', 'bytes=998-');
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe('bytes 998-999/1000');
    expect([...new Uint8Array(await part.arrayBuffer())]).toEqual([998 & 255, 999 & 255]);
    const bad = await serve(manifest, blobs, '/media/clip.bin', 'bytes=1000-');
    expect(bad.status).toBe(416);
    expect(bad.headers.get('content-range')).toBe('bytes */1000');
  });

  it('reports a file that is not cached yet instead of inventing a response', async () => {
    const { manifest } = await site();
    const r = await serveFromSite({ manifest, url: new URL('http://x.localhost/about'), method: 'GET', rangeHeader: null, getFile: async () => undefined });
    expect(r).toMatchObject({ kind: 'missing', file: { path: 'about.html' } });
  });
});

describe('where the runtime goes in a page', () => {
  it('right after the doctype (so the page keeps its mode), else at the start after a BOM', async () => {
    const { runtimeOffset } = await import('../../src/sw/respond.js');
    const at = async (text: string) => runtimeOffset(new Blob([text]));
    expect(await at('<!DOCTYPE html><html><head>')).toBe('<!DOCTYPE html>'.length);
    expect(await at('\n  <!-- made by a tool: é -->\n<!doctype html>\n<h1>x</h1>')).toBe(new TextEncoder().encode('\n  <!-- made by a tool: é -->\n<!doctype html>').length);
    expect(await at('<h1>no doctype</h1>')).toBe(0);
    expect(await at('\uFEFF<h1>bom</h1>')).toBe(3);
    expect(await at('\uFEFF<!doctype html><p>')).toBe(3 + '<!doctype html>'.length);
  });
});
