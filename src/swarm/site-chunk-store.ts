import { assertFileDigest, type ManifestFile } from '../core/index.js';
import { emptySlot, slotsIn, type FileSlot } from './file-slots.js';
import { readAhead, type ReadAhead } from './read-ahead.js';

/**
 * A chunk store (the abstract-chunk-store interface WebTorrent writes pieces to) laid
 * over a site's files. Pieces arrive already checked against the torrent's SHA-1 piece
 * hashes. Each file's share of a piece is kept as a small Blob and fed, in file order,
 * to an incremental sha256; when the last share is in and the hash matches the signed
 * manifest, the file's Blob (made of those shares, no copy) goes to `onFileComplete`
 * for storing. Nothing ever holds or copies a whole file in one go, and hashing yields
 * to the event loop every few milliseconds, so a 50 MB file never blocks the page.
 * Files already cached start as Blobs, so a returning visitor seeds without
 * downloading or holding them in memory.
 */
export interface SiteChunkStoreOptions {
  files: readonly ManifestFile[];
  pieceLength: number;
  /** Blobs of files already stored (verified), by sha256. */
  stored: ReadonlyMap<string, Blob>;
  /** Called once per file when its bytes are complete and match the manifest; returns the Blob to seed from. */
  onFileComplete: (file: ManifestFile, blob: Blob) => Promise<Blob>;
  /** Pieces saved by an earlier, interrupted transfer of this torrent (already hash-checked). */
  resumePieces?: ReadonlyMap<number, Uint8Array | Blob>;
  /** Called with each new piece of a file that is not stored yet, to save it for resuming. */
  onPiece?: (index: number, bytes: Uint8Array) => void;
  /** Called once every file is stored. */
  onAllComplete?: () => void;
  /** Called when a file's bytes do not match the manifest (it will be fetched again). */
  onFileRejected?: (file: ManifestFile, error: unknown) => void;
  /** Longest stretch of hashing before yielding to the event loop, in ms. Default 8 (a long task is 50). */
  sliceMs?: number;
}

/** Bytes hashed between two looks at the clock. */
const HASH_STEP = 64 * 1024;
/**
 * Hashed shares are joined into Blobs of about this size: one Blob per piece would leave
 * hundreds of small Blink objects per file for the garbage collector to sweep.
 */
const GROUP_BYTES = 1024 * 1024;
/**
 * Shares not hashed yet are kept in memory up to this many bytes per file (pieces that
 * arrived ahead of a missing one); beyond it they are kept as Blobs and read back.
 */
const MAX_UNHASHED_BYTES = 16 * 1024 * 1024;
type Callback<T = void> = (err: Error | null, value?: T) => void;

/**
 * Lets other tasks run. A message, not setTimeout: hidden tabs run timers at most once a
 * second, which would stall hashing in a background tab.
 */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}

export class SiteChunkStore {
  readonly chunkLength: number;
  readonly length: number;
  closed = false;
  private readonly slots: FileSlot[] = [];
  private readonly havePiece: Uint8Array;
  private readonly options: SiteChunkStoreOptions;
  private readonly sliceMs: number;
  /** Slots whose file is stored (counted, not scanned: a site may have 10,000 files). */
  private storedSlots = 0;
  /** Stored bytes read for peers a window at a time. */
  private readonly readAhead: ReadAhead;

  constructor(options: SiteChunkStoreOptions) {
    this.options = options;
    this.chunkLength = options.pieceLength;
    this.sliceMs = options.sliceMs ?? 8;
    let offset = 0;
    for (const file of options.files) {
      const startPiece = Math.floor(offset / options.pieceLength);
      const endPiece = Math.max(startPiece, Math.floor((offset + Math.max(file.size, 1) - 1) / options.pieceLength));
      this.slots.push(emptySlot({ file, offset, startPiece, endPiece, blob: options.stored.get(file.sha256) }));
      if (options.stored.has(file.sha256)) this.storedSlots++;
      offset += file.size;
    }
    this.length = offset;
    this.readAhead = readAhead({ length: offset, storedOnly: (a, b) => this.storedOnly(a, b), read: (a, b) => this.read(-1, a, b) });
    this.havePiece = new Uint8Array(Math.ceil(offset / options.pieceLength));
    for (let i = 0; i < this.havePiece.length; i++) this.havePiece[i] = this.pieceCovered(i) ? 1 : 0;
    for (const [index, piece] of options.resumePieces ?? []) {
      if (index < this.havePiece.length && !this.havePiece[index]) this.write(index, piece);
    }
  }

