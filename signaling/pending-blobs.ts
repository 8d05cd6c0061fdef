/**
 * Blobs uploaded but not yet named by any published manifest. Anyone may upload, so
 * such bytes are kept only for a bounded time (a publish names its blobs within seconds
 * of uploading them) and each client IP may hold only so many of them at once: the
 * server is not a free file host, and an abandoned or hostile upload cannot fill its disk.
 */
export interface PendingBlobsOptions {
  /** How long an unnamed blob is kept after its last upload or touch. */
  ttlMs: number;
  /** Bytes of unnamed blobs one client IP may hold at once. */
  bytesPerIp: number;
}

interface PendingEntry {
  /** The uploader, or '' for leftovers found at start (counted against nobody). */
  ip: string;
  size: number;
  at: number;
}

export class PendingBlobs {
  private readonly entries = new Map<string, PendingEntry>();
  private readonly bytesByIp = new Map<string, number>();

  constructor(private readonly options: PendingBlobsOptions) {}

  /** Records an unnamed blob (again: a re-upload refreshes its time). */
  add(sha256: string, ip: string, size: number, at = Date.now()): void {
    this.settle(sha256);
    this.entries.set(sha256, { ip, size, at });
    if (ip) this.bytesByIp.set(ip, (this.bytesByIp.get(ip) ?? 0) + size);
  }

  has(sha256: string): boolean {
    return this.entries.has(sha256);
  }

  /** A publish is about to name this blob: keep it through the publish. */
  touch(sha256: string, at = Date.now()): void {
    const entry = this.entries.get(sha256);
    if (entry) entry.at = at;
  }

  /** The blob is named by a stored manifest now (or removed): no longer pending. */
  settle(sha256: string): void {
    const entry = this.entries.get(sha256);
    if (!entry) return;
    this.entries.delete(sha256);
    if (!entry.ip) return;
    const left = (this.bytesByIp.get(entry.ip) ?? 0) - entry.size;
    if (left > 0) this.bytesByIp.set(entry.ip, left);
    else this.bytesByIp.delete(entry.ip);
  }

  /** Bytes this IP may still upload before a manifest names what it sent. */
  allowance(ip: string): number {
    return this.options.bytesPerIp - (this.bytesByIp.get(ip) ?? 0);
  }

  isExpired(sha256: string, now = Date.now()): boolean {
    const entry = this.entries.get(sha256);
    return entry !== undefined && now - entry.at >= this.options.ttlMs;
  }

  /** Blobs whose time is up. */
  expired(now = Date.now()): string[] {
    const out: string[] = [];
    for (const [sha, entry] of this.entries) if (now - entry.at >= this.options.ttlMs) out.push(sha);
    return out;
  }

  get count(): number {
    return this.entries.size;
  }

  get bytes(): number {
    let n = 0;
    for (const entry of this.entries.values()) n += entry.size;
    return n;
  }
}
