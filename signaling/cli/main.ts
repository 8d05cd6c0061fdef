/**
 * p2psite: the publisher's command line.
 *   p2psite keygen [--out site.key] [--passphrase-file <file>]
 *   p2psite publish <folder> --key site.key [--passphrase-file <file>] [--server http://localhost:8080]
 *   p2psite info <address> [--seq <n>] [--torrent <file>] [--server http://localhost:8080]
 *   p2psite mirror <address> <folder> [--seq <n>] [--server http://localhost:8080]
 */
import { parseArgs } from 'node:util';
import { addressFromPublicKey, buildBundle, generateKeyPair, isCoreError, parseServerError, totalSize, type Manifest } from '../../src/core/index.js';
import { fetchVersion, writeSiteTorrent } from './site-torrent.js';
import { CliError } from './errors.js';
import { readKeyFile, writeKeyFile } from './key-file.js';
import { PASSPHRASE_ENV, readPassphraseFile } from './passphrase.js';
import { readFolder } from './read-folder.js';
import { writeMirror } from './write-mirror.js';
import { resolveSiteOptions, takeSiteConfig, type SiteOptions } from './site-options.js';
import { cspWarnings } from './csp-check.js';
import { putPointerOnDht, sendPointerToServer, seqAfterNotFound, signManifestPointer } from './dht-publish.js';
import { dhtFromFlags } from '../dht-flags.js';
import type { DhtNodeOptions } from '../dht-node.js';

const USAGE = `Usage:
  p2psite keygen [--out <file>] [--passphrase-file <file>]
                                                   create a key file (default site.key, mode 0600),
                                                   protected by the passphrase in that file if given
  p2psite publish <folder> --key <file> [--passphrase-file <file>] [--server <url>]
                 [--entry <path>] [--fallback <path>] [--spa]
                 [--dht [--dht-bootstrap <host:port,...>] [--dht-port <n>]]
                                                   publish a folder; prints the address and URL.
                                                   --entry: the start page (default index.html);
                                                   --spa: a single-page app, its shell answers
                                                   every unknown path with 200; --fallback: the
                                                   page for unknown paths (default 404.html).
                                                   The same as {"entry", "fallback", "spa"} in a
                                                   p2psite.json at the top of the folder.
                                                   The version's signed DHT pointer (BEP 44/46)
                                                   goes to the server, which re-puts it hourly;
                                                   --dht also puts it on the DHT now (default:
                                                   the mainline DHT's public bootstrap nodes)
  p2psite info <address> [--seq <n>] [--torrent <file>] [--server <url>]
                                                   show the published version of a site (or
                                                   version n); --torrent writes its .torrent for
                                                   any BitTorrent client and prints its magnet link
  p2psite mirror <address> <folder> [--seq <n>] [--server <url>]
                                                   write a version's files (verified) in the
                                                   webseed layout <folder>/<infoHash>/<address>/<path>,
                                                   to upload to any static host named by --mirror
Key files are the app's format: an exported key works here, and a key made here imports
into the app. A protected key's passphrase comes from --passphrase-file, else
$${PASSPHRASE_ENV}, else a prompt when stdin is a terminal.
The server defaults to $P2P_SERVER, then http://localhost:8080.`;

import { canonicalAppOrigin, siteOrigin } from '../../src/core/origins.js';

class UsageError extends Error {}

/** The site's URL for a server URL: `<address>.<app host>`, as the browser side builds it (src/core/origins.ts). */
const siteUrl = (server: string, address: string) => `${siteOrigin(server, address)}/`;

async function apiError(res: Response): Promise<string> {
  const refused = parseServerError(await res.json().catch(() => undefined));
  return `${refused?.code ?? res.status}: ${refused?.message ?? res.statusText}`;
}

