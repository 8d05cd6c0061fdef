import { createStore, get, set, type UseStore } from 'idb-keyval';
import { normaliseSettings, type ResourceSettings } from '../swarm/governor.js';
import { canonicalAppOrigin, HEARTBEAT_MS, type FrameMessage, type HeartbeatMessage } from '../settings/messages.js';
import { LOADER_FRAME_PATH, LOADER_SETTING_KEYS, type LoaderHello, type LoaderSettingsMessage } from '../settings/loader-messages.js';

/**
 * The loader's view of the visitor's settings: asks the app-origin loader frame, keeps
 * a copy in the host origin's `p2p-loader-settings` database (so "origin only" holds on
 * the next visit even when the app is closed), and reports changes.
 */
export interface LoaderSettingsSnapshot {
  settings: ResourceSettings;
  /** Engines seeding in this browser now, to split the caps. */
  activeEngines: number;
  seedRank: number;
}

let copyStore: UseStore | undefined;
const localCopyStore = () => (copyStore ??= createStore('p2p-loader-settings', 'settings'));

/** Only the fields a loader may get; anything else from a damaged copy is dropped. */
function clean(input: Partial<ResourceSettings> | undefined): ResourceSettings {
  const picked: Record<string, unknown> = {};
  for (const key of LOADER_SETTING_KEYS) if (input && key in input) picked[key] = input[key];
  return normaliseSettings(picked as Partial<ResourceSettings>);
}

export class LoaderSettingsClient {
  readonly snapshot: LoaderSettingsSnapshot = { settings: normaliseSettings(undefined), activeEngines: 1, seedRank: 0 };
  private readonly frame: HTMLIFrameElement;
  private readonly appOrigin: string;
  private readonly since = Date.now();
  private readonly localCopy: Promise<boolean>;
  private heartbeat?: ReturnType<typeof setInterval>;
  private seeding = false;
  private gotFromFrame!: () => void;
  private readonly fromFrame = new Promise<void>((resolve) => (this.gotFromFrame = resolve));
  private readonly onMessage = (event: MessageEvent<FrameMessage | LoaderSettingsMessage>) => this.onFrameMessage(event);

  constructor(
    server: string,
    private readonly address: string,
    private readonly onChange: (snapshot: LoaderSettingsSnapshot) => void,
  ) {
    this.appOrigin = canonicalAppOrigin(server);
    this.localCopy = get<Partial<ResourceSettings>>('copy', localCopyStore()).then(
      (copy) => {
        if (!copy) return false;
        this.snapshot.settings = clean(copy);
        return true;
      },
      () => false, // No storage on this host page, or a damaged copy: the frame or the defaults.
    );
    this.frame = document.createElement('iframe');
    this.frame.src = `${this.appOrigin}${LOADER_FRAME_PATH}`;
    this.frame.hidden = true;
    this.frame.setAttribute('aria-hidden', 'true');
    this.frame.tabIndex = -1;
    this.frame.addEventListener('load', () => this.toFrame({ type: 'p2p-loader-hello' }));
    window.addEventListener('message', this.onMessage);
    document.documentElement.append(this.frame);
  }

  /**
   * The settings to start with: the host origin's copy when there is one (newer ones are
   * applied as they arrive), else whatever the frame answers within `timeoutMs`, else
   * the defaults. Never waits longer than `timeoutMs`.
   */
  async load(timeoutMs = 500): Promise<LoaderSettingsSnapshot> {
    const timeout = new Promise((r) => setTimeout(r, timeoutMs));
    const hasCopy = await Promise.race([this.localCopy, timeout.then(() => false)]);
    if (!hasCopy) await Promise.race([this.fromFrame, timeout]);
    return { ...this.snapshot };
  }

  private onFrameMessage(event: MessageEvent<FrameMessage | LoaderSettingsMessage>): void {
    if (event.origin !== this.appOrigin || event.source !== this.frame.contentWindow) return;
    const m = event.data;
    if (m?.type === 'p2p-loader-settings') {
      let settings: ResourceSettings;
      try {
        settings = clean(m.settings);
      } catch (err) {
        console.warn('[p2p] ignored invalid settings from the app', err);
        return;
      }
      this.gotFromFrame();
      if (settings.updatedAt <= this.snapshot.settings.updatedAt) return;
      this.snapshot.settings = settings;
      void set('copy', m.settings, localCopyStore()).catch((err: unknown) => console.warn('[p2p] could not keep a copy of the settings', err));
    } else if (m?.type === 'p2p-engines' && Number.isInteger(m.active) && Number.isInteger(m.rank)) {
      this.snapshot.activeEngines = Math.max(1, m.active);
      this.snapshot.seedRank = Math.max(0, m.rank);
    } else return;
    this.onChange({ ...this.snapshot });
  }

  /** Tells the other engines of this browser whether this one seeds, now and every few seconds. */
  setSeeding(seeding: boolean): void {
    if (seeding === this.seeding && this.heartbeat) return;
    this.seeding = seeding;
    this.beat();
    this.heartbeat ??= setInterval(() => this.beat(), HEARTBEAT_MS);
  }

  private beat(gone = false): void {
    this.toFrame({ type: 'p2p-heartbeat', address: this.address, seeding: this.seeding, since: this.since, gone });
  }

  private toFrame(message: LoaderHello | HeartbeatMessage): void {
    this.frame.contentWindow?.postMessage(message, this.appOrigin);
  }

  destroy(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.beat(true);
    window.removeEventListener('message', this.onMessage);
    this.frame.remove();
  }
}
