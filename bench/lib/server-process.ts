import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';

const root = new URL('../../', import.meta.url).pathname;

/** The signaling server in its own process, so the benchmark's load comes from outside it. */
export async function startServerProcess(args: string[]): Promise<{ child: ChildProcess; port: number; url: string; rssKb(): Promise<number>; stop(): Promise<void> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'signaling/main.ts', '--port', '0', ...args], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
  const port = await new Promise<number>((resolve, reject) => {
    let err = '';
    const timer = setTimeout(() => reject(new Error(`server did not start: ${err}`)), 30_000);
    child.stderr!.on('data', (chunk) => {
      err += chunk;
      const m = /App: http:\/\/localhost:(\d+)\//.exec(err);
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
