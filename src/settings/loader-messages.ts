import type { ResourceSettings } from '../swarm/governor.js';

/**
 * Messages between the embed loader's engine (on a host page, any origin) and the
 * loader frame, a hidden app-origin page (`/__p2p/loader-frame.html`) that answers with
 * the visitor's settings. Any page may embed that frame, so it hands out only what the
 * loader needs: never the ICE servers (TURN credentials) or the storage settings.
 */
export type LoaderSettings = Pick<ResourceSettings, 'sharing' | 'paused' | 'uploadLimit' | 'downloadLimit' | 'maxConnections' | 'maxSeededSites' | 'relayOnly' | 'updatedAt'>;

export const LOADER_SETTING_KEYS = ['sharing', 'paused', 'uploadLimit', 'downloadLimit', 'maxConnections', 'maxSeededSites', 'relayOnly', 'updatedAt'] as const;

/** The part of the settings a loader may see. */
export function loaderPart(settings: ResourceSettings): LoaderSettings {
  const out: Record<string, unknown> = {};
  for (const key of LOADER_SETTING_KEYS) out[key] = settings[key];
  return out as LoaderSettings;
}

/** Engine -> frame: sent once the frame has loaded. */
export interface LoaderHello {
  type: 'p2p-loader-hello';
}

/** Frame -> engine: the newest settings known (sent again whenever newer ones arrive). */
export interface LoaderSettingsMessage {
  type: 'p2p-loader-settings';
  settings: LoaderSettings;
}

export const LOADER_FRAME_PATH = '/__p2p/loader-frame.html';
