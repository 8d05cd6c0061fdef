import { readFile } from 'node:fs/promises';
import type { CDPSession } from 'playwright-core';

/** Resident memory of one browser's processes, in MB (10^6 bytes), by kind. */
export interface MemorySample {
  /** The browser (main) process: it also holds Blob data and IndexedDB's bookkeeping. */
  browser: number;
  /** Every renderer of this browser (pages, their frames, service workers), summed. */
  renderers: number;
  /** The GPU, network, storage and other utility processes, summed. */
  others: number;
  /** The largest single renderer. */
  largestRenderer: number;
}

/** VmRSS of a process from /proc, in MB; 0 when the process has gone. */
async function rssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT' || err.code === 'ESRCH') return ''; // exited between the listing and the read
    throw err;
  });
  const kb = /^VmRSS:\s+(\d+) kB/m.exec(status);
  return kb ? (Number(kb[1]) * 1024) / 1e6 : 0;
}

/**
 * Reads the resident memory of a browser's processes: the list (type and pid) from CDP's
 * `SystemInfo.getProcessInfo`, each process's VmRSS from /proc (the browser runs on this
 * machine). `cdp` is a session on the browser itself: `browser.newBrowserCDPSession()`.
 */
export async function sampleMemory(cdp: CDPSession): Promise<MemorySample> {
  const { processInfo } = (await cdp.send('SystemInfo.getProcessInfo')) as { processInfo: { type: string; id: number }[] };
  const sample: MemorySample = { browser: 0, renderers: 0, others: 0, largestRenderer: 0 };
  for (const p of processInfo) {
    const mb = await rssMb(p.id);
    if (p.type === 'browser') sample.browser += mb;
    else if (p.type === 'renderer') {
      sample.renderers += mb;
      sample.largestRenderer = Math.max(sample.largestRenderer, mb);
    } else sample.others += mb;
  }
  return sample;
}

/**
 * Samples every `everyMs` until `stop()` and keeps the highest value of each field
 * (each field's own peak, not one sample's).
 */
export function watchPeak(cdp: CDPSession, everyMs = 500): { stop(): Promise<MemorySample> } {
  const peak: MemorySample = { browser: 0, renderers: 0, others: 0, largestRenderer: 0 };
  let running = true;
  const loop = (async () => {
    while (running) {
      const s = await sampleMemory(cdp);
      for (const k of Object.keys(peak) as (keyof MemorySample)[]) peak[k] = Math.max(peak[k], s[k]);
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return peak;
    },
  };
}
