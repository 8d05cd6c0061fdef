import { CliError } from './errors.js';

/** The part of a TTY read stream the prompt uses; a fake one in tests. */
export interface PromptInput extends NodeJS.ReadableStream {
  isTTY?: boolean;
  isRaw?: boolean;
  setRawMode?(mode: boolean): unknown;
}

export interface PromptOptions {
  input: PromptInput;
  /** Where the question goes: stderr, so stdout stays the command's result. */
  output: NodeJS.WritableStream;
}

/**
 * Asks a question on a terminal without echoing the answer (raw mode, as `ssh` and
 * `gpg` do; readline would echo it). Enter or Ctrl-D ends it, Backspace deletes,
 * other control keys and escape sequences (arrows) are ignored.
 * @throws {CliError} E_CANCELLED on Ctrl-C: raw mode turns it into a key, not SIGINT.
 */
export function promptHidden(question: string, { input, output }: PromptOptions): Promise<string> {
  return new Promise((resolve, reject) => {
    let answer = '';
    const wasRaw = input.isRaw ?? false;
    const finish = (err?: Error): void => {
      input.off('data', onData);
      input.off('end', onEnd);
      input.setRawMode?.(wasRaw);
      input.pause();
      output.write('\n');
      if (err) reject(err);
      else resolve(answer);
    };
    const onData = (chunk: string | Buffer): void => {
      const text = String(chunk);
      if (text.startsWith('\u001b')) return;
      for (const ch of text) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') return finish();
        if (ch === '\u0003') return finish(new CliError('E_CANCELLED', 'cancelled at the passphrase prompt'));
        if (ch === '\u007f' || ch === '\b') answer = [...answer].slice(0, -1).join('');
        else if (ch >= ' ') answer += ch;
      }
    };
    const onEnd = (): void => finish();
    input.setRawMode?.(true);
    input.setEncoding('utf8');
    output.write(question);
    input.on('data', onData);
    input.on('end', onEnd);
    input.resume();
  });
}
