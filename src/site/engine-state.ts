import type { Manifest } from '../core/index.js';
import type { Conditions, ResourceSettings, SharingDecision } from '../swarm/governor.js';
import type { SiteSwarmOptions } from '../swarm/site-swarm.js';
import type { TransferStats } from '../swarm/site-swarm.js';
import type { SiteErrorCode } from './errors.js';
import type { EngineDeps } from './engine-deps.js';

/** What a site engine reports and takes: its state, the settings snapshot, the page's conditions. */

/** The visitor's settings and how many site engines share the caps right now. */
export interface ResourceSnapshot {
  settings: ResourceSettings;
  activeEngines: number;
}

/** What the page knows about its circumstances: the governor's input, one type for both. */
export type PageConditions = Conditions;

export type EnginePhase = 'resolving' | 'fetching' | 'ready' | 'error' | 'denied';

/** A snapshot of what the engine is doing, for the loading page and the banner. */
export interface EngineState {
  address: string;
  phase: EnginePhase;
  /** The version being served or fetched for serving. */
  manifest?: Manifest;
  /** A newer version: fetched in the background, `updateReady` once all its files are stored. */
  pending?: Manifest;
  updateReady: boolean;
  /** True once the page the visitor opened (or the entry) is stored: large sites open then. */
  entryStored?: boolean;
  /** False when the server could not be reached: the shown version may not be the newest. */
  serverReachable?: boolean;
  stats?: TransferStats;
  /** Whether this browser shares the site now, and if not, why. */
  sharing?: SharingDecision;
  error?: { code: SiteErrorCode | string; message: string };
  warnings: string[];
}

export interface SiteEngineOptions {
  /** The path the visitor opened; its page (not only the entry) counts as `entryStored`. */
  openPath?: string;
  address: string;
  /** The server's base URL (API, tracker, origin seed). Defaults to this page's origin. */
  server?: string;
  /** Peers follow the visitor's settings only, so `usePeers` is not among these. */
  swarm?: Partial<Omit<SiteSwarmOptions, 'endpoints' | 'usePeers'>>;
  /** How long to wait for the server before relying on the cache and peers. */
  serverTimeoutMs?: number;
  /** How long a first visit waits for a peer to offer a manifest when the server is unreachable. */
  peerManifestWaitMs?: number;
  /**
   * Resolves with the visitor's settings once their choice is known, however late (see
   * known-choice.ts). Until then the engine fetches from the origin seed with no tracker
   * socket and no peer connection; later changes come through `updateResources`.
   */
  resources?: () => Promise<ResourceSnapshot>;
  /**
   * Join the swarm to seed the version once its files are stored (default true). The
   * boot page, which reloads into the site as soon as the files are in, says false: it
   * loads WebTorrent only when peers must send the files.
   */
  seed?: boolean;
  /**
   * Verify manifests on this thread rather than in a worker (default false). The boot
   * page says true: it shows nothing but a loading notice, so the first check's long
   * task (building ed25519's tables) costs less there than starting a worker.
   */
  verifyHere?: boolean;
  /** Stores, `fetch`, clock and service-worker channel; a site page's own by default (engine-deps.ts). */
  deps?: Partial<EngineDeps>;
}
