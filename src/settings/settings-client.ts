import { createStore, get, set, type UseStore } from 'idb-keyval';
import { normaliseSettings, type ResourceSettings } from '../swarm/governor.js';
import { acceptableSettings, HEARTBEAT_MS, HUB_PATH, type HubMessage } from '../bridge/frame-messages.js';
import { HubClient } from '../bridge/hub-client.js';
import { appOriginOf } from '../core/origins.js';
import { KnownChoice, type KnownBy } from './known-choice.js';

/**
 * A page's view of the visitor's settings, for site pages and the embed loader alike:
 * asks the app through the page's hub (hub-client.ts), keeps a first-party copy of the
 * newest settings seen, says when the visitor's choice is known (`known`, see
 * known-choice.ts) and reports every later change to `onChange`.
 */
export interface SettingsSnapshot {
  settings: ResourceSettings;
  activeEngines: number;
  /** This page's place among seeding engines, most recently opened first. */
  seedRank: number;
}

/** Where a page keeps its copy of the settings, what it may hold, and when it is safe enough to apply unconfirmed. */
export interface CopyRule {
  /** The IndexedDB database on the page's origin. */
  database: string;
  /** A copy or an answer made fit to keep, or undefined (damaged, dated ahead). */
  read(input: unknown): ResourceSettings | undefined;
  /** The safe direction: applies at once, without waiting for the hub. */
  safe(settings: ResourceSettings): boolean;
}

/** A site page's copy: every setting; "origin only" applies unconfirmed. */
export const SITE_COPY: CopyRule = { database: 'p2p-local-settings', read: (input) => acceptableSettings(input), safe: (s) => s.sharing === 'origin-only' };

export interface SettingsClientOptions {
  /**
   * False when the page's own Content-Security-Policy would block the app's frame
   * (src/core/page-policy.ts): none is made, and the choice falls back at once as for a
   * frame that failed (the page's copy, else "origin only"). Default true.
   */
  frame?: boolean;
  /** The page's hub, when the page shares it with its visit reports; `destroy` leaves it. */
  hub?: HubClient;
  /** Otherwise the client makes a hub of its own, removed by `destroy`: default the app of this site's origin, `HUB_PATH`. */
  hubAt?: { appOrigin: string; path: string };
  /** Default `SITE_COPY`. */
  copy?: CopyRule;
}

const stores = new Map<string, UseStore>();
const copyStore = (database: string) => stores.get(database) ?? stores.set(database, createStore(database, 'settings')).get(database)!;

/** What a page falls back to when the hub failed and it has no copy: no peers at all. */
function originOnly(settings: ResourceSettings): ResourceSettings {
  // Dated 0, so any settings the app sends later replace it.
  return { ...settings, sharing: 'origin-only', updatedAt: 0 };
}

export class SettingsClient {
  readonly snapshot: SettingsSnapshot = { settings: normaliseSettings(undefined), activeEngines: 1, seedRank: 0 };
  /** Resolves once the visitor's choice is known, however late: no peer may be used before. */
  readonly known: Promise<SettingsSnapshot>;
  private readonly hub?: HubClient;
  private readonly ownsHub: boolean;
  private readonly rule: CopyRule;
  private readonly since = Date.now();
  private heartbeat?: ReturnType<typeof setInterval>;
  private seeding = false;
  private copy?: ResourceSettings;
  /** The snapshot holds `originOnly(…)` because the hub failed, not anyone's choice. */
  private fallback = false;
  private readonly choice = new KnownChoice(() => {
    this.fallback = !this.copy;
    if (!this.copy) this.snapshot.settings = originOnly(this.snapshot.settings);
  });
  private readonly localCopy: Promise<void>;

  /** `_address`: the page's site. The hub names the engine from the page's origin itself, so it is not sent. */
  constructor(
    _address: string,
    private readonly onChange: (snapshot: SettingsSnapshot) => void,
    options: SettingsClientOptions = {},
  ) {
    this.rule = options.copy ?? SITE_COPY;
    this.known = this.choice.known.then(() => ({ ...this.snapshot }));
    this.localCopy = get<unknown>('copy', copyStore(this.rule.database)).then(
      (copy) => {
        // A damaged copy, or one dated in the future: newer settings or the defaults replace it.
        const settings = copy === undefined ? undefined : this.rule.read(copy);
        if (!settings || this.choice.isKnown) return;
        this.copy = this.snapshot.settings = settings;
        // The safe direction needs no confirmation; a copy allowing peers waits for the hub.
        if (this.rule.safe(settings)) this.choice.settle('copy');
      },
      () => undefined, // No storage on this origin: the hub decides.
    );
    this.ownsHub = !options.hub;
    if (options.frame === false) {
      void this.localCopy.then(() => this.choice.failed());
      return;
    }
    this.hub = options.hub ?? new HubClient(options.hubAt?.appOrigin ?? appOriginOf(location), options.hubAt?.path ?? HUB_PATH);
    // Counted once the copy is read, so a failed hub falls back to it.
    this.hub.onLoad(() => void this.localCopy.then(() => this.choice.frameLoaded()));
    this.hub.onMessage((m) => {
      this.choice.frameHeard();
      // After the copy is read, so an answer is never overwritten by an older copy.
      void this.localCopy.then(() => this.onHubMessage(m));
    });
  }

  /** Whether the choice is known yet (see `known`). */
  get isKnown(): boolean {
    return this.choice.isKnown;
  }

  /** How the choice became known, once it is (for tests and the status view). */
  get knownBy(): Promise<KnownBy> {
    return this.choice.known;
  }

  private onHubMessage(m: HubMessage): void {
    if (m.type === 'settings') {
      const settings = this.rule.read(m.settings);
      if (!settings) return;
      // What the app's storage holds is the truth, even when this page's copy claims to
      // be newer; anything else must be newer than the copy.
      const current = this.snapshot.settings.updatedAt;
      const same = !this.fallback && settings.updatedAt === current;
      if (same || (!this.fallback && !m.fromStorage && settings.updatedAt < current)) return this.answered(false);
      this.snapshot.settings = settings;
      this.fallback = false;
      void set('copy', settings, copyStore(this.rule.database)).catch((err: unknown) => console.warn('[p2p] could not keep a copy of the settings', err));
      this.answered(true);
    } else if (m.type === 'settings-none') {
      // Nothing was ever saved (or a partitioned storage): the defaults, unless this page already follows the app.
      const changed = this.fallback;
      if (this.fallback) this.snapshot.settings = normaliseSettings(undefined);
      this.fallback = false;
      this.answered(changed);
    } else if (m.type === 'settings-unavailable') {
      this.choice.failed();
    } else if (m.type === 'engines') {
      this.snapshot.activeEngines = m.active;
      this.snapshot.seedRank = m.rank;
      if (this.choice.isKnown) this.onChange({ ...this.snapshot });
    }
  }

  /** The hub said which settings hold: the first answer makes the choice known, later ones are changes. */
  private answered(changed: boolean): void {
    if (!this.choice.settle('frame') && changed) this.onChange({ ...this.snapshot });
  }

  /** Tells other engines whether this one is seeding, now and every few seconds. */
  setSeeding(seeding: boolean): void {
    if (seeding === this.seeding && this.heartbeat) return;
    this.seeding = seeding;
    this.beat();
    this.heartbeat ??= setInterval(() => this.beat(), HEARTBEAT_MS);
  }

  private beat(gone = false): void {
    this.hub?.send({ type: 'heartbeat', seeding: this.seeding, since: this.since, gone });
  }

  destroy(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.seeding = false;
    this.beat(true);
    if (this.ownsHub) this.hub?.destroy();
  }
}
