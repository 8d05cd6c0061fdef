import type { Manifest } from '../core/index.js';
import type { SiteSwarm, VersionTransfer } from '../swarm/site-swarm.js';

/** A site this tab seeds because it was published from here. */
export interface SeededSite {
  manifest: Manifest;
  swarm: SiteSwarm;
  transfer: VersionTransfer;
}

/**
 * The sites this tab seeds after publishing them, one swarm per address: publishing a
 * new version stops seeding the old one. Seeding lasts while the tab is open.
 */
export class Seeding extends EventTarget {
  private readonly sites = new Map<string, SeededSite>();

  add(site: SeededSite): void {
    const old = this.sites.get(site.manifest.address);
    this.sites.set(site.manifest.address, site);
    if (old && old.swarm !== site.swarm) void old.swarm.destroy();
    this.dispatchEvent(new Event('change'));
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
    this.dispatchEvent(new Event('change'));
  }
}

export const seeding = new Seeding();
