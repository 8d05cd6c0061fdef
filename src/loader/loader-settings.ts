import { normaliseSettings } from '../swarm/governor.js';
import { acceptableSettings, LOADER_HUB_PATH, loaderPart } from '../bridge/frame-messages.js';
import { canonicalAppOrigin } from '../core/origins.js';
import { SettingsClient, type CopyRule, type SettingsSnapshot } from '../settings/settings-client.js';

/**
 * The loader's view of the visitor's settings: the site pages' client (settings-client.ts)
 * with the loader's hub and copy. The copy lives in the host origin's
 * `p2p-loader-settings` database (so "origin only" holds on the next visit even when the
 * app is closed) and holds only the loader's part; the choice is known by the same rule
 * as a site page's (known-choice.ts).
 *
 * The hub may live in a partitioned third-party context, where it reads an empty
 * storage and answers "nothing saved": that is an answer (the defaults), as on a site.
 */
export type LoaderSettingsSnapshot = SettingsSnapshot;

/** Only the loader's fields are kept; relay-only is safe too, since a loader gets no TURN credentials and opens no peer connection then. */
export const LOADER_COPY: CopyRule = {
  database: 'p2p-loader-settings',
  read: (input) => {
    const settings = acceptableSettings(input);
    return settings && normaliseSettings(loaderPart(settings));
  },
  safe: (s) => s.sharing === 'origin-only' || s.relayOnly,
};

export class LoaderSettingsClient extends SettingsClient {
  constructor(server: string, address: string, onChange: (snapshot: LoaderSettingsSnapshot) => void) {
    super(address, onChange, { hubAt: { appOrigin: canonicalAppOrigin(server), path: LOADER_HUB_PATH }, copy: LOADER_COPY });
  }
}
