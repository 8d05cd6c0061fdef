import { describe, expect, it, vi } from 'vitest';
import { buildBundle, sha256, toHex, utf8, type ManifestFile } from '../../src/core/index.js';
import { SiteChunkStore } from '../../src/swarm/site-chunk-store.js';
import { FIXED_SECRET, FIXED_TIME } from '../helpers/fixtures.js';

async function bundle() {
  const big = new Uint8Array(40_000).map((_, i) => (i * 7) & 255);
  const { manifest, files } = await buildBundle({
    files: [{ path: 'index.html', bytes: utf8('<p>hi</p>') }, { path: 'big.bin', bytes: big }, { path: 'z.txt', bytes: utf8('zzz') }],
    secretKey: FIXED_SECRET,
    seq: 1,
    createdAt: FIXED_TIME,
  });
  const all = new Uint8Array(files.reduce((n, f) => n + f.bytes.length, 0));
  let o = 0;
  for (const f of files) {
    all.set(f.bytes, o);
    o += f.bytes.length;
  }
  return { manifest, files, all };
}

const put = (store: SiteChunkStore, i: number, b: Uint8Array) => new Promise<void>((res, rej) => store.put(i, b, (e) => (e ? rej(e) : res())));
const get = (store: SiteChunkStore, i: number, opts?: { offset?: number; length?: number }) =>
  new Promise<Uint8Array>((res, rej) => store.get(i, opts ?? null, (e, v) => (e ? rej(e) : res(v!))));

describe('SiteChunkStore', () => {
  it('assembles pieces into verified files and serves reads across file boundaries', async () => {
    const { manifest, all } = await bundle();
    const completed: string[] = [];
    let resolveAll!: () => void;
    const allDone = new Promise<void>((r) => (resolveAll = r));
    const store = new SiteChunkStore({
      files: manifest.files,
      pieceLength: manifest.torrent.pieceLength,
      stored: new Map(),
      onFileComplete: async (file: ManifestFile, bytes) => {
        completed.push(file.path);
        return new Blob([bytes as BlobPart]);
      },
      onAllComplete: () => resolveAll(),
    });
    const pl = manifest.torrent.pieceLength;
    const pieces = Math.ceil(all.length / pl);
    expect(store.bitfield()).toEqual(new Uint8Array(Math.ceil(pieces / 8)));
    for (let i = pieces - 1; i >= 0; i--) await put(store, i, all.subarray(i * pl, Math.min(all.length, (i + 1) * pl)));
    await allDone;
    expect(completed.sort()).toEqual(['big.bin', 'index.html', 'z.txt']);
    expect(store.complete()).toBe(true);
    expect(await get(store, 1, { offset: 10, length: 100 })).toEqual(all.subarray(pl + 10, pl + 110));
    expect(await get(store, pieces - 1)).toEqual(all.subarray((pieces - 1) * pl));
  });

  it('starts complete from stored blobs, so a returning visitor seeds without hashing', async () => {
    const { manifest, files, all } = await bundle();
    const stored = new Map(files.map((f) => [f.file.sha256, new Blob([f.bytes as BlobPart])]));
    const store = new SiteChunkStore({ files: manifest.files, pieceLength: manifest.torrent.pieceLength, stored, onFileComplete: async () => new Blob() });
    expect(store.complete()).toBe(true);
    expect([...store.bitfield()].every((b, i, a) => (i < a.length - 1 ? b === 255 : b !== 0))).toBe(true);
    expect(await get(store, 0, { offset: 0, length: 20 })).toEqual(all.subarray(0, 20));
  });

  it('refuses bytes that do not match the signed sha256 and forgets their pieces', async () => {
    const { manifest, all } = await bundle();
    const rejected: string[] = [];
    let done!: () => void;
    const seen = new Promise<void>((r) => (done = r));
    const store = new SiteChunkStore({
      files: manifest.files,
      pieceLength: manifest.torrent.pieceLength,
      stored: new Map(),
      onFileComplete: async (_f, b) => new Blob([b as BlobPart]),
      onFileRejected: (file) => {
        rejected.push(file.path);
        done();
      },
    });
    const bad = all.slice();
    bad[bad.length - 1] ^= 1; // last byte of z.txt (the last file)
    const pl = manifest.torrent.pieceLength;
    for (let i = 0; i * pl < bad.length; i++) await put(store, i, bad.subarray(i * pl, Math.min(bad.length, (i + 1) * pl)));
    await seen;
    expect(rejected).toEqual(['z.txt']);
    expect(store.complete()).toBe(false);
  });
});

