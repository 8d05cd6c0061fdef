import { readFile, readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { BundleInputFile } from '../../src/core/index.js';

/** Reads a folder into bundle input, skipping hidden files, with `/`-separated paths. */
export async function readSiteFolder(root: string): Promise<BundleInputFile[]> {
  const out: BundleInputFile[] = [];
  async function walk(dir: string): Promise<void> {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      if (entry.name.startsWith('.')) continue;
      const full = join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else out.push({ path: relative(root, full).split(sep).join('/'), bytes: new Uint8Array(await readFile(full)) });
    }
  }
  await walk(root);
  return out;
}

export const FIXTURE_SITE = new URL('../fixtures/site/', import.meta.url).pathname;