  /**
   * Checks files that are already whole without a new piece: empty files, and files
   * whose pieces were all resumed. Run once the torrent starts.
   */
  completeReadyFiles(): void {
    for (const slot of this.slots) if (!slot.blob) void this.pump(slot);
  }

  /** Pieces whose bytes all come from stored files: the BitTorrent bitfield (BEP 3, high bit first). */
  bitfield(): Uint8Array {
    const bits = new Uint8Array(Math.ceil(this.havePiece.length / 8));
    this.havePiece.forEach((have, i) => {
      if (have) bits[i >> 3] |= 0x80 >> (i & 7);
    });
    return bits;
  }

  /** True when every file is stored. */
  complete(): boolean {
    return this.storedSlots === this.slots.length;
  }

  private pieceCovered(index: number): boolean {
    const start = index * this.chunkLength;
    const end = Math.min(start + this.chunkLength, this.length);
    return this.slotsIn(start, end).every((s) => s.blob);
  }

  private slotsIn(start: number, end: number): FileSlot[] {
    return slotsIn(this.slots, start, end);
  }

  put(index: number, buf: Uint8Array, cb: Callback = () => {}): void {
    if (this.closed) return queueMicrotask(() => cb(new Error('store is closed')));
    const fresh = this.write(index, buf);
    queueMicrotask(() => cb(null));
    if (fresh) this.options.onPiece?.(index, buf);
    // Empty files have no piece to wait for: `completeReadyFiles` checks them.
    const start = index * this.chunkLength;
    for (const slot of this.slotsIn(start, start + buf.length)) if (!slot.blob) void this.pump(slot);
  }

  /** Keeps a piece's share of each file it covers; true if any of them was new. */
  private write(index: number, piece: Uint8Array | Blob): boolean {
    let fresh = false;
    const start = index * this.chunkLength;
    const end = start + (piece instanceof Blob ? piece.size : piece.length);
    for (const slot of this.slotsIn(start, end)) {
      if (slot.blob || index < slot.nextPiece || slot.pending.has(index)) continue;
      fresh = true;
      const from = Math.max(start, slot.offset) - start;
      const to = Math.min(end, slot.offset + slot.file.size) - start;
      if (piece instanceof Blob) {
        slot.pending.set(index, piece.slice(from, to));
      } else if (slot.pendingBytes + (to - from) <= MAX_UNHASHED_BYTES) {
        slot.pending.set(index, piece.subarray(from, to));
        slot.pendingBytes += to - from;
      } else {
        slot.pending.set(index, new Blob([piece.subarray(from, to) as BlobPart]));
      }
    }
    this.havePiece[index] = 1;
    return fresh;
  }

  /**
   * Feeds the file's shares to its sha256 in order, as far as they have arrived, in
   * slices of a few milliseconds; once all are in, checks the hash and stores the file.
   */
  private async pump(slot: FileSlot): Promise<void> {
    if (slot.hashing || slot.blob || this.closed) return;
    slot.hashing = true;
    const epoch = slot.epoch;
    const stale = () => this.closed || slot.epoch !== epoch;
    try {
      let since = performance.now();
      while (slot.file.size > 0 && slot.nextPiece <= slot.endPiece) {
        const index = slot.nextPiece;
        const share = slot.pending.get(index);
        if (!share) return; // The rest follows when that piece arrives.
        const bytes = share instanceof Blob ? new Uint8Array(await share.arrayBuffer()) : share;
        if (stale()) return;
        for (let i = 0; i < bytes.length; i += HASH_STEP) {
          slot.hasher.update(bytes.subarray(i, i + HASH_STEP));
          if (performance.now() - since >= this.sliceMs) {
            await yieldToEventLoop();
            if (stale()) return;
            since = performance.now();
          }
        }
        // Removed only now: reads for peers may still come while the share is hashed.
        slot.pending.delete(index);
        if (share instanceof Blob) {
          this.joinGroup(slot);
          slot.hashedParts.push(share);
          slot.hashedPartsBytes += share.size;
        } else {
          slot.pendingBytes -= share.length;
          slot.group.push(share);
          slot.groupBytes += share.length;
          if (slot.groupBytes >= GROUP_BYTES) this.joinGroup(slot);
        }
        slot.nextPiece++;
      }
      this.joinGroup(slot);
      await this.finishFile(slot, epoch);
    } finally {
      slot.hashing = false;
    }
  }

