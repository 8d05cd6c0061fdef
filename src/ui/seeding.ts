import type { Manifest } from '../core/index.js';
import { parseSettingsChannelMessage, SETTINGS_CHANNEL } from '../bridge/frame-messages.js';
import { loadSettings } from '../settings/settings-store.js';
import { watchPageConditions } from '../site/page-conditions.js';
import { normaliseSettings, rtcConfiguration, sharingPlan, type Conditions, type ResourceSettings, type SharingDecision, type SharingPlan } from '../swarm/governor.js';
import type { SiteSwarm, SiteSwarmOptions, VersionTransfer } from '../swarm/site-swarm.js';
import { PublisherHeartbeat } from './publisher-heartbeat.js';

/** A site this tab seeds because it was published from here. */
export interface SeededSite {
  manifest: Manifest;
  swarm: SiteSwarm;
  transfer: VersionTransfer;
}

/** What a publisher's tab may do under the visitor's settings (the same governor as site pages). */
export function publisherSharing(settings: ResourceSettings, conditions: Partial<Conditions> = {}): SharingDecision {
  return publisherPlan(settings, conditions).decision;
}

/** `activeEngines`: the engines seeding in this browser now, this tab among them (publisher-heartbeat.ts). */
function publisherPlan(settings: ResourceSettings, conditions: Partial<Conditions>, activeEngines = 1): SharingPlan {
  return sharingPlan(settings, { hiddenForMs: 0, seedRank: 0, ...conditions }, activeEngines);
}

/** Swarm options for seeding from the publisher's tab under the visitor's settings. */
export function publisherSwarmOptions(settings: ResourceSettings, conditions: Partial<Conditions> = {}, activeEngines = 1): Pick<SiteSwarmOptions, 'usePeers' | 'upload' | 'uploadLimit' | 'downloadLimit' | 'maxConns' | 'rtcConfig'> {
  const { usePeers, upload, uploadLimit, downloadLimit, maxConns } = publisherPlan(settings, conditions, activeEngines);
  return { usePeers, upload, uploadLimit, downloadLimit, maxConns, rtcConfig: rtcConfiguration(settings) };
}

/**
 * The sites this tab seeds after publishing them, one swarm per address: publishing a
 * new version stops seeding the old one. Seeding lasts while the tab is open and follows
 * the visitor's settings like any site page: "stop sharing", "download only", the caps,
 * a hidden tab past the grace period; "origin only" ends it.
 */
export class Seeding extends EventTarget {
  private readonly sites = new Map<string, SeededSite>();
  private settings: ResourceSettings = normaliseSettings(undefined);
  private conditions: Partial<Conditions> = {};
  private following = false;
  /** Engines seeding in this browser, this tab counted once it seeds. */
  private activeEngines = 1;
  private heartbeat?: PublisherHeartbeat;

  /** The settings to publish with; starts following changes (other tabs, this one). */
  async currentSettings(): Promise<ResourceSettings> {
    this.follow();
    this.settings = await loadSettings();
    return this.settings;
  }

  /** Whether sites published now are shared with peers, and if not, why. */
  get sharing(): SharingDecision {
    return publisherSharing(this.settings, this.conditions);
  }

  private follow(): void {
    if (this.following) return;
    this.following = true;
    this.heartbeat = new PublisherHeartbeat((active) => {
      this.activeEngines = active;
      this.apply();
    });
    const channel = new BroadcastChannel(SETTINGS_CHANNEL);
    channel.onmessage = (event: MessageEvent<unknown>) => {
      const m = parseSettingsChannelMessage(event.data);
      // Hubs answer queries with what they hold, which may be older than what this tab read.
      if (m?.type !== 'settings' || m.settings.updatedAt <= this.settings.updatedAt) return;
      this.settings = m.settings;
      this.apply();
    };
    watchPageConditions(
      () => this.settings.hiddenGraceMs,
      (c) => {
        this.conditions = { ...this.conditions, ...c };
        this.apply();
      },
    );
  }

  private apply(): void {
    const options = publisherSwarmOptions(this.settings, this.conditions, this.activeEngines);
    this.heartbeat?.setSeeding(this.sites.size > 0 && options.upload === true);
    for (const site of this.all()) {
      if (!options.usePeers) {
        void this.stop(site.manifest.address);
        continue;
      }
      site.swarm.applyLimits({ upload: options.upload!, uploadLimit: options.uploadLimit!, downloadLimit: options.downloadLimit!, maxConns: options.maxConns! });
    }
    this.dispatchEvent(new Event('change'));
  }

  add(site: SeededSite): void {
    if (!this.sharing.usePeers) {
      // "Origin only": the site is on the server; this tab shares nothing.
      void site.swarm.destroy();
      return;
    }
    const old = this.sites.get(site.manifest.address);
    this.sites.set(site.manifest.address, site);
    if (old && old.swarm !== site.swarm) void old.swarm.destroy();
    // Counted among the seeding engines from now on; the caps are re-split (apply()).
    this.apply();
  }

  get(address: string): SeededSite | undefined {
    return this.sites.get(address);
  }

  all(): SeededSite[] {
    return [...this.sites.values()];
  }

  async stop(address: string): Promise<void> {
    const site = this.sites.get(address);
    if (!site) return;
    this.sites.delete(address);
    await site.swarm.destroy();
    this.apply();
  }
}

export const seeding = new Seeding();
