import { describe, expect, it } from 'vitest';
import { addressFromPublicKey, generateKeyPair, type KeyPair, type Manifest } from '../../src/core/index.js';
import { failureOf, PublishError } from '../../src/ui/publish-error.js';
import { planPublish } from '../../src/ui/publish-plan.js';
import { runPublish, type PublishRunDeps } from '../../src/ui/publish-run.js';
import type { PublishProgress } from '../../src/ui/publish.js';

const page = (path: string, text: string) => ({ path, size: new TextEncoder().encode(text).length, blob: new Blob([text]) });
const plan = planPublish([page('site/index.html', '<title>My  site</title><h1>hi</h1>')]);

/** keys-store and seeding in memory; publishSite reports one step and answers, or throws `fail`. */
function fakes(options: { fail?: Error; refuseStorage?: Error; keys?: KeyPair[] } = {}) {
  const keys = new Map<string, { key: KeyPair; title?: string }>(options.keys?.map((key) => [addressFromPublicKey(key.publicKey), { key }]));
  const seeded: Manifest[] = [];
  const calls: { key: KeyPair; newKey?: boolean; keysWhenSent: number }[] = [];
  const deps: PublishRunDeps = {
    loadKey: async (address) => keys.get(address)?.key,
    saveKey: async (key) => {
      if (options.refuseStorage) throw options.refuseStorage;
      const address = addressFromPublicKey(key.publicKey);
      keys.set(address, { key });
      return address;
    },
    deleteKey: async (address) => void keys.delete(address),
    setKeyTitle: async (address, title) => void (keys.get(address)!.title = title),
    publishSite: async ({ key, newKey, progress }) => {
      calls.push({ key, newKey, keysWhenSent: keys.size });
      progress({ step: 'done', files: 1, filesTotal: 1, bytes: 1, bytesTotal: 1 });
      if (options.fail) throw options.fail;
      const manifest = { address: addressFromPublicKey(key.publicKey), seq: keys.size } as Manifest;
      return { manifest, swarm: {}, transfer: {} } as Awaited<ReturnType<PublishRunDeps['publishSite']>>;
    },
    swarmOptions: async () => ({ usePeers: false }),
    seed: (site) => void seeded.push(site.manifest),
  };
  return { deps, keys, seeded, calls };
}

describe('runPublish', () => {
  it('a new site: the key is stored before anything is sent, then seeded and named after the start page', async () => {
    const { deps, keys, seeded, calls } = fakes();
    const reports: PublishProgress[] = [];
    const manifest = await runPublish({ plan, target: '', server: 'http://127.0.0.1', progress: (p) => reports.push(p) }, deps);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.newKey).toBe(true);
    expect(calls[0]!.keysWhenSent).toBe(1);
    expect([...keys.keys()]).toEqual([manifest.address]);
    expect(keys.get(manifest.address)!.title).toBe('My site');
    expect(seeded).toEqual([manifest]);
    expect(reports.map((r) => r.step)).toEqual(['done']);
  });

  it('a new version: signed with our stored key, and no key is made', async () => {
    const key = await generateKeyPair();
    const address = addressFromPublicKey(key.publicKey);
    const { deps, keys, calls } = fakes({ keys: [key] });
    const manifest = await runPublish({ plan, target: address, server: 'http://127.0.0.1', progress: () => undefined }, deps);
    expect(manifest.address).toBe(address);
    expect(calls[0]!.key).toBe(key);
    expect(calls[0]!.newKey).toBe(false);
    expect(keys.size).toBe(1);
  });

  it('a failed first publish leaves no key behind, and its error goes to the caller as it was', async () => {
    const refusal = new PublishError('E_HTTP_503', 'busy', { status: 503, fromServer: true });
    const { deps, keys, seeded, calls } = fakes({ fail: refusal });
    await expect(runPublish({ plan, target: '', server: 'http://127.0.0.1', progress: () => undefined }, deps)).rejects.toBe(refusal);
    expect(calls).toHaveLength(1);
    expect(keys.size).toBe(0);
    expect(seeded).toEqual([]);
  });

  it('a failed new version keeps the site’s key', async () => {
    const key = await generateKeyPair();
    const { deps, keys } = fakes({ fail: new PublishError('E_SERVER_DOWN', 'no answer'), keys: [key] });
    await expect(runPublish({ plan, target: addressFromPublicKey(key.publicKey), server: 'http://127.0.0.1', progress: () => undefined }, deps)).rejects.toMatchObject({ code: 'E_SERVER_DOWN' });
    expect(keys.size).toBe(1);
  });

  it('E_NO_KEY when this browser has no key for the site, before anything is sent', async () => {
    const { deps, calls } = fakes();
    const other = addressFromPublicKey((await generateKeyPair()).publicKey);
    await expect(runPublish({ plan, target: other, server: 'http://127.0.0.1', progress: () => undefined }, deps)).rejects.toMatchObject({ code: 'E_NO_KEY' });
    expect(calls).toEqual([]);
  });

  it('E_STORAGE_REFUSED, with the browser’s reason, when the new key cannot be stored; nothing is sent', async () => {
    const { deps, calls } = fakes({ refuseStorage: new DOMException('full', 'QuotaExceededError') });
    const err = await runPublish({ plan, target: '', server: 'http://127.0.0.1', progress: () => undefined }, deps).catch((e: unknown) => e);
    expect(failureOf(err)).toMatchObject({ code: 'E_STORAGE_REFUSED', detail: 'QuotaExceededError' });
    expect(calls).toEqual([]);
    const other = fakes({ refuseStorage: new TypeError('no') });
    const err2 = await runPublish({ plan, target: '', server: 'http://127.0.0.1', progress: () => undefined }, other.deps).catch((e: unknown) => e);
    expect(failureOf(err2)).toMatchObject({ code: 'E_STORAGE_REFUSED', detail: 'the key could not be stored' });
  });

  it('no title from a start page over 1 MiB or without a <title>', async () => {
    for (const files of [[page('index.html', `<title>Big</title>${' '.repeat(1024 * 1024)}`)], [page('index.html', '<h1>untitled</h1>')]]) {
      const { deps, keys } = fakes();
      const manifest = await runPublish({ plan: planPublish(files), target: '', server: 'http://127.0.0.1', progress: () => undefined }, deps);
      expect(keys.get(manifest.address)!.title).toBeUndefined();
    }
  });
});
