import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, resolve, sep } from 'node:path';
import type { Manifest } from '../../src/core/index.js';
import { getFromSiteOrigin } from '../site-origin-request.js';

/** Where one file of a version goes in the webseed layout `<folder>/<infoHash>/<torrent name>/<file path>` (BEP 19). */
export function mirrorPath(folder: string, manifest: Manifest, path: string): string {
  const root = resolve(folder, manifest.torrent.infoHash, manifest.torrent.name);
  const target = resolve(root, ...path.split('/'));
  // Manifest paths are checked by the core (no "..", no empty segment); checked again here, where they become file names.
  if (!target.startsWith(root + sep)) throw new Error(`the file path "${path.slice(0, 100)}" leaves the mirror folder`);
  return target;
}

/**
 * Writes every file of a verified version into `folder` in the webseed layout, fetched from
 * the server's origin seed and kept only when its sha256 matches the signed manifest. Files
 * already there with the right size are hashed again and kept when they match.
 * @throws {Error} naming the file that could not be fetched or did not match
 */
export async function writeMirror(server: string, manifest: Manifest, folder: string, progress: (done: number, total: number, path: string) => void = () => {}): Promise<number> {
  const total = manifest.files.reduce((n, f) => n + f.size, 0);
  let done = 0;
  let written = 0;
  for (const file of manifest.files) {
    const target = mirrorPath(folder, manifest, file.path);
    await mkdir(dirname(target), { recursive: true });
    const have = await stat(target).catch(() => undefined);
    if (!have || have.size !== file.size || (await sha256OfFile(target)) !== file.sha256) {
      const seedPath = `/seed/${manifest.torrent.infoHash}/${encodeURIComponent(manifest.torrent.name)}/${file.path.split('/').map(encodeURIComponent).join('/')}`;
      const res = await getFromSiteOrigin(server, manifest.address, seedPath);
      const tmp = `${target}.part`;
      const hash = createHash('sha256');
      let size = 0;
      try {
        await new Promise<void>((ok, fail) => {
          const out = createWriteStream(tmp);
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > file.size) return void res.destroy(new Error(`the server sent more than the ${file.size} bytes of ${file.path}`));
            hash.update(chunk);
          });
          res.on('error', fail);
          out.on('error', fail);
          out.on('finish', ok);
          res.pipe(out);
        });
        const actual = hash.digest('hex');
        if (size !== file.size || actual !== file.sha256) throw new Error(`${file.path} from the server hashes to ${actual} (${size} bytes), not the signed ${file.sha256}; nothing was written for it`);
        await rename(tmp, target);
        written++;
      } finally {
        await rm(tmp, { force: true });
      }
    }
    done += file.size;
    progress(done, total, file.path);
  }
  return written;
}

async function sha256OfFile(path: string): Promise<string> {
  const { createReadStream } = await import('node:fs');
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

