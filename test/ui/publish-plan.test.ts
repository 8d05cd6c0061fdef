import { describe, expect, it } from 'vitest';
import { applySiteChoice, fileTree, planPublish, treeRows } from '../../src/ui/publish-plan.js';

const f = (path: string, size = 10) => ({ path, size });

describe('publish plan', () => {
  it('strips the dropped folder, skips hidden files, finds entry and fallback', () => {
    const plan = planPublish([f('site/index.html'), f('site/css/a.css'), f('site/.DS_Store'), f('site/.git/config'), f('site/404.html')]);
    expect(plan.files.map((x) => x.path)).toEqual(['404.html', 'css/a.css', 'index.html']);
    expect(plan.entry).toBe('index.html');
    expect(plan.fallback).toBe('404.html');
    expect(plan.total).toBe(30);
    expect(plan.errors).toEqual([]);
    expect(plan.warnings).toEqual([{ code: 'W_HIDDEN_SKIPPED', subject: '2' }]);
  });

  it('warns without index.html and refuses empty, oversized and colliding input', () => {
    expect(planPublish([f('about.html')]).warnings).toContainEqual({ code: 'W_NO_INDEX', subject: 'about.html' });
    expect(planPublish([]).errors).toEqual([{ code: 'E_EMPTY' }]);
    expect(planPublish([f('.hidden')]).errors).toEqual([{ code: 'E_EMPTY' }]);
    const limits = { maxFiles: 10, maxTotalBytes: 100, maxFileBytes: 50, maxPathBytes: 1024, maxSegmentBytes: 255, maxDepth: 32, maxManifestBytes: 1e6 };
    expect(planPublish([f('index.html', 60)], limits).errors).toContainEqual({ code: 'E_FILE_TOO_LARGE', subject: 'index.html', limit: 50 });
    expect(planPublish([f('index.html', 50), f('b.bin', 50), f('c.bin', 50)], limits).errors).toContainEqual({ code: 'E_SITE_TOO_LARGE', subject: '150', limit: 100 });
    expect(planPublish(Array.from({ length: 11 }, (_, i) => f(`${i}.html`)), limits).errors).toContainEqual({ code: 'E_TOO_MANY_FILES', subject: '11', limit: 10 });
    expect(planPublish([f('Index.html'), f('index.html')]).errors[0].code).toBe('E_DUPLICATE_PATH');
  });

  it('refuses files under a path the server keeps, before anything is read', () => {
    const plan = planPublish([f('site/index.html'), f('site/api/index.html'), f('site/announcements.html'), f('site/seed/x.png')]);
    expect(plan.errors).toEqual([
      { code: 'E_RESERVED_PATH', subject: 'api/index.html' },
      { code: 'E_RESERVED_PATH', subject: 'seed/x.png' },
    ]);
    expect(plan.files.map((x) => x.path)).toEqual(['announcements.html', 'index.html']);
  });

  it('suggests a single-page app for one page with scripts, and applies the start page and app choice', () => {
    const spa = planPublish([f('dist/index.html'), f('dist/assets/app-1a2b.js'), f('dist/assets/app.css')]);
    expect(spa.looksLikeSpa).toBe(true);
    expect(applySiteChoice(spa, { spa: true }).fallback).toBe('index.html');
    expect(applySiteChoice(spa, { spa: false }).fallback).toBeUndefined();
    expect(planPublish([f('index.html'), f('404.html'), f('app.js')]).looksLikeSpa).toBe(false);
    expect(planPublish([f('index.html'), f('about.html'), f('app.js')]).looksLikeSpa).toBe(false);

    const deck = planPublish([f('index.html'), f('demo.html'), f('404.html'), f('js/reveal.js')]);
    expect(deck.pages).toEqual(['404.html', 'demo.html', 'index.html']);
    const chosen = applySiteChoice(deck, { entry: 'demo.html', spa: false });
    expect(chosen).toMatchObject({ entry: 'demo.html', fallback: '404.html' });
    expect(applySiteChoice(deck, { entry: 'demo.html', spa: true }).fallback).toBe('demo.html');
    // A start page that is not one of the pages is ignored.
    expect(applySiteChoice(deck, { entry: 'nope.html', spa: false }).entry).toBe('index.html');
  });

  it('builds a folder tree with summed sizes, folders first', () => {
    const tree = fileTree([f('index.html', 5), f('css/a.css', 7), f('css/b/c.css', 3)]);
    expect(tree.map((n) => `${n.name}:${n.size}`)).toEqual(['css:10', 'index.html:5']);
    expect(tree[0].children!.map((n) => n.name)).toEqual(['b', 'a.css']);
  });

  it('plans and trees 10,000 files in one folder quickly, and shows the first rows of the tree', () => {
    const files = [f('site/index.html'), ...Array.from({ length: 9_999 }, (_, i) => f(`site/all/f${String(i).padStart(4, '0')}.txt`))];
    const t0 = performance.now();
    const plan = planPublish(files);
    const tree = fileTree(plan.files);
    expect(performance.now() - t0).toBeLessThan(5000);
    expect(plan.errors).toEqual([]);
    expect(tree[0]).toMatchObject({ name: 'all', size: 99_990 });
    expect(tree[0].children).toHaveLength(9_999);
    const { nodes, hidden } = treeRows(tree, 5);
    // all/, its first three files, then index.html would be the fifth row: cut at five.
    expect(nodes[0].children!.map((n) => n.name)).toEqual(['f0000.txt', 'f0001.txt', 'f0002.txt', 'f0003.txt']);
    expect(nodes).toHaveLength(1);
    expect(hidden).toBe(9_999 - 4 + 1);
    expect(treeRows(tree, 100_000).hidden).toBe(0);
  });
});
