import { writeFile } from 'node:fs/promises';
import { isAddress, parseManifestJson, siteTorrent, verifyManifest, type Manifest } from '../../src/core/index.js';
import { siteOrigin, trackerUrl } from '../../src/core/origins.js';

/**
 * The newest version of a site, or version `seq`, as the server holds it, verified: the
 * signature, the address, and the info hash against the files, so a `.torrent` built from
 * it names exactly the signed version whatever the server sent.
 * @throws {Error} with the server's code and message when it refuses, or a core error
 */
export async function fetchVersion(server: string, address: string, seq: number | undefined, apiError: (res: Response) => Promise<string>): Promise<Manifest> {
  if (!isAddress(address)) throw new Error(`"${String(address).slice(0, 60)}" is not a site address (52 lowercase base32 characters)`);
  const res = await fetch(`${server}/api/sites/${address}${seq === undefined ? '' : `/${seq}`}`);
  if (!res.ok) throw new Error(await apiError(res));
  const manifest = await verifyManifest(parseManifestJson(new Uint8Array(await res.arrayBuffer())), { address });
  if (seq !== undefined && manifest.seq !== seq) throw new Error(`the server answered version ${manifest.seq} when asked for ${seq}`);
  return manifest;
}

/**
 * Writes the version's `.torrent` (tracker: the server's WebSocket tracker; webseed: the
 * origin seed on the site's own origin) and returns its magnet link.
 */
export async function writeSiteTorrent(path: string, manifest: Manifest, server: string): Promise<string> {
  const torrent = siteTorrent(manifest, { tracker: trackerUrl(server), siteOrigin: siteOrigin(server, manifest.address) });
  await writeFile(path, torrent.bytes);
  return torrent.magnet;
}
