import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import ts from 'typescript';

/**
 * The layering of docs/ARCHITECTURE.md ("Layers"), checked on every .ts file under src/
 * and signaling/: each import (static, type-only, `export … from`, dynamic `import()`,
 * and the `new URL('./x.ts', import.meta.url)` a worker is started from) must go to the
 * file's own folder or to a folder its layer may import. Type-only imports count: a type
 * pulls its module's assumptions along (a server type-checked against a browser file
 * breaks when that file starts using the DOM).
 */

const ROOT = join(import.meta.dirname, '..');

/** Which folders each layer may import, besides its own. Keep in step with ARCHITECTURE.md. */
const MAY_IMPORT: Record<string, readonly string[]> = {
  'src/core': [],
  'src/keys': ['src/core'],
  'src/store': ['src/core'],
  'src/swarm': ['src/core'],
  'src/sw': ['src/core', 'src/store'],
  'src/bridge': ['src/core', 'src/store', 'src/swarm', 'src/settings'],
  'src/settings': ['src/core', 'src/store', 'src/swarm', 'src/bridge'],
  'src/site': ['src/core', 'src/store', 'src/swarm', 'src/sw', 'src/bridge', 'src/settings'],
  'src/loader': ['src/core', 'src/store', 'src/swarm', 'src/bridge', 'src/settings'],
  'src/ui': ['src/core', 'src/keys', 'src/store', 'src/swarm', 'src/sw', 'src/bridge', 'src/settings', 'src/site'],
  signaling: ['src/core', 'src/keys'],
};

/** Packages (bare specifiers) a layer may or may not use. */
const CORE_PACKAGES = /^@noble\//;
const BROWSER_ONLY_PACKAGES = new Set(['lit', 'idb-keyval', 'webtorrent', 'qr']);

/** `src/<folder>` for a file (a path from the repository root, with "/") under src/, `signaling` for anything under signaling/ (the CLI included). */
function layerOf(file: string): string | undefined {
  const [top, folder] = file.split('/');
  if (top === 'signaling') return 'signaling';
  if (top === 'src' && folder && !folder.endsWith('.ts')) return `src/${folder}`;
  return undefined;
}

/** Every module specifier a file's text names. */
function importsOf(text: string): string[] {
  const info = ts.preProcessFile(text, true, true);
  const specs = [...info.importedFiles, ...info.referencedFiles].map((f) => f.fileName);
  for (const m of text.matchAll(/new\s+URL\(\s*['"](\.{1,2}\/[^'"]+\.ts)['"]\s*,\s*import\.meta\.url\s*\)/g)) specs.push(m[1]);
  return specs;
}

/** The package a bare specifier names: `lit/directives/x.js` → `lit`, `@noble/hashes/sha2.js` → `@noble/hashes`. */
function packageOf(spec: string): string {
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** What is wrong with one import of `file` (a path from the repository root), or undefined. */
function breach(file: string, spec: string): string | undefined {
  const from = layerOf(file);
  if (!from) return `${file} is in no layer`;
  if (!spec.startsWith('.')) {
    const pkg = packageOf(spec);
    if (from === 'src/core' && !CORE_PACKAGES.test(spec)) return `src/core may use only @noble/* packages, not ${pkg}`;
    if (from === 'src/keys') return `src/keys may use no package (only src/core), not ${pkg}`;
    if (from.startsWith('src/') && spec.startsWith('node:')) return `${from} runs in browsers and may not use ${spec}`;
    if (from === 'signaling' && BROWSER_ONLY_PACKAGES.has(pkg)) return `signaling/ runs in Node and may not use the browser-only package ${pkg}`;
    return undefined;
  }
  const target = posix.normalize(posix.join(posix.dirname(file), spec.replace(/\?.*$/, '')));
  const to = layerOf(target);
  if (!to) return `${from} may import only src/ and signaling/ files, not ${target}`;
  if (to === from || MAY_IMPORT[from]?.includes(to)) return undefined;
  return `${from} may not import ${to}`;
}

function tsFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const path = `${dir}/${e.name}`;
    if (e.isDirectory()) return tsFiles(path);
    return e.name.endsWith('.ts') ? [path] : [];
  });
}

describe('layering (docs/ARCHITECTURE.md, "Layers")', () => {
  it('finds every kind of import, type-only and dynamic ones included', () => {
    const text = [
      "import { a } from './a.js';",
      "import type { B } from '../b/b.js';",
      "export { c } from './c.js';",
      "export type { D } from './d.js';",
      "import './side-effect.js';",
      "const e = await import('../e/e.js');",
      "new Worker(new URL('./w.ts', import.meta.url), { type: 'module' });",
      "import { html } from 'lit';",
    ].join('\n');
    expect(importsOf(text).sort()).toEqual(['../b/b.js', '../e/e.js', './a.js', './c.js', './d.js', './side-effect.js', './w.ts', 'lit'].sort());
  });

  it('refuses what the rules forbid', () => {
    expect(breach('src/core/x.ts', '../swarm/y.js')).toBe('src/core may not import src/swarm');
    expect(breach('src/core/x.ts', 'idb-keyval')).toMatch(/only @noble/);
    expect(breach('src/bridge/x.ts', '../ui/y.js')).toBe('src/bridge may not import src/ui');
    expect(breach('signaling/cli/x.ts', '../../src/swarm/y.js')).toBe('signaling may not import src/swarm');
    expect(breach('signaling/x.ts', 'webtorrent/dist/webtorrent.min.js')).toMatch(/browser-only package webtorrent/);
    expect(breach('src/site/x.ts', 'node:fs')).toMatch(/runs in browsers/);
    expect(breach('src/site/x.ts', '../../test/helpers/y.js')).toMatch(/only src\/ and signaling\//);
    expect(breach('signaling/cli/x.ts', '../server.js')).toBeUndefined();
    expect(breach('signaling/x.ts', '../src/keys/key-file.js')).toBeUndefined();
    expect(breach('src/site/x.ts', './verify-worker.ts?worker')).toBeUndefined();
  });

  it('every folder of src/ is a layer with rules', () => {
    const folders = readdirSync(join(ROOT, 'src'), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => `src/${e.name}`);
    expect(folders.filter((f) => !(f in MAY_IMPORT)), 'add the new folder to MAY_IMPORT and to ARCHITECTURE.md, "Layers"').toEqual([]);
  });

  it('no import in src/ or signaling/ runs against the layers', () => {
    const files = [...tsFiles('src'), ...tsFiles('signaling')];
    let crossings = 0;
    const offending: string[] = [];
    for (const file of files) {
      for (const spec of importsOf(readFileSync(join(ROOT, file), 'utf8'))) {
        const wrong = breach(file, spec);
        if (wrong) offending.push(`${file}: '${spec}' (${wrong})`);
        else if (spec.startsWith('.') && layerOf(posix.normalize(posix.join(posix.dirname(file), spec))) !== layerOf(file)) crossings++;
      }
    }
    // A scan that read nothing would pass; this one must have seen the tree.
    expect(files.length).toBeGreaterThan(150);
    expect(crossings).toBeGreaterThan(100);
    expect(offending, `imports against docs/ARCHITECTURE.md, "Layers":\n${offending.join('\n')}\n`).toEqual([]);
  });
});
