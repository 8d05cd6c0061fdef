import { createStore, get, set, type UseStore } from 'idb-keyval';
import { normaliseSettings, type ResourceSettings } from '../swarm/governor.js';
import { acceptableSettings, appOriginOf, HEARTBEAT_MS, type FrameMessage, type HeartbeatMessage, type HelloMessage } from './messages.js';

/**
 * The site side of the settings frame: embeds the app's hidden relay page, keeps a
 * first-party copy of the newest settings seen, and reports settings and the number of
 * active engines to `onChange`.
 */
export interface SettingsSnapshot {
  settings: ResourceSettings;
  activeEngines: number;
  /** This site's place among seeding sites, most recently opened first. */
  seedRank: number;
}

let copyStore: UseStore | undefined;
function localCopyStore(): UseStore {
  copyStore ??= createStore('p2p-local-settings', 'settings');
  return copyStore;
}

export class SettingsClient {
  readonly snapshot: SettingsSnapshot = { settings: normaliseSettings(undefined), activeEngines: 1, seedRank: 0 };
  private readonly frame: HTMLIFrameElement;
  private readonly appOrigin = appOriginOf(location);
  private readonly since = Date.now();
  private heartbeat?: ReturnType<typeof setInterval>;
  private seeding = false;
  private readonly localCopy: Promise<ResourceSettings | undefined>;
  private gotFromFrame!: () => void;
  private readonly fromFrame = new Promise<void>((resolve) => (this.gotFromFrame = resolve));

  constructor(
    private readonly address: string,
    private readonly onChange: (snapshot: SettingsSnapshot) => void,
  ) {
    this.localCopy = get<ResourceSettings>('copy', localCopyStore()).then(
      (copy) => {
        if (!copy) return undefined;
        // A damaged copy, or one dated in the future: newer settings or the defaults replace it.
        const settings = acceptableSettings(copy);
        return settings ? (this.snapshot.settings = settings) : undefined;
      },
      () => undefined,
    );
    this.frame = document.createElement('iframe');
    this.frame.src = `${this.appOrigin}/__p2p/settings.html`;
    this.frame.hidden = true;
    this.frame.setAttribute('aria-hidden', 'true');
    this.frame.tabIndex = -1;
    this.frame.addEventListener('load', () => {
      this.toFrame({ type: 'p2p-hello' });
    });
    window.addEventListener('message', (event: MessageEvent<FrameMessage>) => this.onFrameMessage(event));
    document.documentElement.append(this.frame);
  }

  private onFrameMessage(event: MessageEvent<FrameMessage>): void {
    if (event.origin !== this.appOrigin || event.source !== this.frame.contentWindow) return;
    const m = event.data;
    if (m?.type === 'p2p-settings') {
      const settings = acceptableSettings(m.settings);
      if (!settings) {
        console.warn('[p2p] ignored invalid settings from the app');
        return;
      }
      // What the app's storage holds is the truth, even when this site's copy claims to
      // be newer; anything else must be newer than the copy.
      const same = settings.updatedAt === this.snapshot.settings.updatedAt;
      if (same || (!m.fromStorage && settings.updatedAt < this.snapshot.settings.updatedAt)) {
        if (same) this.gotFromFrame();
        return;
      }
      this.snapshot.settings = settings;
      void set('copy', settings, localCopyStore()).catch((err: unknown) => console.warn('[p2p] could not keep a copy of the settings', err));
      this.gotFromFrame();
    } else if (m?.type === 'p2p-settings-none') {
      this.gotFromFrame();
      return;
    } else if (m?.type === 'p2p-engines' && Number.isInteger(m.active) && Number.isInteger(m.rank)) {
      this.snapshot.activeEngines = Math.max(1, m.active);
      this.snapshot.seedRank = Math.max(0, m.rank);
    } else return;
    this.onChange({ ...this.snapshot });
  }

  /**
   * The settings to start with: this site's copy when it has one (newer ones are applied
   * when they arrive), otherwise whatever the app or another site answers within
   * `timeoutMs`, otherwise the defaults.
   */
  async load(timeoutMs = 400): Promise<SettingsSnapshot> {
    const copy = await this.localCopy;
    if (!copy) await Promise.race([this.fromFrame, new Promise((r) => setTimeout(r, timeoutMs))]);
    return { ...this.snapshot };
  }

  /** Tells other engines whether this one is seeding, now and every few seconds. */
  setSeeding(seeding: boolean): void {
    if (seeding === this.seeding && this.heartbeat) return;
    this.seeding = seeding;
    this.beat();
    this.heartbeat ??= setInterval(() => this.beat(), HEARTBEAT_MS);
  }

  private beat(gone = false): void {
    const message: HeartbeatMessage = { type: 'p2p-heartbeat', address: this.address, seeding: this.seeding, since: this.since, gone };
    this.toFrame(message);
  }

  private toFrame(message: HeartbeatMessage | HelloMessage): void {
    this.frame.contentWindow?.postMessage(message, this.appOrigin);
  }

  destroy(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.seeding = false;
    this.beat(true);
    this.frame.remove();
  }
}
