import { normaliseSettings, type ResourceSettings } from '../swarm/governor.js';
import { appOriginOf, HEARTBEAT_MS, type FrameMessage, type HeartbeatMessage } from './messages.js';

/**
 * The site side of the settings frame: embeds the app's hidden settings page and
 * reports settings and the number of active engines to `onChange`. When the frame does
 * not answer in time (app origin unreachable, storage blocked), the defaults apply.
 */
export interface SettingsSnapshot {
  settings: ResourceSettings;
  activeEngines: number;
  /** This site's place among seeding sites, most recently opened first. */
  seedRank: number;
}

export class SettingsClient {
  readonly snapshot: SettingsSnapshot = { settings: normaliseSettings(undefined), activeEngines: 1, seedRank: 0 };
  private readonly since = Date.now();
  private readonly frame: HTMLIFrameElement;
  private readonly appOrigin = appOriginOf(location);
  private heartbeat?: ReturnType<typeof setInterval>;
  private seeding = false;
  private readonly ready: Promise<void>;

  constructor(
    private readonly address: string,
    private readonly onChange: (snapshot: SettingsSnapshot) => void,
  ) {
    this.frame = document.createElement('iframe');
    this.frame.src = `${this.appOrigin}/__p2p/settings.html`;
    this.frame.hidden = true;
    this.frame.setAttribute('aria-hidden', 'true');
    this.frame.tabIndex = -1;
    let gotSettings!: () => void;
    this.ready = new Promise((resolve) => (gotSettings = resolve));
    window.addEventListener('message', (event: MessageEvent<FrameMessage>) => {
      if (event.origin !== this.appOrigin || event.source !== this.frame.contentWindow) return;
      if (event.data?.type === 'p2p-settings') {
        try {
          this.snapshot.settings = normaliseSettings(event.data.settings);
        } catch (err) {
          console.warn('[p2p] settings from the app were invalid; keeping the current ones', err);
          return;
        }
        gotSettings();
      } else if (event.data?.type === 'p2p-engines' && Number.isInteger(event.data.active) && Number.isInteger(event.data.rank)) {
        this.snapshot.activeEngines = Math.max(1, event.data.active);
        this.snapshot.seedRank = Math.max(0, event.data.rank);
      } else return;
      this.onChange({ ...this.snapshot });
    });
    document.documentElement.append(this.frame);
  }

  /** Resolves with the settings once the frame answered, or the defaults after `timeoutMs`. */
  async load(timeoutMs = 1500): Promise<SettingsSnapshot> {
    await Promise.race([this.ready, new Promise((r) => setTimeout(r, timeoutMs))]);
    return { ...this.snapshot };
  }

  /** Tells other engines whether this one is seeding, now and every few seconds. */
  setSeeding(seeding: boolean): void {
    this.seeding = seeding;
    this.beat();
    this.heartbeat ??= setInterval(() => this.beat(), HEARTBEAT_MS);
  }

  private beat(): void {
    const message: HeartbeatMessage = { type: 'p2p-heartbeat', address: this.address, seeding: this.seeding, since: this.since };
    this.frame.contentWindow?.postMessage(message, this.appOrigin);
  }

  destroy(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.seeding = false;
    this.beat();
    this.frame.remove();
  }
}
