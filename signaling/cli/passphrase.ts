import { readFile } from 'node:fs/promises';
import { KeyFileError } from '../../src/keys/errors.js';
import { CliError } from './errors.js';
import { promptHidden, type PromptInput } from './prompt-hidden.js';

export const PASSPHRASE_ENV = 'P2P_KEY_PASSPHRASE';

/** Where a passphrase may come from, in this order. Defaults are the process's own. */
export interface PassphraseSources {
  /** `--passphrase-file <path>`. */
  file?: string;
  /** Environment holding P2P_KEY_PASSPHRASE; default process.env. */
  env?: Record<string, string | undefined>;
  /** Prompted only when `input.isTTY`; default process.stdin. */
  input?: PromptInput;
  /** Where the prompt is written; default process.stderr. */
  output?: NodeJS.WritableStream;
}

/**
 * The passphrase in a file. One trailing line break is dropped (`echo secret > file`
 * writes one); anything else, spaces included, is part of the passphrase.
 * @throws {CliError} E_PASSPHRASE_FILE when the file cannot be read or is empty.
 */
export async function readPassphraseFile(path: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new CliError('E_PASSPHRASE_FILE', `cannot read the passphrase file ${path}: ${(err as Error).message}`, { cause: err });
  }
  const passphrase = text.replace(/\r?\n$/, '');
  if (!passphrase) throw new CliError('E_PASSPHRASE_FILE', `the passphrase file ${path} is empty; write the passphrase into it`);
  return passphrase;
}

/**
 * The passphrase for a protected key file: `--passphrase-file`, else $P2P_KEY_PASSPHRASE,
 * else asked on the terminal when stdin is one.
 * @param keyPath named in the prompt.
 * @throws {KeyFileError} E_NEEDS_PASSPHRASE when none of them gives one.
 * @throws {CliError} E_PASSPHRASE_FILE, E_CANCELLED.
 */
export async function passphraseFor(keyPath: string, sources: PassphraseSources = {}): Promise<string> {
  if (sources.file !== undefined) return readPassphraseFile(sources.file);
  const fromEnv = (sources.env ?? process.env)[PASSPHRASE_ENV];
  if (fromEnv) return fromEnv;
  const input = sources.input ?? process.stdin;
  const how = `pass --passphrase-file <file> or set ${PASSPHRASE_ENV}`;
  if (!input.isTTY) {
    throw new KeyFileError('E_NEEDS_PASSPHRASE', `the key file is protected by a passphrase and none was given: ${how} (p2psite asks for it only when stdin is a terminal)`);
  }
  const typed = await promptHidden(`Passphrase for ${keyPath}: `, { input, output: sources.output ?? process.stderr });
  if (!typed) throw new KeyFileError('E_NEEDS_PASSPHRASE', `no passphrase entered; type it at the prompt, or ${how}`);
  return typed;
}
