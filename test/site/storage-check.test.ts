import { describe, expect, test } from 'vitest';
import { registrationRefusal, storageRefusal } from '../../src/site/storage-check.js';

/** A browser scope with each part working unless replaced. */
function scope(parts: { serviceWorker?: unknown; BroadcastChannel?: unknown; indexedDB?: unknown } = {}): typeof globalThis {
  const request = () => {
    const r: { result: { close(): void }; onsuccess?: () => void; onerror?: () => void; onblocked?: () => void; error: null } = { result: { close() {} }, error: null };
    queueMicrotask(() => r.onsuccess?.());
    return r;
  };
  return {
    navigator: { serviceWorker: 'serviceWorker' in parts ? parts.serviceWorker : {} },
    BroadcastChannel: parts.BroadcastChannel ?? class { close() {} },
    indexedDB: 'indexedDB' in parts ? parts.indexedDB : { open: request },
  } as unknown as typeof globalThis;
}

const securityError = () => new DOMException('The operation is insecure.', 'SecurityError');

describe('storageRefusal', () => {
  test('all parts there: null', async () => {
    expect(await storageRefusal(scope())).toBeNull();
  });

  test('no service worker (a private window of some browsers): E_NO_SERVICE_WORKER', async () => {
    expect((await storageRefusal(scope({ serviceWorker: undefined })))?.code).toBe('E_NO_SERVICE_WORKER');
  });

  test('BroadcastChannel constructor throws SecurityError (Firefox, site data blocked): E_STORAGE_BLOCKED', async () => {
    const Refused = class {
      constructor() {
        throw securityError();
      }
    };
    const err = await storageRefusal(scope({ BroadcastChannel: Refused }));
    expect(err?.code).toBe('E_STORAGE_BLOCKED');
    expect(err?.message).toContain('SecurityError');
  });

  test('indexedDB.open throws, or its request fails: E_STORAGE_BLOCKED', async () => {
    expect((await storageRefusal(scope({ indexedDB: { open: () => { throw securityError(); } } })))?.code).toBe('E_STORAGE_BLOCKED');
    const failing = {
      open: () => {
        const r: { onerror?: () => void; error: DOMException } = { error: new DOMException('denied', 'UnknownError') };
        queueMicrotask(() => r.onerror?.());
        return r;
      },
    };
    expect((await storageRefusal(scope({ indexedDB: failing })))?.code).toBe('E_STORAGE_BLOCKED');
    expect((await storageRefusal(scope({ indexedDB: undefined })))?.code).toBe('E_STORAGE_BLOCKED');
  });
});

describe('registrationRefusal', () => {
  test('a SecurityError is the storage setting; anything else is no usable service worker', () => {
    expect(registrationRefusal(securityError()).code).toBe('E_STORAGE_BLOCKED');
    expect(registrationRefusal(new TypeError('bad script')).code).toBe('E_NO_SERVICE_WORKER');
  });
});
