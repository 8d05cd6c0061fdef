import { readFile, readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { BundleInputFile } from '../../src/core/index.js';

/** Reads a folder into bundle input, skipping hidden files and folders (names starting with "."). */
export async function readFolder(root: string, onSkip?: (path: string) => void): Promise<BundleInputFile[]> {
  const out: BundleInputFile[] = [];
  async function walk(dir: string): Promise<void> {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      const rel = relative(root, full).split(sep).join('/');
      if (entry.name.startsWith('.')) {
        onSkip?.(rel);
        continue;
      }
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile()) out.push({ path: rel, bytes: new Uint8Array(await readFile(full)) });
    }
  }
  await walk(root);
  return out;
}
