import { ENGINE_EXPIRY_MS, ENGINES_CHANNEL, parseEngineBeat, type EngineBeat } from '../bridge/frame-messages.js';

/**
 * The site and loader engines running in this browser, as an app-origin hub hears
 * them on ENGINES_CHANNEL, and this hub's engine's place among them.
 *
 * The rank (which engines may seed under "sites shared at once") is among all running
 * engines, never only the seeding ones: otherwise an engine that stops seeding would
 * change the ranks that made it stop, and the engines would flip each other on and off
 * without end.
 */
export class EngineRoster {
  private readonly seen = new Map<string, { at: number; since: number; seeding: boolean }>();
  private readonly channel = new BroadcastChannel(ENGINES_CHANNEL);
  private self = '';
  private last = '';

  /** `onCount` hears how many engines seed now and this engine's rank, when either changes. */
  constructor(private readonly onCount: (active: number, rank: number) => void) {
    this.channel.onmessage = (event: MessageEvent<unknown>) => {
      const beat = parseEngineBeat(event.data);
      if (beat) this.note(beat);
    };
  }

  /** This hub's own engine beat: counted here, and told to the others (a channel does not deliver to its sender). */
  own(beat: EngineBeat): void {
    this.self = beat.address;
    this.note(beat);
    this.channel.postMessage(beat);
  }

  private note(m: EngineBeat): void {
    if (m.gone) this.seen.delete(m.address);
    else this.seen.set(m.address, { at: Date.now(), since: m.since, seeding: m.seeding });
    const now = Date.now();
    for (const [key, e] of this.seen) if (now - e.at > ENGINE_EXPIRY_MS) this.seen.delete(key);
    const order = [...this.seen.entries()].sort((a, b) => b[1].since - a[1].since).map(([key]) => key);
    const active = Math.max(1, [...this.seen.values()].filter((e) => e.seeding).length);
    const rank = Math.max(0, order.indexOf(this.self));
    if (`${active}:${rank}` !== this.last) {
      this.last = `${active}:${rank}`;
      this.onCount(active, rank);
    }
  }
}
