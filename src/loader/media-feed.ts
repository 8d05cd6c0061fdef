/**
 * Plays a media file while it arrives: a MediaSource fed, in order, with bytes of pieces
 * that already matched the torrent's piece hashes (carried in the signed manifest). The
 * whole file's sha256 is still checked at the end by the caller, which calls `fail()` on
 * a mismatch. Used only for types MediaSource accepts; others wait for the whole file.
 */

/** Most bytes played this way; a SourceBuffer keeps what it was given, and browsers cap it (~150 MB in Chromium). */
export const MAX_STREAMED_BYTES = 100_000_000;

/**
 * The MediaSource type for a file: its manifest type when that names codecs, else the
 * codecs a WebM file's Tracks element names (the first piece holds it). Chromium refuses
 * `video/webm` without codecs.
 */
export function mediaSourceType(type: string, head?: Uint8Array): string | undefined {
  if (typeof MediaSource === 'undefined') return undefined;
  const base = type.split(';')[0].trim().toLowerCase();
  if (/codecs=/i.test(type)) return MediaSource.isTypeSupported(type) ? type : undefined;
  if ((base !== 'video/webm' && base !== 'audio/webm') || !head) return undefined;
  // Matroska CodecIDs (https://www.matroska.org/technical/codec_specs.html) as WebM codec names.
  const text = new TextDecoder('latin1').decode(head.subarray(0, 64 * 1024));
  const names: Record<string, string> = { V_VP8: 'vp8', V_VP9: 'vp9', V_AV1: 'av01.0.08M.08', A_OPUS: 'opus', A_VORBIS: 'vorbis' };
  const codecs = Object.keys(names)
    .filter((id) => text.includes(id))
    .map((id) => names[id]);
  if (!codecs.length) return undefined;
  const full = `${base}; codecs="${codecs.join(',')}"`;
  return MediaSource.isTypeSupported(full) ? full : undefined;
}

export class MediaFeed {
  readonly url: string;
  private readonly source = new MediaSource();
  private buffer?: SourceBuffer;
  /** Bytes of the file appended (or queued) so far, from its start. */
  private next = 0;
  private readonly pending = new Map<number, Uint8Array>();
  private readonly queue: Uint8Array[] = [];
  private ended = false;
  private verified = false;
  private failed = false;

  /**
   * @param size the file's size from the manifest.
   * @param resolveType gives the MediaSource type once the first bytes are in.
   */
  constructor(
    private readonly size: number,
    private readonly resolveType: (head: Uint8Array) => string | undefined,
    private readonly onError: (reason: string) => void,
  ) {
    this.url = URL.createObjectURL(this.source);
  }

  /** Verified bytes at `offset` of the file, in any order. */
  push(offset: number, bytes: Uint8Array): void {
    if (this.failed || offset + bytes.length <= this.next) return;
    this.pending.set(offset, bytes);
    for (let part = this.pending.get(this.next); part; part = this.pending.get(this.next)) {
      this.pending.delete(this.next);
      this.queue.push(part);
      this.next += part.length;
    }
    this.pump();
  }

  private pump(): void {
    if (this.failed) return;
    if (!this.buffer) {
      if (this.source.readyState !== 'open' || !this.queue.length) {
        if (this.source.readyState === 'closed') this.source.addEventListener('sourceopen', () => this.pump(), { once: true });
        return;
      }
      const type = this.resolveType(this.queue[0]);
      if (!type) return this.fail('the media type cannot be played while it arrives');
      try {
        this.buffer = this.source.addSourceBuffer(type);
      } catch (err) {
        return this.fail(`the browser refused ${type}: ${String(err)}`);
      }
      this.buffer.addEventListener('updateend', () => this.pump());
      this.buffer.addEventListener('error', () => this.fail('the browser could not decode the media'));
    }
    if (this.buffer.updating) return;
    const part = this.queue.shift();
    if (part) {
      try {
        this.buffer.appendBuffer(part as Uint8Array<ArrayBuffer>);
      } catch (err) {
        this.fail(`appending failed: ${String(err)}`);
      }
      return;
    }
    if (this.verified && this.next >= this.size && !this.ended && this.source.readyState === 'open') {
      this.ended = true;
      this.source.endOfStream();
    }
  }

  /** Every byte is in and the file matched its sha256: close the stream. */
  complete(): void {
    this.verified = true;
    this.pump();
  }

  /** Stops feeding; the caller shows another URL. */
  fail(reason: string): void {
    if (this.failed) return;
    this.failed = true;
    this.queue.length = 0;
    this.pending.clear();
    if (this.source.readyState === 'open') {
      try {
        this.source.endOfStream('decode');
      } catch {
        // Already closing; nothing more to stop.
      }
    }
    this.onError(reason);
  }
}
