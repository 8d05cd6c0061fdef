import type { SiteSwarm, SiteSwarmOptions } from '../swarm/site-swarm.js';
import type { ManifestExchangeHooks } from '../swarm/manifest-exchange.js';
import { sharingPlan, type SharingDecision } from '../swarm/governor.js';
import { siteOrigin } from '../core/origins.js';
import { swarmEndpoints } from '../swarm/endpoints.js';
import { fetchExtraEndpoints, withExtraEndpoints } from '../swarm/extra-endpoints.js';
import { OperatorIce } from '../swarm/operator-ice.js';
import type { PageConditions, ResourceSnapshot } from './engine-state.js';

/** How long the swarm waits for the operator's extra trackers and mirrors before starting without them. */
const EXTRA_ENDPOINTS_WAIT_MS = 3000;

export interface EnginePeersOptions {
  address: string;
  server: string;
  /** For the operator's extra endpoints and STUN/TURN servers. */
  fetch: typeof fetch;
  swarm?: Partial<Omit<SiteSwarmOptions, 'endpoints' | 'usePeers'>>;
  /** Resolves with the visitor's settings once their choice is known (see known-choice.ts). */
  resources: () => Promise<ResourceSnapshot>;
  exchangeHooks: () => ManifestExchangeHooks;
  warn: (message: string) => void;
  /** The sharing decision changed. */
  changed: () => void;
}

/**
 * A site engine's side of the swarm: WebTorrent loaded only when peers or seeding are
 * needed, peers joined only once the visitor's settings allow them (a privacy choice holds
 * before the first packet), and the governor's decision applied as settings and page
 * conditions change.
 */
export class EnginePeers {
  swarm?: SiteSwarm;
  sharing?: SharingDecision;
  private starting?: Promise<SiteSwarm>;
  private resources?: ResourceSnapshot;
  private conditions: PageConditions = { hiddenForMs: 0, seedRank: 0 };
  /** The operator's STUN/TURN servers, asked for once peers are allowed. */
  ice?: OperatorIce;
  private knownResources?: Promise<ResourceSnapshot>;
  private destroyed = false;

  constructor(private readonly options: EnginePeersOptions) {}

  /** The visitor's settings, once known (asked once). */
  known(): Promise<ResourceSnapshot> {
    this.knownResources ??= this.options.resources().then((known) => {
      this.resources ??= known; // A change that came meanwhile is newer.
      return this.resources;
    });
    return this.knownResources;
  }

  /** Loads WebTorrent and starts the swarm with no peers; peers join when the settings allow. */
  start(): Promise<SiteSwarm> {
    this.starting ??= (async () => {
      // WebTorrent is loaded here rather than with the page's first script: evaluating its
      // bundle is the largest piece of start-up work, and on its own it is a shorter task.
      // The operator's extra trackers and mirrors come from the site's origin meanwhile.
      const { address, server } = this.options;
      const [{ SiteSwarm }, extra] = await Promise.all([import('../swarm/site-swarm.js'), fetchExtraEndpoints(siteOrigin(server, address), EXTRA_ENDPOINTS_WAIT_MS, this.options.fetch)]);
      // No peers before the visitor's choice is known: the origin seed starts at once, and
      // peers join the running transfers when the settings allow them.
      this.swarm = new SiteSwarm({ endpoints: withExtraEndpoints(swarmEndpoints(server, address), extra), warn: this.options.warn, ...this.options.swarm, usePeers: false });
      if (this.destroyed) void this.swarm.destroy();
      // Settings already known (they usually are by now): peers are on before the first
      // transfer starts, so it announces at once instead of being moved to a new torrent.
      if (this.resources) this.update();
      void this.known().then(() => this.update());
      return this.swarm;
    })();
    return this.starting;
  }

  /**
   * Starts loading the swarm without waiting for it. A page that navigates away meanwhile
   * cancels the import: that is a warning, never an unhandled rejection.
   */
  warm(): void {
    this.start().catch((err: unknown) => this.options.warn(`the peer engine did not load (${err instanceof Error ? err.message : String(err)})`));
  }

  get started(): boolean {
    return this.starting !== undefined;
  }

  /**
   * Applies new settings or page conditions at once. Peers join or leave without stopping
   * a transfer ("origin only" ends every peer connection); nothing opens before the
   * settings are known.
   */
  update(resources?: ResourceSnapshot, conditions?: Partial<PageConditions>): void {
    if (resources) this.resources = resources;
    if (conditions) this.conditions = { ...this.conditions, ...conditions };
    if (!this.resources || !this.swarm || this.destroyed) return;
    const { settings, activeEngines } = this.resources;
    const plan = sharingPlan(settings, this.conditions, activeEngines);
    this.sharing = plan.decision;
    // The operator's STUN/TURN servers are asked for only now that peers are allowed;
    // peers wait for that answer (the origin seed does not), then `changed` comes back here.
    this.ice ??= new OperatorIce({ server: this.options.server, fetch: this.options.fetch, warn: this.options.warn, changed: () => this.update() });
    const rtcConfig = plan.usePeers ? this.ice.configFor(settings) : undefined;
    this.swarm.setPeers(Boolean(rtcConfig), rtcConfig);
    if (rtcConfig) void this.swarm.joinDiscovery(this.options.address, this.options.exchangeHooks());
    this.swarm.applyLimits(plan);
    this.options.changed();
  }

  /** True while this engine is allowed to upload (for the other engines' cap shares). */
  get seeding(): boolean {
    return Boolean(this.swarm && this.sharing?.upload && !this.destroyed);
  }

  /** Others the tracker counts in the discovery swarm, once peers are allowed; 0 when none or not asked within `ms`. */
  async othersInDiscovery(ms: number): Promise<number> {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline && !this.destroyed) {
      if (this.sharing && !this.sharing.usePeers) return 0;
      const others = await this.swarm?.discoveryPeers(this.options.address, Math.min(250, deadline - Date.now()));
      if (others !== undefined) return others;
      if (!this.swarm?.usesPeers) await new Promise((r) => setTimeout(r, 100));
    }
    return 0;
  }

  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    this.ice?.destroy();
    await this.swarm?.destroy();
  }
}