describe('SiteChunkStore resume', () => {
  it('resumes from saved pieces: only the missing pieces are needed and the file still gets its sha256 check', async () => {
    const { manifest, all } = await bundle();
    const pl = manifest.torrent.pieceLength;
    const count = Math.ceil(all.length / pl);
    const piece = (i: number) => all.slice(i * pl, Math.min(all.length, (i + 1) * pl));
    // A first visit saved every piece but the last, then the tab closed.
    const saved = new Map<number, Uint8Array>();
    const first = new SiteChunkStore({ files: manifest.files, pieceLength: pl, stored: new Map(), onFileComplete: async (_f, b) => new Blob([b as BlobPart]), onPiece: (i, b) => saved.set(i, b.slice()) });
    for (let i = 0; i < count - 1; i++) await put(first, i, piece(i));
    expect([...saved.keys()].sort((a, b) => a - b)).toEqual([...Array(count - 1).keys()]);

    let resolveAll!: () => void;
    const allDone = new Promise<void>((r) => (resolveAll = r));
    const completed: string[] = [];
    const second = new SiteChunkStore({
      files: manifest.files,
      pieceLength: pl,
      stored: new Map(),
      resumePieces: saved,
      onFileComplete: async (f, b) => {
        completed.push(f.path);
        return new Blob([b as BlobPart]);
      },
      onAllComplete: () => resolveAll(),
    });
    const bits = second.bitfield();
    for (let i = 0; i < count; i++) expect(Boolean(bits[i >> 3] & (0x80 >> (i & 7)))).toBe(i < count - 1);
    second.completeReadyFiles();
    await put(second, count - 1, piece(count - 1));
    await allDone;
    expect(completed.sort()).toEqual(['big.bin', 'index.html', 'z.txt']);
  });
});

describe('SiteChunkStore without whole-file buffers', () => {
  it('resumes from pieces saved as Blobs, hashing in slices that yield, and stores Blobs with the exact bytes', async () => {
    const { manifest, files, all } = await bundle();
    const pl = manifest.torrent.pieceLength;
    const count = Math.ceil(all.length / pl);
    const saved = new Map<number, Blob>();
    for (let i = 0; i < count - 1; i++) saved.set(i, new Blob([all.slice(i * pl, Math.min(all.length, (i + 1) * pl))]));
    const stored = new Map<string, Blob>();
    let resolveAll!: () => void;
    const allDone = new Promise<void>((r) => (resolveAll = r));
    const store = new SiteChunkStore({
      files: manifest.files,
      pieceLength: pl,
      stored: new Map(),
      resumePieces: saved,
      sliceMs: 0, // yield after every step, the worst case for ordering
      onFileComplete: async (f, blob) => {
        stored.set(f.path, blob);
        return blob;
      },
      onAllComplete: () => resolveAll(),
    });
    store.completeReadyFiles();
    await put(store, count - 1, all.slice((count - 1) * pl));
    await allDone;
    for (const f of files) expect(new Uint8Array(await stored.get(f.file.path)!.arrayBuffer())).toEqual(f.bytes);
  });

  it('serves pieces to peers while a file is still being hashed, from memory or from its Blobs', async () => {
    const { manifest, all } = await bundle();
    const pl = manifest.torrent.pieceLength;
    const store = new SiteChunkStore({ files: manifest.files, pieceLength: pl, stored: new Map(), onFileComplete: async (_f, b) => b });
    // Piece 0 is missing, so nothing after it can be hashed yet: later pieces are held as they came.
    await put(store, 1, all.slice(pl, 2 * pl));
    expect(await get(store, 1, { offset: 5, length: 50 })).toEqual(all.subarray(pl + 5, pl + 55));
  });
});

describe('SiteChunkStore with files larger than its Blob groups', () => {
  it('reads back hashed pieces for peers (joined Blobs and the group not joined yet) and stores the exact bytes', async () => {
    const big = new Uint8Array(3_000_000).map((_, i) => (i * 2654435761) >>> 24);
    const { manifest, files } = await buildBundle({
      files: [{ path: 'index.html', bytes: utf8('<p>hi</p>') }, { path: 'big.bin', bytes: big }],
      secretKey: FIXED_SECRET,
      seq: 1,
      createdAt: FIXED_TIME,
    });
    const all = new Uint8Array(files.reduce((n, f) => n + f.bytes.length, 0));
    let o = 0;
    for (const f of files) {
      all.set(f.bytes, o);
      o += f.bytes.length;
    }
    const pl = manifest.torrent.pieceLength;
    const count = Math.ceil(all.length / pl);
    const stored = new Map<string, Blob>();
    let resolveAll!: () => void;
    const allDone = new Promise<void>((r) => (resolveAll = r));
    const store = new SiteChunkStore({
      files: manifest.files,
      pieceLength: pl,
      stored: new Map(),
      onFileComplete: async (f, blob) => {
        stored.set(f.path, blob);
        return blob;
      },
      onAllComplete: () => resolveAll(),
    });
    const piece = (i: number) => all.slice(i * pl, Math.min(all.length, (i + 1) * pl));
    for (let i = 0; i < count - 1; i++) await put(store, i, piece(i));
    // Hashing has caught up with every piece put (no share left pending, no loop running):
    // the reads below come from joined Blobs and from the group not joined yet.
    const slots = (store as unknown as { slots: { pending: Map<number, unknown>; hashing: boolean }[] }).slots;
    await vi.waitFor(() => expect(slots.every((slot) => slot.pending.size === 0 && !slot.hashing)).toBe(true), { timeout: 10_000, interval: 5 });
    for (const i of [1, Math.floor(count / 2), count - 2]) expect(await get(store, i, { offset: 3, length: 1000 })).toEqual(all.subarray(i * pl + 3, i * pl + 1003));
    await put(store, count - 1, piece(count - 1));
    await allDone;
    // Compared by hash: element-wise equality of megabytes is slow in the test runner.
    for (const f of files) expect(toHex(await sha256(new Uint8Array(await stored.get(f.file.path)!.arrayBuffer())))).toBe(toHex(await sha256(f.bytes)));
  });
});
