import { parseIceAnswer, type OperatorIceServer } from '../core/ice-answer.js';
import { rtcConfiguration, type ResourceSettings } from './governor.js';

export interface OperatorIceOptions {
  /** The server's base URL; `/api/ice` is asked on it (a site page's own origin). */
  server: string;
  /** Called when the first answer is in (or failed) and after each refresh. */
  changed: () => void;
  warn?: (message: string) => void;
  fetch?: typeof fetch;
  /** How long the first answer may take before peers go on without it. */
  timeoutMs?: number;
  /** After failed fetches, try again 5 s later, then twice as long each time, up to this. */
  retryMs?: number;
  now?: () => number;
}

/**
 * The operator's STUN and TURN servers for one engine, from `GET /api/ice`, asked only
 * once peers are to be used (never in "origin only", never before the visitor's choice
 * is known) and asked again before the TURN credentials expire, so a page open for hours
 * still gets relayed connections.
 *
 * `configFor` hands out one RTCConfiguration object and refreshes it in place: WebTorrent
 * passes that very object to every peer connection it makes later (bittorrent-tracker's
 * `_createPeer`), so new connections get new credentials while running ones are left
 * alone, and the swarm, which sees the same configuration, does not restart its torrents.
 */
export class OperatorIce {
  private servers?: OperatorIceServer[];
  private asking?: Promise<void>;
  private timer?: ReturnType<typeof setTimeout>;
  private live?: { key: string; settings: ResourceSettings; config: RTCConfiguration };
  private destroyed = false;
  private failures = 0;
  private readonly options: Required<Omit<OperatorIceOptions, 'warn'>> & Pick<OperatorIceOptions, 'warn'>;

  constructor(options: OperatorIceOptions) {
    this.options = { fetch: (...a) => fetch(...a), timeoutMs: 5000, retryMs: 60_000, now: () => Date.now(), ...options };
  }

  /**
   * The WebRTC configuration for these settings with the operator's servers, or undefined
   * while the first answer is awaited (the caller keeps peers off and is called back
   * through `changed`). The same object is returned while the settings say the same.
   */
  configFor(settings: ResourceSettings): RTCConfiguration | undefined {
    if (!this.servers) {
      this.ask();
      return undefined;
    }
    const config = rtcConfiguration(settings, this.servers);
    const key = JSON.stringify([settings.iceServers, settings.relayOnly]);
    if (this.live?.key !== key) this.live = { key, settings, config };
    return this.live.config;
  }

  private ask(): void {
    if (this.asking || this.destroyed) return;
    this.asking = this.fetchAnswer().finally(() => (this.asking = undefined));
  }

  private async fetchAnswer(): Promise<void> {
    let next: OperatorIceServer[] | undefined;
    let expiresAt: number | null = null;
    try {
      const response = await this.options.fetch(new URL('/api/ice', this.options.server).href, { cache: 'no-store', credentials: 'omit', signal: AbortSignal.timeout(this.options.timeoutMs) });
      // An older server has no /api/ice: no operator servers, as before.
      if (response.status === 404) next = [];
      else if (response.ok) {
        const answer = parseIceAnswer(await response.json().catch(() => undefined), this.options.now());
        if (answer) ({ iceServers: next, expiresAt } = answer);
        else this.options.warn?.('ignored the server\'s ICE servers: the answer of /api/ice is not valid');
      }
    } catch {
      // Unreachable or too slow: go on without the operator's servers, and ask again later.
    }
    if (this.destroyed) return;
    const first = !this.servers;
    if (next) this.servers = next;
    else this.servers ??= [];
    const now = this.options.now();
    // Four fifths into the credentials' life, so a slow answer still arrives in time.
    // A server that was down (restarting) is asked again soon: relay-only has no relay until then.
    this.failures = next ? 0 : this.failures + 1;
    const delay = next ? (expiresAt === null ? undefined : Math.max(10_000, (expiresAt - now) * 0.8)) : Math.min(this.options.retryMs, 5000 * 2 ** (this.failures - 1));
    clearTimeout(this.timer);
    if (delay !== undefined) this.timer = setTimeout(() => this.ask(), delay);
    if (!first && this.live) Object.assign(this.live.config, rtcConfiguration(this.live.settings, this.servers));
    this.options.changed();
  }

  destroy(): void {
    this.destroyed = true;
    clearTimeout(this.timer);
  }
}
