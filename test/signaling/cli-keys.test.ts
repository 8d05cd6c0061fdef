import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addressFromPublicKey, generateKeyPair, toHex, type KeyPair } from '../../src/core/index.js';
import { MIN_ITERATIONS } from '../../src/keys/key-cipher.js';
import { describeKeyFile, parseKeyFile, serializeKeyFile } from '../../src/keys/key-file.js';
import { startServer, type RunningServer } from '../../signaling/server.js';
import { runCli } from '../helpers/cli.js';

// The same parser and serialiser src/ui/keys-view.ts imports and exports with.
const root = new URL('../../', import.meta.url).pathname;
let dir: string;
let server: RunningServer;
let site: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'p2p-cli-keys-'));
  server = await startServer({ host: '127.0.0.1', port: 0, dataDir: join(dir, 'data'), distDir: join(dir, 'dist'), log: () => {} });
  site = join(dir, 'site');
  await mkdir(site);
  await writeFile(join(site, 'index.html'), '<h1>keys</h1>');
});
afterAll(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

interface Run {
  code: number;
  out: string;
  err: string;
}

/** Runs `p2psite` with stdin a closed pipe (not a terminal) and no passphrase in the environment unless given. */
function cli(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'P2P_KEY_PASSPHRASE' && k !== 'P2P_SERVER'));
  return runCli(args, { ...base, ...env });
}

async function file(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text, { mode: 0o600 });
  return path;
}

function publishWith(keyPath: string, more: string[] = [], env?: Record<string, string>): Promise<Run> {
  return cli(['publish', site, '--key', keyPath, '--server', server.url, ...more], env);
}

async function published(key: KeyPair): Promise<number | undefined> {
  const res = await fetch(`${server.url}/api/sites/${addressFromPublicKey(key.publicKey)}`);
  return res.ok ? ((await res.json()) as { seq: number }).seq : undefined;
}

/** util-linux `script` gives the CLI a real terminal; BSD's takes other flags, so elsewhere the test is skipped. */
const hasScript = process.platform === 'linux' && spawnSync('script', ['--version']).status === 0;

/** Runs `p2psite` on a pseudo-terminal and types `typed` once the prompt is shown (so it is never typed in echo mode). */
function cliOnTerminal(args: string[], typed: string): Promise<Run> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'P2P_KEY_PASSPHRASE'));
  const command = ['node', 'bin/p2psite.mjs', ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  return new Promise((resolve) => {
    const child = spawn('script', ['-qfec', command, '/dev/null'], { cwd: root, env: base });
    let out = '';
    let sent = false;
    child.stdout.on('data', (c) => {
      out += c;
      if (!sent && out.includes('Passphrase for')) {
        sent = true;
        child.stdin.write(typed);
      }
    });
    child.on('exit', (code) => resolve({ code: code ?? -1, out, err: '' }));
  });
}