  /** Turns the hashed shares held in memory into one Blob. */
  private joinGroup(slot: FileSlot): void {
    if (!slot.group.length) return;
    slot.hashedParts.push(new Blob(slot.group as BlobPart[]));
    slot.hashedPartsBytes += slot.groupBytes;
    slot.group = [];
    slot.groupBytes = 0;
  }

  private async finishFile(slot: FileSlot, epoch: number): Promise<void> {
    try {
      assertFileDigest(slot.file, slot.hasher.bytesHashed, slot.hasher.digest());
      const stored = await this.options.onFileComplete(slot.file, new Blob(slot.hashedParts));
      if (this.closed || slot.epoch !== epoch) return;
      if (!slot.blob) this.storedSlots++;
      slot.blob = stored;
      slot.hashedParts = [];
      if (this.complete()) this.options.onAllComplete?.();
    } catch (err) {
      // Only reachable if a piece hash collided, the manifest is inconsistent or storing
      // failed; forget the pieces so they are fetched again rather than served.
      for (let p = slot.startPiece; p <= slot.endPiece; p++) this.havePiece[p] = 0;
      const i = this.slots.indexOf(slot);
      this.slots[i] = emptySlot(slot, slot.epoch + 1);
      // A loop still holding the old slot sees the new epoch through it and stops.
      slot.epoch++;
      this.options.onFileRejected?.(slot.file, err);
    }
  }

  get(index: number, opts: { offset?: number; length?: number } | Callback<Uint8Array> | null, cb?: Callback<Uint8Array>): void {
    if (typeof opts === 'function') [cb, opts] = [opts, null];
    const done = cb!;
    if (this.closed) return queueMicrotask(() => done(new Error('store is closed')));
    const pieceStart = index * this.chunkLength;
    const pieceEnd = Math.min(pieceStart + this.chunkLength, this.length);
    const start = pieceStart + (opts?.offset ?? 0);
    const end = Math.min(pieceEnd, opts?.length !== undefined ? start + opts.length : pieceEnd);
    (this.storedOnly(start, end) ? this.readAhead.read(start, end) : this.read(index, start, end)).then(
      (bytes) => done(null, bytes),
      (err: Error) => done(err),
    );
  }

  private storedOnly(start: number, end: number): boolean {
    return this.slotsIn(start, end).every((s) => s.blob);
  }

  /** Bytes `start`..`end` of piece `index`, from stored files or the shares received. */
  private async read(index: number, start: number, end: number): Promise<Uint8Array> {
    const out = new Uint8Array(end - start);
    for (const slot of this.slotsIn(start, end)) {
      const from = Math.max(start, slot.offset);
      const to = Math.min(end, slot.offset + slot.file.size);
      let part: Uint8Array;
      if (slot.blob) {
        part = new Uint8Array(await slot.blob.slice(from - slot.offset, to - slot.offset).arrayBuffer());
      } else {
        part = await this.readUnstored(slot, index, from - slot.offset, to - slot.offset);
      }
      out.set(part, from - start);
    }
    return out;
  }

  /** Bytes `a`..`b` of a file not stored yet, all within piece `index`. */
  private async readUnstored(slot: FileSlot, index: number, a: number, b: number): Promise<Uint8Array> {
    // A share begins where the piece or the file begins, whichever is later.
    const shareStart = Math.max(index * this.chunkLength, slot.offset) - slot.offset;
    const share = slot.pending.get(index);
    if (share instanceof Blob) return new Uint8Array(await share.slice(a - shareStart, b - shareStart).arrayBuffer());
    if (share) return share.subarray(a - shareStart, b - shareStart);
    if (index >= slot.nextPiece) throw new Error(`bytes ${a}-${b} of "${slot.file.path}" are not in the store`);
    if (a < slot.hashedPartsBytes) return new Uint8Array(await new Blob(slot.hashedParts).slice(a, b).arrayBuffer());
    // In the group not joined yet: shares are whole there, so the range lies in one of them.
    let at = slot.hashedPartsBytes;
    for (const bytes of slot.group) {
      if (a < at + bytes.length) return bytes.subarray(a - at, b - at);
      at += bytes.length;
    }
    throw new Error(`bytes ${a}-${b} of "${slot.file.path}" are not in the store`);
  }

  close(cb: Callback = () => {}): void {
    this.closed = true;
    this.readAhead.clear();
    queueMicrotask(() => cb(null));
  }

  destroy(cb: Callback = () => {}): void {
    this.close(cb);
  }
}
