import { generateKeyPair, type KeyPair, type Manifest } from '../core/index.js';
import { pageTitle } from './page-title.js';
import { PublishError } from './publish-error.js';
import type { ProgressFn, publishSite } from './publish.js';
import type { PublishPlan } from './publish-plan.js';
import type { SeededSite } from './seeding.js';

/** The browser parts a publish uses, passed in so the flow runs in Node against fakes. */
export interface PublishRunDeps {
  /** keys-store's loadKey, saveKey, deleteKey and setKeyTitle. */
  loadKey(address: string): Promise<KeyPair | undefined>;
  saveKey(key: KeyPair): Promise<string>;
  deleteKey(address: string): Promise<void>;
  setKeyTitle(address: string, title: string | undefined): Promise<void>;
  publishSite: typeof publishSite;
  /** The swarm options the visitor's settings allow now (publisherSwarmOptions). */
  swarmOptions(): Promise<Parameters<typeof publishSite>[0]['swarm']>;
  /** Keeps seeding the published version from this tab (seeding.add). */
  seed(site: SeededSite): void;
}

export interface PublishRunOptions {
  plan: PublishPlan;
  /** '' for a new site (a new key is made and stored), else the address of one of ours. */
  target: string;
  server: string;
  progress: ProgressFn;
}

/** Start pages larger than this are not read for their title. */
const TITLE_MAX_BYTES = 1024 * 1024;

/** The start page's <title>, kept beside the key so the lists can name the site. */
async function entryTitle(plan: PublishPlan): Promise<string | undefined> {
  const entry = plan.files.find((f) => f.path === plan.entry);
  if (!entry?.blob || entry.size > TITLE_MAX_BYTES) return undefined;
  return pageTitle(await entry.blob.text().catch(() => ''));
}

/**
 * Publishes a plan as a new site or a new version of one of ours, seeds it from this tab
 * and names its key after the start page's title.
 * @throws {PublishError} E_NO_KEY (no key for `target` here), E_STORAGE_REFUSED (a new
 * key could not be stored), or whatever `publishSite` throws
 */
export async function runPublish(options: PublishRunOptions, deps: PublishRunDeps): Promise<Manifest> {
  const { plan, target, server } = options;
  let madeKey: string | undefined;
  try {
    const key = target ? await deps.loadKey(target) : await generateKeyPair();
    if (!key) throw new PublishError('E_NO_KEY', 'no key for this site in this browser');
    const title = await entryTitle(plan);
    if (!target) {
      // Stored before anything is sent, so a browser that refuses storage is told before
      // a site it could never update again goes out; removed again if the publish fails.
      try {
        madeKey = await deps.saveKey(key);
      } catch (err) {
        throw new PublishError('E_STORAGE_REFUSED', err instanceof DOMException ? err.name : 'the key could not be stored');
      }
    }
    const { manifest, swarm, transfer } = await deps.publishSite({ plan, key, server, newKey: !target, swarm: await deps.swarmOptions(), progress: options.progress });
    madeKey = undefined;
    deps.seed({ manifest, swarm, transfer });
    await deps.setKeyTitle(manifest.address, title).catch(() => undefined);
    return manifest;
  } catch (err) {
    // A failed first publish leaves no orphan key.
    if (madeKey) await deps.deleteKey(madeKey).catch(() => undefined);
    throw err;
  }
}
