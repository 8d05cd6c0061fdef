import type { ReactiveController, ReactiveControllerHost } from 'lit';

/** Progress is shown at most this often: a render per file would slow a 10,000-file publish. */
export const PROGRESS_EVERY_MS = 100;

export interface ProgressThrottleOptions<T> {
  /** Shortest time between two renders of the host, in ms. Default PROGRESS_EVERY_MS. */
  everyMs?: number;
  /** Reports shown at once, without waiting (say, a new step). Default: none. */
  urgent?: (next: T, shown: T | undefined) => boolean;
}

/**
 * Keeps the newest of many progress reports and shows it (`shown`, with a host update)
 * at most every `everyMs`: the first report after a quiet spell waits that long, so a
 * burst costs one render. Its timer ends with the host's connection.
 */
export class ProgressThrottle<T> implements ReactiveController {
  /** The report the host renders. */
  shown?: T;
  private latest?: T;
  private timer?: ReturnType<typeof setTimeout>;
  private readonly everyMs: number;
  private readonly urgent: (next: T, shown: T | undefined) => boolean;

  constructor(
    private readonly host: ReactiveControllerHost,
    options: ProgressThrottleOptions<T> = {},
  ) {
    this.everyMs = options.everyMs ?? PROGRESS_EVERY_MS;
    this.urgent = options.urgent ?? (() => false);
    host.addController(this);
  }

  /** Takes a report; shows it now if urgent, else with the next tick. */
  push(next: T): void {
    this.latest = next;
    if (this.urgent(next, this.shown)) return this.flush();
    this.timer ??= setTimeout(() => this.flush(), this.everyMs);
  }

  /** Shows the newest report now. */
  flush(): void {
    this.cancel();
    this.show(this.latest);
  }

  /** Starts over: shows `first` now and forgets anything pending. */
  reset(first?: T): void {
    this.cancel();
    this.latest = undefined;
    this.show(first);
  }

  /** Stops a pending tick; what is shown stays. */
  cancel(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  hostDisconnected(): void {
    this.cancel();
  }

  private show(value: T | undefined): void {
    this.shown = value;
    this.host.requestUpdate();
  }
}