describe('one key file for the app and the CLI', () => {
  it('a key made by `p2psite keygen` opens with the app parser', async () => {
    const path = join(dir, 'made.key');
    const made = await cli(['keygen', '--out', path]);
    expect(made.code).toBe(0);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    const address = /Address: ([a-z2-7]{52})/.exec(made.out)![1];
    const text = await readFile(path, 'utf8');
    expect(describeKeyFile(text)).toEqual({ address, encrypted: false, legacy: false });
    expect(addressFromPublicKey((await parseKeyFile(text)).publicKey)).toBe(address);
  });

  it('`keygen --passphrase-file` writes a protected file the app opens with that passphrase', async () => {
    const path = join(dir, 'made-locked.key');
    const pass = await file('made.pass', 'open sesame\n');
    const made = await cli(['keygen', '--out', path, '--passphrase-file', pass]);
    expect(made.code).toBe(0);
    expect(made.out).toContain('protected by the passphrase');
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    const address = /Address: ([a-z2-7]{52})/.exec(made.out)![1];
    const text = await readFile(path, 'utf8');
    expect(describeKeyFile(text).encrypted).toBe(true);
    expect(addressFromPublicKey((await parseKeyFile(text, { passphrase: 'open sesame' })).publicKey)).toBe(address);
    const empty = await cli(['keygen', '--out', join(dir, 'never.key'), '--passphrase-file', await file('empty.pass', '\n')]);
    expect(empty.code).toBe(1);
    expect(empty.err).toContain('E_PASSPHRASE_FILE');
    await expect(stat(join(dir, 'never.key'))).rejects.toThrow();
  });

  it('an app export without a passphrase, and an old CLI key file, publish', async () => {
    const key = await generateKeyPair();
    const plain = await publishWith(await file('app-plain.json', await serializeKeyFile(key)));
    expect(plain.err).not.toContain('p2psite:');
    expect(plain.code).toBe(0);
    expect(plain.out).toContain(`Address: ${addressFromPublicKey(key.publicKey)}`);

    const old = await generateKeyPair();
    const legacy = JSON.stringify({ address: addressFromPublicKey(old.publicKey), secretKey: toHex(old.secretKey) }, null, 2);
    const run = await publishWith(await file('old-cli.key', `${legacy}\n`));
    expect(run.code).toBe(0);
    expect(await published(old)).toBe(1);
  });

  it('an app export with a passphrase publishes with --passphrase-file, then with P2P_KEY_PASSPHRASE', async () => {
    const key = await generateKeyPair();
    const keyPath = await file('app-locked.json', await serializeKeyFile(key, { passphrase: 'correct horse', iterations: MIN_ITERATIONS }));
    const viaFile = await publishWith(keyPath, ['--passphrase-file', await file('locked.pass', 'correct horse\r\n')]);
    expect(viaFile.code).toBe(0);
    expect(viaFile.out).toContain('Published version 1');
    const viaEnv = await publishWith(keyPath, [], { P2P_KEY_PASSPHRASE: 'correct horse' });
    expect(viaEnv.code).toBe(0);
    expect(viaEnv.out).toContain('Published version 2');
  });

  it.skipIf(!hasScript)('on a terminal it asks for the passphrase without echoing it', async () => {
    const key = await generateKeyPair();
    const keyPath = await file('tty-locked.json', await serializeKeyFile(key, { passphrase: 'typed secret', iterations: MIN_ITERATIONS }));
    const [right, wrong] = await Promise.all([cliOnTerminal(['publish', site, '--key', keyPath, '--server', server.url], 'typed secret\r'), cliOnTerminal(['publish', site, '--key', keyPath, '--server', server.url], 'nope\r')]);
    expect(right.out).toContain(`Passphrase for ${keyPath}: `);
    expect(right.out).not.toContain('typed secret');
    expect(right.out).toContain('Published version 1');
    expect(right.code).toBe(0);
    expect(wrong.out).not.toContain('nope');
    expect(wrong.out).toContain('E_WRONG_PASSPHRASE');
    expect(wrong.code).toBe(1);
  });

  it('refuses, with exit status 1, a code and what to do: no passphrase, wrong passphrase, damaged, mismatching, not a key', async () => {
    const key = await generateKeyPair();
    const locked = await serializeKeyFile(key, { passphrase: 'right', iterations: MIN_ITERATIONS });
    const plain = JSON.parse(await serializeKeyFile(key));
    const other = addressFromPublicKey((await generateKeyPair()).publicKey);
    const lockedPath = await file('refuse-locked.json', locked);
    const [none, wrong, damaged, mismatch, foreign, missing] = await Promise.all([
      publishWith(lockedPath),
      publishWith(lockedPath, [], { P2P_KEY_PASSPHRASE: 'wrong' }),
      publishWith(await file('refuse-damaged.json', JSON.stringify({ ...plain, secretKey: plain.secretKey.slice(4) }))),
      publishWith(await file('refuse-mismatch.json', JSON.stringify({ ...plain, address: other }))),
      publishWith(await file('refuse-foreign.json', '{"hello":"world"}')),
      publishWith(join(dir, 'no-such.key')),
    ]);
    const expectRefused = (run: Run, code: string, ...says: string[]): void => {
      expect(run.code, run.err).toBe(1);
      expect(run.out).toBe('');
      expect(run.err).toContain(`p2psite: ${code}: `);
      for (const s of says) expect(run.err).toContain(s);
    };
    expectRefused(none, 'E_NEEDS_PASSPHRASE', lockedPath, '--passphrase-file', 'P2P_KEY_PASSPHRASE');
    expectRefused(wrong, 'E_WRONG_PASSPHRASE', 'check the passphrase');
    expectRefused(damaged, 'E_DAMAGED_KEY_FILE', '"secretKey"', 'another copy');
    expectRefused(mismatch, 'E_KEY_MISMATCH', other);
    expectRefused(foreign, 'E_NOT_KEY_FILE', 'p2psite keygen');
    expectRefused(missing, 'E_KEY_FILE_UNREADABLE', 'p2psite keygen');
    expect(await published(key)).toBeUndefined();
    expect((await fetch(`${server.url}/api/sites/${other}`)).status).toBe(404);
  });
});
