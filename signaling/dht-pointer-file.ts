import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isAddress } from '../src/core/index.js';
import { parsePointerBody, pointerJson, type SitePointer } from './dht-pointer.js';
import { writeAtomically } from './storage.js';

/**
 * The pointers a server re-puts, one file each (`<data>/pointers/<address>.json`, the API's
 * JSON form), so a restart keeps re-putting them: the server cannot sign them again.
 * Written like every other file of the store (temp file, fsync, rename).
 */
export async function savePointer(dataDir: string, pointer: SitePointer): Promise<void> {
  await mkdir(join(dataDir, 'pointers'), { recursive: true });
  await mkdir(join(dataDir, 'tmp'), { recursive: true });
  await writeAtomically(join(dataDir, 'tmp'), join(dataDir, 'pointers', `${pointer.address}.json`), JSON.stringify(pointerJson(pointer)));
}

/**
 * Every saved pointer that still verifies (a file is checked like an upload: the disk may
 * have been edited or damaged); `onDamaged` hears of the others, which are left out.
 */
export async function loadPointers(dataDir: string, onDamaged: (file: string, message: string) => void): Promise<SitePointer[]> {
  const dir = join(dataDir, 'pointers');
  const names = await readdir(dir).catch(() => [] as string[]);
  const out: SitePointer[] = [];
  for (const name of names) {
    const address = name.replace(/\.json$/, '');
    if (!name.endsWith('.json') || !isAddress(address)) continue;
    try {
      const json = JSON.parse(await readFile(join(dir, name), 'utf8')) as { seq?: unknown; sig?: unknown; v?: unknown };
      out.push(await parsePointerBody(address, { seq: json.seq, sig: json.sig, v: json.v }));
    } catch (err) {
      onDamaged(join(dir, name), String((err as Error)?.message ?? err));
    }
  }
  return out;
}
