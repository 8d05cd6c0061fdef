import { assertFileBytes, type ManifestFile } from '../core/index.js';

/**
 * A chunk store (the abstract-chunk-store interface WebTorrent writes pieces to) laid
 * over a site's files. Pieces arrive already checked against the torrent's SHA-1 piece
 * hashes; when every piece of a file is in, the file is checked against its sha256 from
 * the signed manifest and handed to `onFileComplete` for storing, then its buffer is
 * dropped and later reads come from the stored Blob. Files already cached start as
 * Blobs, so a returning visitor seeds without downloading or holding them in memory.
 */
export interface SiteChunkStoreOptions {
  files: readonly ManifestFile[];
  pieceLength: number;
  /** Blobs of files already stored (verified), by sha256. */
  stored: ReadonlyMap<string, Blob>;
  /** Called once per file when its bytes are complete and match the manifest. */
  onFileComplete: (file: ManifestFile, bytes: Uint8Array) => Promise<Blob>;
  /** Pieces saved by an earlier, interrupted transfer of this torrent (already hash-checked). */
  resumePieces?: ReadonlyMap<number, Uint8Array>;
  /** Called with each new piece of a file that is not stored yet, to save it for resuming. */
  onPiece?: (index: number, bytes: Uint8Array) => void;
  /** Called once every file is stored. */
  onAllComplete?: () => void;
  /** Called when a file's bytes do not match the manifest (it will be fetched again). */
  onFileRejected?: (file: ManifestFile, error: unknown) => void;
}

interface FileSlot {
  file: ManifestFile;
  offset: number;
  startPiece: number;
  endPiece: number;
  blob?: Blob;
  buffer?: Uint8Array;
  /** Guards against completing twice while the sha256 check is in flight. */
  completing?: boolean;
}

type Callback<T = void> = (err: Error | null, value?: T) => void;

export class SiteChunkStore {
  readonly chunkLength: number;
  readonly length: number;
  closed = false;
  private readonly slots: FileSlot[] = [];
  private readonly havePiece: Uint8Array;
  private readonly options: SiteChunkStoreOptions;

  constructor(options: SiteChunkStoreOptions) {
    this.options = options;
    this.chunkLength = options.pieceLength;
    let offset = 0;
    for (const file of options.files) {
      const startPiece = Math.floor(offset / options.pieceLength);
      const endPiece = Math.max(startPiece, Math.floor((offset + Math.max(file.size, 1) - 1) / options.pieceLength));
      this.slots.push({ file, offset, startPiece, endPiece, blob: options.stored.get(file.sha256) });
      offset += file.size;
    }
    this.length = offset;
    this.havePiece = new Uint8Array(Math.ceil(offset / options.pieceLength));
    for (let i = 0; i < this.havePiece.length; i++) this.havePiece[i] = this.pieceCovered(i) ? 1 : 0;
    for (const [index, bytes] of options.resumePieces ?? []) {
      if (index < this.havePiece.length && !this.havePiece[index]) this.write(index, bytes);
    }
  }

  /**
   * Checks files that are already whole without a new piece: empty files, and files
   * whose pieces were all resumed. Run once the torrent starts.
   */
  completeReadyFiles(): void {
    for (const slot of this.slots) if (!slot.blob && !slot.completing) void this.maybeComplete(slot);
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
    return this.slots.every((s) => s.blob);
  }

  private pieceCovered(index: number): boolean {
    const start = index * this.chunkLength;
    const end = Math.min(start + this.chunkLength, this.length);
    return this.slotsIn(start, end).every((s) => s.blob);
  }

  private slotsIn(start: number, end: number): FileSlot[] {
    return this.slots.filter((s) => s.file.size > 0 && s.offset < end && s.offset + s.file.size > start);
  }

  put(index: number, buf: Uint8Array, cb: Callback = () => {}): void {
    if (this.closed) return queueMicrotask(() => cb(new Error('store is closed')));
    const fresh = this.write(index, buf);
    queueMicrotask(() => cb(null));
    if (fresh) this.options.onPiece?.(index, buf);
    for (const slot of this.slots) if (!slot.blob && !slot.completing && index >= slot.startPiece && index <= slot.endPiece) void this.maybeComplete(slot);
  }

  /** Copies a piece into the buffers of the files it covers; true if any of them was not stored yet. */
  private write(index: number, buf: Uint8Array): boolean {
    let fresh = false;
    const start = index * this.chunkLength;
    const end = start + buf.length;
    for (const slot of this.slotsIn(start, end)) {
      if (slot.blob) continue;
      fresh = true;
      slot.buffer ??= new Uint8Array(slot.file.size);
      const from = Math.max(start, slot.offset);
      const to = Math.min(end, slot.offset + slot.file.size);
      slot.buffer.set(buf.subarray(from - start, to - start), from - slot.offset);
    }
    this.havePiece[index] = 1;
    return fresh;
  }

  private async maybeComplete(slot: FileSlot): Promise<void> {
    if (slot.file.size > 0) {
      for (let p = slot.startPiece; p <= slot.endPiece; p++) if (!this.havePiece[p]) return;
    }
    slot.completing = true;
    const bytes = slot.buffer ?? new Uint8Array(0);
    try {
      await assertFileBytes(slot.file, bytes);
      slot.blob = await this.options.onFileComplete(slot.file, bytes);
      slot.buffer = undefined;
      if (this.complete()) this.options.onAllComplete?.();
    } catch (err) {
      // Only reachable if a piece hash collided or the manifest is inconsistent; forget the
      // pieces so they are fetched again rather than served.
      for (let p = slot.startPiece; p <= slot.endPiece; p++) this.havePiece[p] = 0;
      slot.buffer = undefined;
      this.options.onFileRejected?.(slot.file, err);
    } finally {
      slot.completing = false;
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
    this.read(start, end).then(
      (bytes) => done(null, bytes),
      (err: Error) => done(err),
    );
  }

  private async read(start: number, end: number): Promise<Uint8Array> {
    const out = new Uint8Array(end - start);
    for (const slot of this.slotsIn(start, end)) {
      const from = Math.max(start, slot.offset);
      const to = Math.min(end, slot.offset + slot.file.size);
      let part: Uint8Array;
      if (slot.blob) part = new Uint8Array(await slot.blob.slice(from - slot.offset, to - slot.offset).arrayBuffer());
      else if (slot.buffer) part = slot.buffer.subarray(from - slot.offset, to - slot.offset);
      else throw new Error(`bytes ${from}-${to} are not in the store`);
      out.set(part, from - start);
    }
    return out;
  }

  close(cb: Callback = () => {}): void {
    this.closed = true;
    queueMicrotask(() => cb(null));
  }

  destroy(cb: Callback = () => {}): void {
    this.close(cb);
  }
}
