/**
 * When a page that asks an app-origin frame for the visitor's settings may act on them
 * (docs/ARCHITECTURE.md, "Settings across origins"). Peers wait for this, however long
 * it takes; nothing falls back to peers on a timer. The choice is known when:
 *
 * - the frame answered: settings, or "nothing was ever saved" (the defaults);
 * - the page's own copy says "origin only": the safe direction needs no confirmation;
 * - the frame is known to have failed: its document loaded but did not acknowledge the
 *   hello within `readyMs` (an error page: the server is down), or it said the browser
 *   denies it the app's storage. The page then falls back to its own copy, or with none
 *   stays origin only.
 *
 * A frame still loading is not a failure: the page keeps waiting, without peers.
 */
export type KnownBy = 'frame' | 'copy' | 'frame-failed';

/**
 * How long a loaded frame may take to acknowledge the hello. Its script ran before its
 * load event, so only a document that is not ours (an error page) takes longer.
 */
export const FRAME_READY_MS = 2000;

export class KnownChoice {
  /** Resolves once, with what made the choice known. */
  readonly known: Promise<KnownBy>;
  private by?: KnownBy;
  private heard = false;
  private timer?: ReturnType<typeof setTimeout>;
  private resolve!: (by: KnownBy) => void;

  constructor(private readonly onFailed: () => void, private readonly readyMs = FRAME_READY_MS) {
    this.known = new Promise((resolve) => (this.resolve = resolve));
  }

  get isKnown(): boolean {
    return this.by !== undefined;
  }

  /** The frame's document loaded and was sent the hello: it must acknowledge within `readyMs`. */
  frameLoaded(): void {
    if (this.heard || this.timer) return;
    this.timer = setTimeout(() => {
      if (!this.heard) this.failed();
    }, this.readyMs);
  }

  /** Any message from the frame: it runs, so a slow answer is waited for. */
  frameHeard(): void {
    this.heard = true;
    clearTimeout(this.timer);
  }

  /** The frame cannot answer: the page falls back (see `onFailed`), and the choice counts as known. */
  failed(): void {
    clearTimeout(this.timer);
    if (this.by) return;
    this.onFailed();
    this.settle('frame-failed');
  }

  /** Marks the choice known; true only the first time. */
  settle(by: KnownBy): boolean {
    if (this.by) return false;
    this.by = by;
    clearTimeout(this.timer);
    this.resolve(by);
    return true;
  }
}