/** A bar redrawn in place on a terminal; one line per file when stderr is a file or pipe. */
function progressBar(done: number, total: number, label: string): void {
  if (!process.stderr.isTTY) {
    process.stderr.write(`${String(Math.round((100 * done) / Math.max(total, 1))).padStart(3)}% ${label}\n`);
    return;
  }
  const width = 30;
  const filled = total ? Math.round((width * done) / total) : width;
  process.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${Math.round((100 * done) / Math.max(total, 1))}% ${label}`.padEnd(80));
  if (done >= total) process.stderr.write('\n');
}

async function keygen(out: string, passphraseFile: string | undefined): Promise<void> {
  const passphrase = passphraseFile === undefined ? undefined : await readPassphraseFile(passphraseFile);
  const address = await writeKeyFile(out, await generateKeyPair(), { passphrase });
  console.log(`Key written to ${out}${passphrase ? ', protected by the passphrase' : ''} (keep it safe: whoever has it controls the site)`);
  console.log(`Address: ${address}`);
}

async function publish(folder: string, keyPath: string, passphraseFile: string | undefined, server: string, flags: SiteOptions, dht?: DhtNodeOptions): Promise<void> {
  const key = await readKeyFile(keyPath, { file: passphraseFile });
  const { files, config } = takeSiteConfig(await readFolder(folder, (skipped) => process.stderr.write(`skipping hidden ${skipped}\n`)));
  const address = addressFromPublicKey(key.publicKey);
  const current = await fetch(`${server}/api/sites/${address}`);
  if (current.status !== 404 && !current.ok) throw new Error(`the server refused to look up the site: ${await apiError(current)}`);
  const seq = current.ok ? ((await current.json()) as Manifest).seq + 1 : await seqAfterNotFound(current);
  const { entry, fallback } = resolveSiteOptions(files, flags, config);
  for (const warning of cspWarnings(files, canonicalAppOrigin(server), siteOrigin(server, address))) process.stderr.write(`warning: ${warning}\n`);
  const bundle = await buildBundle({ files, secretKey: key.secretKey, seq, fallback, entry });
  const total = totalSize(bundle.manifest.files);
  let sent = 0;
  for (const { file, bytes } of bundle.files) {
    // Files an earlier version already published are on the server: skip them.
    const held = await fetch(`${server}/api/blobs/${file.sha256}`, { method: 'HEAD' });
    if (!held.ok) {
      const res = await fetch(`${server}/api/blobs/${file.sha256}`, { method: 'PUT', body: new Blob([bytes as BlobPart]) });
      if (!res.ok) throw new Error(`uploading ${file.path} failed: ${await apiError(res)}`);
    }
    sent += file.size;
    progressBar(sent, total, file.path);
  }
  const res = await fetch(`${server}/api/sites/${address}`, { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(bundle.manifest) });
  if (!res.ok) throw new Error(`publishing failed: ${await apiError(res)}`);
  // The server knows its public URL (behind a proxy it is not the one we reached it by).
  const answered = ((await res.json().catch(() => ({}))) as { url?: unknown }).url;
  console.log(`Published version ${seq} of ${bundle.manifest.files.length} files (${total} bytes)`);
  console.log(`Start page: ${bundle.manifest.entry}${bundle.manifest.fallback ? `; unknown paths get ${bundle.manifest.fallback}${/(^|\/)404\.html?$/.test(bundle.manifest.fallback) ? ' (404)' : ' (200, single-page app)'}` : ''}`);
  console.log(`Address: ${address}`);
  console.log(`URL: ${typeof answered === 'string' && /^https?:\/\/[^\s]+$/.test(answered) ? answered : siteUrl(server, address)}`);
  // The version's DHT pointer: only the key holder can sign it; the server keeps and re-puts it.
  const pointer = await signManifestPointer(key.secretKey, bundle.manifest);
  console.log(`Pointer: ${await sendPointerToServer(server, pointer).catch((err: Error) => `not given to the server (${err.message})`)}`);
  if (dht) {
    try {
      const put = await putPointerOnDht(pointer, dht);
      console.log(`DHT: the pointer (seq ${seq}, info hash ${pointer.infoHash}) ${put.alreadyHeld ? 'was already on the DHT (the server put it)' : `is on ${put.nodes} nodes`}`);
    } catch (err) {
      process.stderr.write(`p2psite: the site is published, but its pointer is not on the DHT: ${(err as Error).message}\n`);
      process.exitCode = 1;
    }
  }
}

async function info(address: string, server: string, seq: number | undefined, torrentPath: string | undefined): Promise<void> {
  const m = await fetchVersion(server, address, seq, apiError);
  console.log(`Address: ${m.address}`);
  console.log(`Version: ${m.seq}, published ${new Date(m.createdAt).toISOString()}`);
  console.log(`Files: ${m.files.length}, ${totalSize(m.files)} bytes; entry ${m.entry}`);
  console.log(`Info hash: ${m.torrent.infoHash}`);
  console.log(`URL: ${siteUrl(server, m.address)}`);
  if (torrentPath === undefined) return;
  const magnet = await writeSiteTorrent(torrentPath, m, server);
  console.log(`Torrent written to ${torrentPath}`);
  console.log(`Magnet: ${magnet}`);
}

async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      out: { type: 'string' },
      key: { type: 'string' },
      'passphrase-file': { type: 'string' },
      server: { type: 'string' },
      seq: { type: 'string' },
      torrent: { type: 'string' },
      entry: { type: 'string' },
      fallback: { type: 'string' },
      spa: { type: 'boolean' },
      dht: { type: 'boolean' },
      'dht-bootstrap': { type: 'string' },
      'dht-port': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, arg] = positionals;
  const server = (values.server ?? process.env.P2P_SERVER ?? 'http://localhost:8080').replace(/\/+$/, '');
  if (values.help) {
    console.log(USAGE);
    return;
  }
  if (!command) throw new UsageError('');
  const passphraseFile = values['passphrase-file'];
  if (command === 'keygen') return keygen(values.out ?? 'site.key', passphraseFile);
  if (command === 'publish') {
    if (!arg || !values.key) throw new UsageError('publish needs a folder and --key <file>');
    let dht: DhtNodeOptions | undefined;
    try {
      dht = dhtFromFlags(values);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    return publish(arg, values.key, passphraseFile, server, { entry: values.entry, fallback: values.fallback, spa: values.spa }, dht);
  }
  if (command === 'info') {
    if (!arg) throw new UsageError('info needs an address');
    if (values.seq !== undefined && !/^[1-9]\d{0,15}$/.test(values.seq)) throw new UsageError(`--seq takes a version number from 1, not "${values.seq.slice(0, 40)}"`);
    if (values.torrent === '') throw new UsageError('--torrent needs a file name');
    return info(arg, server, values.seq === undefined ? undefined : Number(values.seq), values.torrent);
  }
  if (command === 'mirror') {
    const folder = positionals[2];
    if (!arg || !folder) throw new UsageError('mirror needs an address and a folder');
    if (values.seq !== undefined && !/^[1-9]\d{0,15}$/.test(values.seq)) throw new UsageError(`--seq takes a version number from 1, not "${values.seq.slice(0, 40)}"`);
    const m = await fetchVersion(server, arg, values.seq === undefined ? undefined : Number(values.seq), apiError);
    const written = await writeMirror(server, m, folder, progressBar);
    console.log(`Mirrored version ${m.seq} (${m.files.length} files, ${written} written) to ${folder}/${m.torrent.infoHash}/`);
    console.log(`Upload ${folder} to a static host that answers range requests with CORS, and name its URL with --mirror`);
    return;
  }
  throw new UsageError(`unknown command "${command}"`);
}

main(process.argv.slice(2)).catch((err: unknown) => {
  if (err instanceof UsageError) {
    if (err.message) console.error(`p2psite: ${err.message}`);
    console.error(USAGE);
    process.exit(2);
  }
  if (err instanceof CliError && err.code === 'E_CANCELLED') process.exit(130);
  const message = isCoreError(err) ? err.message : err instanceof Error ? err.message : String(err);
  console.error(`p2psite: ${message}`);
  if ((err as { cause?: { code?: string } })?.cause?.code === 'ECONNREFUSED') console.error('Is the server running? Start it with `npm start`.');
  process.exit(1);
});
