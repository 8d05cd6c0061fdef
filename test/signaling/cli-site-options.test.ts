import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { utf8 } from '../../src/core/index.js';
import { startServer } from '../../signaling/server.js';
import { resolveSiteOptions, takeSiteConfig } from '../../signaling/cli/site-options.js';
import { runCli } from '../helpers/cli.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const file = (path: string, text = 'x') => ({ path, bytes: utf8(text) });

describe('start page and single-page apps', () => {
  it('resolves flags over the folder config over the defaults', () => {
    const site = [file('index.html'), file('404.html'), file('demo.html')];
    expect(resolveSiteOptions(site, {}, {})).toEqual({ entry: undefined, fallback: '404.html' });
    expect(resolveSiteOptions(site, { spa: true }, {})).toEqual({ entry: undefined, fallback: 'index.html' });
    expect(resolveSiteOptions(site, { entry: 'demo.html' }, { spa: true })).toEqual({ entry: 'demo.html', fallback: 'demo.html' });
    expect(resolveSiteOptions(site, {}, { entry: 'demo.html', fallback: '404.html' })).toEqual({ entry: 'demo.html', fallback: '404.html' });
    expect(resolveSiteOptions(site, { fallback: 'index.html' }, { fallback: '404.html' })).toEqual({ entry: undefined, fallback: 'index.html' });
    // An asset folder has no page: its first file is the entry.
    expect(resolveSiteOptions([file('img/b.png'), file('img/a.png')], {}, {})).toEqual({ entry: 'img/a.png', fallback: undefined });
  });

  it('reads p2psite.json, leaves it out of the site, and refuses a bad one with its code', () => {
    const { files, config } = takeSiteConfig([file('index.html'), file('p2psite.json', '{"spa": true, "entry": "index.html"}')]);
    expect(files.map((f) => f.path)).toEqual(['index.html']);
    expect(config).toEqual({ spa: true, entry: 'index.html' });
    for (const bad of ['{', '[1]', '{"spa": "yes"}', '{"entry": 5}', '{"start": "a.html"}']) {
      expect(() => takeSiteConfig([file('p2psite.json', bad)]), bad).toThrow(expect.objectContaining({ code: 'E_BAD_SITE_CONFIG' }));
    }
  });

  it('publishes a single-page app from the command line, with --spa or the folder config', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'p2p-cli-spa-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const server = await startServer({ host: '127.0.0.1', port: 0, dataDir: join(dir, 'data'), distDir: join(dir, 'dist'), log: () => {} });
    cleanups.push(() => server.close());
    const cli = runCli;
    const key = join(dir, 'site.key');
    expect((await cli(['keygen', '--out', key])).code).toBe(0);
    const site = join(dir, 'site');
    await mkdir(site, { recursive: true });
    await writeFile(join(site, 'index.html'), '<div id="app"></div><script src="/app.js"></script>');
    await writeFile(join(site, 'app.js'), 'document.getElementById("app").textContent = location.pathname');
    await writeFile(join(site, '404.html'), '<h1>not found</h1>');

    const spa = await cli(['publish', site, '--key', key, '--server', server.url, '--spa']);
    expect(spa.code).toBe(0);
    expect(spa.out).toContain('unknown paths get index.html (200, single-page app)');
    const published = /Address: ([a-z2-7]{52})/.exec(spa.out)![1];
    const manifest = async () => (await (await fetch(`${server.url}/api/sites/${published}`)).json()) as { entry: string; fallback?: string; files: { path: string }[] };
    expect((await manifest()).fallback).toBe('index.html');

    await writeFile(join(site, 'p2psite.json'), '{"fallback": "404.html"}');
    const configured = await cli(['publish', site, '--key', key, '--server', server.url]);
    expect(configured.out).toContain('unknown paths get 404.html (404)');
    expect((await manifest()).fallback).toBe('404.html');
    expect((await manifest()).files.map((f) => f.path)).not.toContain('p2psite.json');

    const missing = await cli(['publish', site, '--key', key, '--server', server.url, '--entry', 'nope.html']);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('E_NO_ENTRY');
  });
});
