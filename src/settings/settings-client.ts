import { createStore, get, set, type UseStore } from 'idb-keyval';
import { normaliseSettings, type ResourceSettings } from '../swarm/governor.js';
import { acceptableSettings, appOriginOf, HEARTBEAT_MS, type FrameMessage, type HeartbeatMessage, type HelloMessage } from './messages.js';
import { KnownChoice, type KnownBy } from './known-choice.js';

/**
 * The site side of the settings frame: embeds the app's hidden relay page, keeps a
 * first-party copy of the newest settings seen, says when the visitor's choice is known
 * (`known`, see known-choice.ts) and reports every later change to `onChange`.
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

/** What a page falls back to when the frame failed and it has no copy: no peers at all. */
function originOnly(settings: ResourceSettings): ResourceSettings {
  // Dated 0, so any settings the app sends later replace it.
  return { ...settings, sharing: 'origin-only', updatedAt: 0 };
}

export class SettingsClient {
  readonly snapshot: SettingsSnapshot = { settings: normaliseSettings(undefined), activeEngines: 1, seedRank: 0 };
  /** Resolves once the visitor's choice is known, however late: no peer may be used before. */
  readonly known: Promise<SettingsSnapshot>;
  private readonly frame: HTMLIFrameElement;
  private readonly appOrigin = appOriginOf(location);
  private readonly since = Date.now();
  private heartbeat?: ReturnType<typeof setInterval>;
  private seeding = false;
  private copy?: ResourceSettings;
  /** The snapshot holds `originOnly(…)` because the frame failed, not anyone's choice. */
  private fallback = false;
  private readonly choice = new KnownChoice(() => {
    this.fallback = !this.copy;
    if (!this.copy) this.snapshot.settings = originOnly(this.snapshot.settings);
  });
  private readonly localCopy: Promise<void>;

  /**
   * `frame: false` when the page's own Content-Security-Policy would block the app's frame
   * (src/site/page-policy.ts): none is made, and the choice falls back at once as for a
   * frame that failed (this site's copy, else "origin only").
   */
  constructor(
    private readonly address: string,
    private readonly onChange: (snapshot: SettingsSnapshot) => void,
    options: { frame?: boolean } = {},
  ) {
    this.known = this.choice.known.then(() => ({ ...this.snapshot }));
    this.localCopy = get<ResourceSettings>('copy', localCopyStore()).then(
      (copy) => {
        // A damaged copy, or one dated in the future: newer settings or the defaults replace it.
        const settings = copy && acceptableSettings(copy);
        if (!settings || this.choice.isKnown) return;
        this.copy = this.snapshot.settings = settings;
        // The safe direction needs no confirmation; a copy allowing peers waits for the frame.
        if (settings.sharing === 'origin-only') this.choice.settle('copy');
      },
      () => undefined,
    );
    this.frame = document.createElement('iframe');
    if (options.frame === false) {
      void this.localCopy.then(() => this.choice.failed());
      return;
    }
    this.frame.src = `${this.appOrigin}/__p2p/settings.html`;
    this.frame.hidden = true;
    this.frame.setAttribute('aria-hidden', 'true');
    this.frame.tabIndex = -1;
    this.frame.addEventListener('load', () => {
      this.toFrame({ type: 'p2p-hello' });
      // Counted once the copy is read, so a failed frame falls back to it.
      void this.localCopy.then(() => this.choice.frameLoaded());
    });
    window.addEventListener('message', (event: MessageEvent<FrameMessage>) => {
      if (event.origin !== this.appOrigin || event.source !== this.frame.contentWindow) return;
      this.choice.frameHeard();
      // After the copy is read, so an answer is never overwritten by an older copy.
      void this.localCopy.then(() => this.onFrameMessage(event.data));
    });
    document.documentElement.append(this.frame);
  }

  private onFrameMessage(m: FrameMessage): void {
    if (m?.type === 'p2p-settings') {
      const settings = acceptableSettings(m.settings);
      if (!settings) {
        console.warn('[p2p] ignored invalid settings from the app');
        return;
      }
      // What the app's storage holds is the truth, even when this site's copy claims to
      // be newer; anything else must be newer than the copy.
      const current = this.snapshot.settings.updatedAt;
      const same = !this.fallback && settings.updatedAt === current;
      if (same || (!this.fallback && !m.fromStorage && settings.updatedAt < current)) return this.answered(false);
      this.snapshot.settings = settings;
      this.fallback = false;
      void set('copy', settings, localCopyStore()).catch((err: unknown) => console.warn('[p2p] could not keep a copy of the settings', err));
      this.answered(true);
    } else if (m?.type === 'p2p-settings-none') {
      // Nothing was ever saved: the defaults, or the copy of what the app said before.
      const changed = this.fallback;
      if (this.fallback) this.snapshot.settings = this.copy ?? normaliseSettings(undefined);
      this.fallback = false;
      this.answered(changed);
    } else if (m?.type === 'p2p-settings-unavailable') {
      this.choice.failed();
    } else if (m?.type === 'p2p-engines' && Number.isInteger(m.active) && Number.isInteger(m.rank)) {
      this.snapshot.activeEngines = Math.max(1, m.active);
      this.snapshot.seedRank = Math.max(0, m.rank);
      if (this.choice.isKnown) this.onChange({ ...this.snapshot });
    }
  }

  /** The frame said which settings hold: the first answer makes the choice known, later ones are changes. */
  private answered(changed: boolean): void {
    if (!this.choice.settle('frame') && changed) this.onChange({ ...this.snapshot });
  }

  /** How the choice became known, once it is (for tests and the status view). */
  get knownBy(): Promise<KnownBy> {
    return this.choice.known;
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
    try {
      this.frame.contentWindow?.postMessage(message, this.appOrigin);
    } catch (err) {
      // The frame shows the browser's error page (the server is down): Firefox throws where
      // Chromium drops the message. The frame counts as failed already (known-choice.ts).
      if (!this.choice.isKnown) console.info('[p2p] the settings frame cannot be reached', err);
    }
  }

  destroy(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.seeding = false;
    this.beat(true);
    this.frame.remove();
  }
}
