import { spawn } from 'node:child_process';

const root = new URL('../../', import.meta.url).pathname;

export interface CliRun {
  code: number;
  out: string;
  err: string;
}

/** Runs `p2psite <args>` as a publisher would (bin/p2psite.mjs in its own process, stdin closed) and collects its output. */
export function runCli(args: string[], env?: NodeJS.ProcessEnv): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['bin/p2psite.mjs', ...args], { cwd: root, ...(env ? { env } : {}) });
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (err += c));
    // Stdin a closed pipe, not a terminal: nothing can wait on a prompt.
    child.stdin.end();
    child.on('exit', (code) => resolve({ code: code ?? -1, out, err }));
  });
}
