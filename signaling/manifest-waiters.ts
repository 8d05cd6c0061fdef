import type { IncomingMessage } from 'node:http';

/**
 * Open pages waiting to hear of a site's next version: a long poll on the manifest
 * request the page makes anyway (`If-None-Match` with the version it holds, plus
 * `Prefer: wait=<seconds>`, RFC 7240). A publish answers every waiter of that address at
 * once; otherwise each is answered 304 when its wait ends and asks again. One pending
 * request per open site (one engine per site per browser), nothing kept per page between
 * requests, and a bound on how many are held at once.
 */
export type WakeReason = 'changed' | 'timeout' | 'gone' | 'full' | 'closing';

interface Waiter {
  wake(reason: WakeReason): void;
}

export class ManifestWaiters {
  private readonly byAddress = new Map<string, Set<Waiter>>();
  private held = 0;
  private closing = false;

  constructor(private readonly maxHeld: number) {}

  /**
   * Resolves when `address` gets a new version, after `ms`, or when the client goes
   * away; at once with 'full' when too many requests are held already.
   */
  hold(address: string, ms: number, req: IncomingMessage): Promise<WakeReason> {
    if (this.closing) return Promise.resolve('closing');
    if (this.held >= this.maxHeld) return Promise.resolve('full');
    return new Promise((resolve) => {
      let set = this.byAddress.get(address);
      if (!set) this.byAddress.set(address, (set = new Set()));
      const waiter: Waiter = {
        wake: (reason) => {
          clearTimeout(timer);
          req.socket.off('close', onGone);
          if (set!.delete(waiter)) this.held--;
          if (set!.size === 0 && this.byAddress.get(address) === set) this.byAddress.delete(address);
          resolve(reason);
        },
      };
      const onGone = () => waiter.wake('gone');
      const timer = setTimeout(() => waiter.wake('timeout'), ms);
      req.socket.once('close', onGone);
      set.add(waiter);
      this.held++;
    });
  }

  /** A new version of `address` (or a denylist change for it): answer its waiters now. */
  wake(address: string): void {
    for (const waiter of [...(this.byAddress.get(address) ?? [])]) waiter.wake('changed');
  }

  wakeAll(reason: WakeReason = 'changed'): void {
    for (const address of [...this.byAddress.keys()]) for (const waiter of [...(this.byAddress.get(address) ?? [])]) waiter.wake(reason);
  }

  /** Answers every waiter and holds no more (the server is stopping). */
  close(): void {
    this.closing = true;
    this.wakeAll('closing');
  }

  get size(): number {
    return this.held;
  }
}

/** Longest wait a client may ask for; a page re-asks at once after each answer. */
export const MAX_WAIT_MS = 30_000;

/** The wait a `Prefer: wait=<seconds>` header asks for (RFC 7240 section 4.3), capped; 0 when absent. */
export function preferredWaitMs(prefer: string | undefined): number {
  const m = /(?:^|[,;\s])wait\s*=\s*(\d{1,6})(?:$|[,;\s])/i.exec(prefer ?? '');
  return m ? Math.min(Number(m[1]) * 1000, MAX_WAIT_MS) : 0;
}
