import { createStore, get, set, type UseStore } from 'idb-keyval';
import { normaliseSettings, type ResourceSettings } from '../swarm/governor.js';
import { canonicalAppOrigin, HEARTBEAT_MS, type FrameMessage, type HeartbeatMessage } from '../settings/messages.js';
import { LOADER_FRAME_PATH, LOADER_SETTING_KEYS, type LoaderHello, type LoaderSettingsMessage } from '../settings/loader-messages.js';
import { KnownChoice } from '../settings/known-choice.js';

/**
 * The loader's view of the visitor's settings: asks the app-origin loader frame, keeps
 * a copy in the host origin's `p2p-loader-settings` database (so "origin only" holds on
 * the next visit even when the app is closed), says when the visitor's choice is known
 * (the same rule as a site page's, known-choice.ts) and reports later changes.
 *
 * The frame may live in a partitioned third-party context, where it reads an empty
 * storage and answers "nothing saved": that is an answer (the defaults), as on a site.
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
  private readonly localCopy: Promise<void>;
  private copy?: ResourceSettings;
  /** Resolves once the visitor's choice is known, however late: no peer may be used before. */
  readonly known: Promise<LoaderSettingsSnapshot>;
  /** The snapshot holds a stand-in because the frame failed and there was no copy, not anyone's choice. */
  private fallback = false;
  private readonly choice = new KnownChoice(() => {
    // The frame cannot answer: the host origin's copy, or with none no peers at all
    // (dated 0, so any answer the frame still gives replaces it).
    this.fallback = !this.copy;
    this.snapshot.settings = this.copy ?? { ...this.snapshot.settings, sharing: 'origin-only', updatedAt: 0 };
  });
  private heartbeat?: ReturnType<typeof setInterval>;
  private seeding = false;
  private readonly onMessage = (event: MessageEvent<FrameMessage | LoaderSettingsMessage>) => this.onFrameMessage(event);

  constructor(
    server: string,
    private readonly address: string,
    private readonly onChange: (snapshot: LoaderSettingsSnapshot) => void,
  ) {
    this.appOrigin = canonicalAppOrigin(server);
    this.known = this.choice.known.then(() => ({ ...this.snapshot }));
    this.localCopy = get<Partial<ResourceSettings>>('copy', localCopyStore()).then(
      (copy) => {
        if (!copy || this.choice.isKnown) return;
        this.copy = this.snapshot.settings = clean(copy);
        // The safe direction (no peers for a loader) needs no confirmation.
        if (this.copy.sharing === 'origin-only' || this.copy.relayOnly) this.choice.settle('copy');
      },
      () => undefined, // No storage on this host page, or a damaged copy: the frame decides.
    );
    this.frame = document.createElement('iframe');
    this.frame.src = `${this.appOrigin}${LOADER_FRAME_PATH}`;
    this.frame.hidden = true;
    this.frame.setAttribute('aria-hidden', 'true');
    this.frame.tabIndex = -1;
    this.frame.addEventListener('load', () => {
      this.toFrame({ type: 'p2p-loader-hello' });
      void this.localCopy.then(() => this.choice.frameLoaded());
    });
    window.addEventListener('message', this.onMessage);
    document.documentElement.append(this.frame);
  }

  /** Whether the choice is known yet (see `known`). */
  get isKnown(): boolean {
    return this.choice.isKnown;
  }

  private onFrameMessage(event: MessageEvent<FrameMessage | LoaderSettingsMessage>): void {
    if (event.origin !== this.appOrigin || event.source !== this.frame.contentWindow) return;
    this.choice.frameHeard();
    // After the copy is read, so an answer is never overwritten by an older copy.
    void this.localCopy.then(() => this.apply(event.data));
  }

  private apply(m: FrameMessage | LoaderSettingsMessage): void {
    let changed = false;
    if (m?.type === 'p2p-settings-unavailable') {
      return this.choice.failed();
    } else if (m?.type === 'p2p-engines' && Number.isInteger(m.active) && Number.isInteger(m.rank)) {
      this.snapshot.activeEngines = Math.max(1, m.active);
      this.snapshot.seedRank = Math.max(0, m.rank);
      if (this.choice.isKnown) this.onChange({ ...this.snapshot });
      return;
    } else if (m?.type === 'p2p-settings-none') {
      // Nothing saved (or a partitioned storage): the defaults, or the copy of what the app said before.
      changed = this.fallback;
      if (this.fallback) this.snapshot.settings = normaliseSettings(undefined);
    } else if (m?.type === 'p2p-loader-settings') {
      let settings: ResourceSettings;
      try {
        settings = clean(m.settings);
      } catch (err) {
        console.warn('[p2p] ignored invalid settings from the app', err);
        return;
      }
      changed = this.fallback || settings.updatedAt > this.snapshot.settings.updatedAt;
      if (changed) {
        this.snapshot.settings = settings;
        void set('copy', m.settings, localCopyStore()).catch((err: unknown) => console.warn('[p2p] could not keep a copy of the settings', err));
      }
    } else return;
    this.fallback = false;
    // The first answer makes the choice known (`known`); later ones are changes.
    if (!this.choice.settle('frame') && changed) this.onChange({ ...this.snapshot });
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
