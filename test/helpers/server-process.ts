import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';

const root = new URL('../../', import.meta.url).pathname;

export interface ServerProcess {
  child: ChildProcess;
  port: number;
  url: string;
  /** What the server wrote to stderr so far. */
  stderr(): string;
  rssKb(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * `signaling/main.ts` in its own process on a free port (for crash tests, and so a
 * benchmark's load comes from outside the server). Resolves once it prints its URL.
 */
export async function startServerProcess(args: string[], startTimeoutMs = 30_000): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'signaling/main.ts', '--port', '0', ...args], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not start: ${err}`));
    }, startTimeoutMs);
    child.stderr!.on('data', (chunk) => {
      err += chunk;
      const m = /App: http:\/\/p2p\.localhost:(\d+)\//.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${err}`)));
  });
  return {
    child,
    port,
    url: `http://127.0.0.1:${port}`,
    stderr: () => err,
    async rssKb() {
      const status = await readFile(`/proc/${child.pid}/status`, 'utf8');
      return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    },
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    },
  };
}
