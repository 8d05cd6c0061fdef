import { HEARTBEAT_MS } from '../bridge/frame-messages.js';
import { EngineRoster } from '../settings/engine-roster.js';

/**
 * The publisher's tab among the engines that share the visitor's caps. Site pages and
 * loaders beat through their hub frame; this tab is on the app's origin, so it beats on
 * the engines channel itself and hears how many engines seed, its own seeding included.
 * Without it, a tab seeding what it published took the whole upload cap beside site
 * pages that took their shares of it.
 */
export class PublisherHeartbeat {
  /** One name per tab: two publishing tabs are two engines. */
  private readonly name = `publisher:${crypto.randomUUID()}`;
  private readonly since = Date.now();
  private seeding = false;
  private timer?: ReturnType<typeof setInterval>;
  private readonly roster: EngineRoster;
  // A page put in the back/forward cache is gone until shown again: its share goes back meanwhile.
  private readonly onPageHide = () => this.pause();
  private readonly onPageShow = () => this.seeding && this.resume();

  /** `onActive` hears how many engines seed now, whenever that changes. */
  constructor(onActive: (active: number) => void) {
    this.roster = new EngineRoster((active) => onActive(active));
    if (typeof addEventListener === 'function') {
      addEventListener('pagehide', this.onPageHide);
      addEventListener('pageshow', this.onPageShow);
    }
  }

  /** Tells the others at once when this tab starts or stops uploading, then every HEARTBEAT_MS while it does. */
  setSeeding(seeding: boolean): void {
    if (seeding === this.seeding) return;
    this.seeding = seeding;
    if (seeding) this.resume();
    else this.pause();
  }

  private resume(): void {
    this.beat(false);
    this.timer ??= setInterval(() => this.beat(false), HEARTBEAT_MS);
  }

  /** Not uploading (or the page is going): counted out at once, not after the beats expire. */
  private pause(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.beat(true);
  }

  private beat(gone: boolean): void {
    this.roster.own({ type: 'p2p-heartbeat', address: this.name, seeding: this.seeding, since: this.since, gone });
  }
}
