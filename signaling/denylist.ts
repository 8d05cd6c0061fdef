import { readFile, stat } from 'node:fs/promises';
import { isAddress } from '../src/core/index.js';
import type { Logger } from './log.js';

/** The same reading of an address as everywhere (src/core/keys.ts), without narrowing the line's type. */
const isSiteAddress = (line: string): boolean => isAddress(line);

/**
 * Addresses and info hashes the operator refuses, one per line, `#` starts a comment.
 * The file is re-read when its modification time changes (checked every second), so
 * moderation takes effect without a restart.
 */
export class Denylist {
  private entries = new Set<string>();
  /** Modification time and size of the file last read: a change of either means re-read. */
  private stamp = '';
  private timer?: ReturnType<typeof setInterval>;

  constructor(
    private readonly path: string,
    private readonly log: Logger,
    /** Called after every change with the new entries (awaited, so lookups it feeds are ready). */
    private readonly onChange?: (entries: ReadonlySet<string>) => Promise<void>,
  ) {}

  async start(pollMs = 1000): Promise<void> {
    await this.reload();
    let running = false;
    this.timer = setInterval(() => {
      if (running) return; // one reload at a time
      running = true;
      void this.reload().finally(() => (running = false));
    }, pollMs);
    this.timer.unref();
  }

  has(value: string): boolean {
    return this.entries.has(value.toLowerCase());
  }

  async reload(): Promise<void> {
    let stamp: string;
    try {
      const info = await stat(this.path);
      stamp = `${info.mtimeMs}:${info.size}`;
    } catch {
      if (this.entries.size) this.log.info('denylist_cleared', { path: this.path });
      if (this.stamp || this.entries.size) await this.onChange?.(new Set());
      this.entries = new Set();
      this.stamp = '';
      return;
    }
    if (stamp === this.stamp) return;
    this.stamp = stamp;
    const text = await readFile(this.path, 'utf8').catch(() => '');
    const next = new Set<string>();
    for (const raw of text.split('\n')) {
      const line = raw.replace(/#.*/, '').trim().toLowerCase();
      if (isSiteAddress(line) || /^[0-9a-f]{40}$/.test(line)) next.add(line);
      else if (line) this.log.warn('denylist_bad_line', { line: line.slice(0, 80) });
    }
    await this.onChange?.(next);
    this.entries = next;
    this.log.info('denylist_loaded', { entries: next.size });
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
