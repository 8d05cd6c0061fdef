import { createStore, get, set, type UseStore } from 'idb-keyval';
import { normaliseSettings, type ResourceSettings } from '../swarm/governor.js';
import { SETTINGS_CHANNEL } from './messages.js';

/** The visitor's resource and privacy settings, on the app's origin only. */
let defaultStore: UseStore | undefined;
function store(): UseStore {
  defaultStore ??= createStore('p2p-settings', 'settings');
  return defaultStore;
}

const KEY = 'resources';

export async function loadSettings(customStore = store()): Promise<ResourceSettings> {
  try {
    return normaliseSettings(await get<Partial<ResourceSettings>>(KEY, customStore));
  } catch (err) {
    // Stored settings from an older or damaged version: fall back to the defaults
    // rather than leave every site without settings.
    console.warn('[p2p] stored settings were invalid; using defaults', err);
    return normaliseSettings(undefined);
  }
}

/**
 * Saves settings and tells every open settings frame, so running engines apply them
 * at once ("stop sharing" takes effect within a second).
 * @throws {RangeError} from `normaliseSettings` when a value is out of range; nothing is saved then.
 */
export async function saveSettings(changes: Partial<ResourceSettings>, customStore = store()): Promise<ResourceSettings> {
  const next = normaliseSettings({ ...(await loadSettings(customStore)), ...changes });
  await set(KEY, next, customStore);
  const channel = new BroadcastChannel(SETTINGS_CHANNEL);
  channel.postMessage(next);
  channel.close();
  return next;
}
