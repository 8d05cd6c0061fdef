import { createStore, get, update, type UseStore } from 'idb-keyval';
import { normaliseSettings, type ResourceSettings } from '../swarm/governor.js';
import { parseSettingsChannelMessage, SETTINGS_CHANNEL, type SettingsChannelMessage } from '../bridge/frame-messages.js';

/**
 * The visitor's resource and privacy settings in the app (on the app's origin). Saving
 * broadcasts them, so the settings frames in open site pages apply them at once; while
 * the app is open it also answers the frames' queries.
 */
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
    // Stored settings from an older or damaged version: the defaults, rather than none.
    console.warn('[p2p] stored settings were invalid; using defaults', err);
    return normaliseSettings(undefined);
  }
}

/**
 * The settings the visitor saved, or undefined when they never saved any (or what is
 * stored is damaged). Rejects when the browser denies this page storage.
 */
export async function loadSavedSettings(customStore = store()): Promise<ResourceSettings | undefined> {
  const saved = await get<Partial<ResourceSettings>>(KEY, customStore);
  if (!saved) return undefined;
  try {
    return normaliseSettings(saved);
  } catch {
    return undefined;
  }
}

/**
 * Saves settings and tells every open site page.
 * @throws {RangeError} from `normaliseSettings` when a value is out of range; nothing is saved then.
 */
export async function saveSettings(changes: Partial<ResourceSettings>, customStore = store()): Promise<ResourceSettings> {
  // Validated first (a RangeError says what is wrong), then merged in one transaction, so
  // two changes made at once (a field's blur and a checkbox) cannot overwrite each other.
  let next = normaliseSettings({ ...(await loadSettings(customStore)), ...changes, updatedAt: Date.now() });
  await update<ResourceSettings>(KEY, (held) => (next = normaliseSettings({ ...normaliseSettings(held), ...changes, updatedAt: next.updatedAt })), customStore);
  const channel = new BroadcastChannel(SETTINGS_CHANNEL);
  channel.postMessage({ type: 'settings', settings: next } satisfies SettingsChannelMessage);
  channel.close();
  return next;
}

/** While the app is open, answer site pages asking for the settings. Returns a stop function. */
export function answerSettingsQueries(customStore = store()): () => void {
  const channel = new BroadcastChannel(SETTINGS_CHANNEL);
  channel.onmessage = async (event: MessageEvent<unknown>) => {
    if (parseSettingsChannelMessage(event.data)?.type !== 'query') return;
    const settings = await get<Partial<ResourceSettings>>(KEY, customStore);
    // Only settings the visitor actually chose; pages already default the rest.
    if (settings) channel.postMessage({ type: 'settings', settings: normaliseSettings(settings) } satisfies SettingsChannelMessage);
  };
  return () => channel.close();
}
