import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { PassThrough } from 'node:stream';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KeyFileError } from '../../src/keys/errors.js';
import { CliError } from '../../signaling/cli/errors.js';
import { passphraseFor, readPassphraseFile } from '../../signaling/cli/passphrase.js';
import { promptHidden, type PromptInput } from '../../signaling/cli/prompt-hidden.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'p2p-cli-pass-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** A stand-in terminal: what the prompt writes, and whether it switched raw mode on and back off. */
function terminal(isTTY = true): { input: PromptInput & PassThrough; output: PassThrough; written: () => string; raw: ReturnType<typeof vi.fn> } {
  const input = Object.assign(new PassThrough(), { isTTY, isRaw: false, setRawMode: vi.fn() });
  const output = new PassThrough();
  let written = '';
  output.on('data', (c) => (written += c));
  return { input, output, written: () => written, raw: input.setRawMode };
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    expect(err instanceof KeyFileError || err instanceof CliError).toBe(true);
    return (err as KeyFileError | CliError).code;
  }
  throw new Error('expected an error');
}

describe('hidden prompt', () => {
  it('reads a line in raw mode without echoing it; Backspace deletes, arrow keys are ignored', async () => {
    const t = terminal();
    const answer = promptHidden('Passphrase: ', t);
    for (const chunk of ['se', 'c\u007fcr', '\u001b[A', 'ét', '\r', 'after']) t.input.write(chunk);
    expect(await answer).toBe('secrét');
    expect(t.written()).toBe('Passphrase: \n');
    expect(t.raw.mock.calls).toEqual([[true], [false]]);
  });

  it('Ctrl-C cancels with E_CANCELLED and restores the terminal', async () => {
    const t = terminal();
    const answer = promptHidden('Passphrase: ', t);
    t.input.write('ab\u0003');
    expect(await codeOf(answer)).toBe('E_CANCELLED');
    expect(t.raw.mock.calls).toEqual([[true], [false]]);
  });
});

describe('where the passphrase comes from', () => {
  it('--passphrase-file first, then P2P_KEY_PASSPHRASE, then the terminal', async () => {
    const path = join(dir, 'pass');
    await writeFile(path, ' from file \n');
    const env = { P2P_KEY_PASSPHRASE: 'from env' };
    expect(await passphraseFor('site.key', { file: path, env, input: terminal().input })).toBe(' from file ');
    expect(await passphraseFor('site.key', { env, input: terminal().input })).toBe('from env');
    const t = terminal();
    const asked = passphraseFor('site.key', { env: { P2P_KEY_PASSPHRASE: '' }, ...t });
    t.input.write('typed\n');
    expect(await asked).toBe('typed');
    expect(t.written()).toContain('Passphrase for site.key: ');
  });

  it('without a source and no terminal, or with an empty answer, says how to pass one (E_NEEDS_PASSPHRASE)', async () => {
    const err = await passphraseFor('site.key', { env: {}, input: terminal(false).input }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KeyFileError);
    expect((err as KeyFileError).code).toBe('E_NEEDS_PASSPHRASE');
    expect((err as KeyFileError).message).toContain('--passphrase-file');
    expect((err as KeyFileError).message).toContain('P2P_KEY_PASSPHRASE');
    const t = terminal();
    const asked = passphraseFor('site.key', { env: {}, ...t });
    t.input.write('\r');
    expect(await codeOf(asked)).toBe('E_NEEDS_PASSPHRASE');
  });

  it('a passphrase file loses one trailing line break only; a missing or empty one is E_PASSPHRASE_FILE', async () => {
    await writeFile(join(dir, 'crlf'), 'a b\r\n');
    await writeFile(join(dir, 'two'), 'a\n\n');
    await writeFile(join(dir, 'empty'), '\n');
    expect(await readPassphraseFile(join(dir, 'crlf'))).toBe('a b');
    expect(await readPassphraseFile(join(dir, 'two'))).toBe('a\n');
    expect(await codeOf(readPassphraseFile(join(dir, 'empty')))).toBe('E_PASSPHRASE_FILE');
    expect(await codeOf(readPassphraseFile(join(dir, 'missing')))).toBe('E_PASSPHRASE_FILE');
  });
});
