import { manifestEtag, type Manifest } from '../core/index.js';

/**
 * Keeps an open page in touch with the server: a long poll on the manifest (the server
 * holds the request until the site's next version or for `waitSeconds`, see
 * signaling/manifest-waiters.ts), so a publish reaches the page within a second; while
 * the server cannot be reached, a recheck every `retryMs` plus up to `jitterMs` (so
 * thousands of pages do not all return in the same second), and a word when it answers
 * again. Takes `fetch` and the timers as parameters, so it runs in Node against a real
 * server in tests.
 */
export interface ServerWatchOptions {
  /** `<server>/api/sites/<address>`. */
  url: string;
  /** A manifest the server answered with (unverified: the engine verifies it). */
  onManifest(candidate: unknown): Promise<void>;
  /** Reachability changed: `true` after it answered again, `false` when it stopped. */
  onReachable(reachable: boolean): void;
  /** The server refuses this site now (451). */
  onDenied(): void;
  /** Any answer from the server (it is up): e.g. reconnect what waits on its own backoff. */
  onAnswer?: () => void;
  fetch?: typeof fetch;
  waitSeconds?: number;
  retryMs?: number;
  jitterMs?: number;
  random?: () => number;
  setTimeout?: (fn: () => void, ms: number) => unknown;
  clearTimeout?: (handle: unknown) => void;
}

/** A poll that comes back sooner than this (a full server, a proxy that does not hold) waits before the next. */
const MIN_POLL_MS = 5000;

export class ServerWatch {
  private etag?: string;
  private stopped = false;
  private reachable = true;
  private timer: unknown;
  private controller?: AbortController;
  private readonly o: Required<Omit<ServerWatchOptions, 'onManifest' | 'onReachable' | 'onDenied' | 'onAnswer' | 'url'>> & Pick<ServerWatchOptions, 'onManifest' | 'onReachable' | 'onDenied' | 'onAnswer' | 'url'>;

  constructor(options: ServerWatchOptions) {
    this.o = {
      fetch: globalThis.fetch.bind(globalThis),
      waitSeconds: 25,
      retryMs: 10_000,
      jitterMs: 3000,
      random: Math.random,
      setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
      clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
      ...options,
    };
  }

  /**
   * Starts watching. `held` is the version this page has (its ETag is asked for, so the
   * server answers only with something else); `reachable` what the page last learnt.
   */
  start(held: Pick<Manifest, 'seq' | 'signature'> | undefined, reachable: boolean): void {
    this.etag = held ? manifestEtag(held) : undefined;
    this.reachable = reachable;
    this.schedule(reachable ? 0 : this.retryDelay());
  }

  /** Ask now (e.g. the page became visible, or the network came back). */
  poke(): void {
    if (this.stopped || this.controller) return;
    this.o.clearTimeout(this.timer);
    this.schedule(0);
  }

  stop(): void {
    this.stopped = true;
    this.o.clearTimeout(this.timer);
    this.controller?.abort();
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = this.o.setTimeout(() => void this.poll(), ms);
  }

  private retryDelay(): number {
    return this.o.retryMs + Math.floor(this.o.random() * this.o.jitterMs);
  }

  private async poll(): Promise<void> {
    if (this.stopped) return;
    const started = Date.now();
    this.controller = new AbortController();
    const abortTimer = this.o.setTimeout(() => this.controller?.abort(), (this.o.waitSeconds + 10) * 1000);
    let next: number;
    try {
      const response = await this.o.fetch(this.o.url, {
        cache: 'no-store',
        // While the server was unreachable, ask without waiting: the answer says at once
        // that it is back (a held request would say so only when its wait ends).
        headers: this.etag ? { 'If-None-Match': this.etag, ...(this.reachable ? { Prefer: `wait=${this.o.waitSeconds}` } : {}) } : {},
        signal: this.controller.signal,
      });
      if (response.status >= 500) throw new Error(`server answered ${response.status}`);
      const wasProbe = !this.reachable;
      this.setReachable(true);
      this.o.onAnswer?.();
      if (response.status === 451) {
        this.o.onDenied();
        next = this.o.retryMs * 6;
      } else if (response.status === 200) {
        this.etag = response.headers.get('ETag') ?? this.etag;
        await this.o.onManifest(await response.json().catch(() => undefined));
        next = 0;
      } else {
        // 304: nothing new in the wait; 404: nothing published here (any more): ask less often.
        next = response.status === 404 ? this.o.retryMs * 3 : 0;
      }
      if (Date.now() - started < MIN_POLL_MS && next === 0 && response.status !== 200 && !wasProbe) next = MIN_POLL_MS;
    } catch {
      if (this.stopped) return;
      this.setReachable(false);
      next = this.retryDelay();
    } finally {
      this.o.clearTimeout(abortTimer);
      this.controller = undefined;
    }
    this.schedule(next);
  }

  private setReachable(reachable: boolean): void {
    if (reachable === this.reachable) return;
    this.reachable = reachable;
    this.o.onReachable(reachable);
  }
}
