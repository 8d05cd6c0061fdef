import { HttpError } from './errors.js';
import type { Logger } from './log.js';
import { DhtNode, type DhtNodeOptions } from './dht-node.js';
import { pointerJson, type SitePointer } from './dht-pointer.js';
import { loadPointers, savePointer } from './dht-pointer-file.js';

/** What the pointers need of the store: a stored version by address and seq. */
export interface PointerStore {
  infoHashesOf(address: string): string[];
  byInfoHash(infoHash: string): { address: string; seq: number } | undefined;
  current(address: string): { seq: number } | undefined;
}

/** The server's `dht` option: where its DHT node listens and joins, and how often it re-puts. */
export type ServerDhtOptions = DhtNodeOptions & Pick<DhtPointersOptions, 'reputMs' | 'resolveCacheMs' | 'maxLookups'>;

export interface DhtPointersOptions {
  node: DhtNodeOptions;
  store: PointerStore;
  /** True when the operator refuses this site (its address, or any info hash given). */
  refused: (address: string, infoHash?: string) => boolean;
  log: Logger;
  /**
   * How often each held pointer is put again. BEP 44 leaves expiry to the storing nodes
   * and asks that items be put again; they commonly expire after about 2 hours, so:
   * every hour by default.
   */
  reputMs?: number;
  /** How long a DHT answer for an unknown address is reused (default 60 s), so 404s cannot make the server flood the DHT. */
  resolveCacheMs?: number;
  /** DHT lookups in flight at once (default 16); beyond, the plain 404 is answered. */
  maxLookups?: number;
  /** Where held pointers are kept across restarts (`<dataDir>/pointers/`); none: memory only. */
  dataDir?: string;
}

/**
 * The server's side of the DHT pointer: it keeps the pointers publishers give it (it
 * cannot sign one itself), puts each on the DHT and puts it again every `reputMs`; and it
 * looks up addresses it does not host, so that "nothing here" is not said of a site the
 * DHT knows.
 */
export class DhtPointers {
  /** address -> the highest-seq pointer seen, given here or found on the DHT. */
  private readonly seen = new Map<string, SitePointer>();
  /** addresses whose pointer this server re-puts (given with a stored version). */
  private readonly held = new Set<string>();
  private readonly lookups = new Map<string, { at: number; result: Promise<SitePointer | undefined> }>();
  private inFlight = 0;
  private saving: Promise<void> = Promise.resolve();
  private reputting = false;
  private readonly timer: NodeJS.Timeout;

  private constructor(
    readonly node: DhtNode,
    private readonly o: DhtPointersOptions,
  ) {
    this.timer = setInterval(() => void this.reputAll(), o.reputMs ?? 60 * 60_000);
    this.timer.unref();
  }

  /** Joins the DHT. @throws {DhtError} E_DHT_START */
  static async start(options: DhtPointersOptions): Promise<DhtPointers> {
    const node = await DhtNode.start(options.node);
    options.log.info('dht_joined', { port: node.port, nodes: node.nodeCount, bootstrap: options.node.bootstrap ? options.node.bootstrap.length : 'mainline' });
    const pointers = new DhtPointers(node, options);
    if (options.dataDir) {
      const saved = await loadPointers(options.dataDir, (file, message) => options.log.error('dht_pointer_damaged', { file, message: message.slice(0, 300) }));
      // Taken again as if just given (the version must still be stored), and so put at once.
      for (const p of saved) {
        try {
          await pointers.accept(p, false);
        } catch (err) {
          options.log.warn('dht_pointer_dropped', { address: p.address, seq: p.seq, message: String((err as Error).message).slice(0, 200) });
        }
      }
    }
    return pointers;
  }

  /**
   * Takes a verified pointer for a stored version, saves it (with `dataDir`) and puts it
   * on the DHT (in the background: the answer does not wait for the DHT).
   * @throws {HttpError} 404 E_NOT_FOUND without that version here, 409 E_POINTER_MISMATCH
   *   when the version's info hash differs, 409 E_STALE_SEQ below a pointer already held.
   */
  async accept(pointer: SitePointer, save = true): Promise<SitePointer> {
    const { address, seq, infoHash } = pointer;
    const version = this.o.store.infoHashesOf(address).map((ih) => ({ ih, m: this.o.store.byInfoHash(ih) })).find((x) => x.m?.seq === seq);
    if (!version) throw new HttpError(404, 'E_NOT_FOUND', `this server holds no version ${seq} of this site; publish the manifest first, then its pointer`);
    if (version.ih !== infoHash) throw new HttpError(409, 'E_POINTER_MISMATCH', `version ${seq} here has info hash ${version.ih}, the pointer names ${infoHash}; sign the pointer for the published manifest`);
    const known = this.seen.get(address);
    if (known && known.seq > seq) throw new HttpError(409, 'E_STALE_SEQ', `a pointer with seq ${known.seq} is already known; publish a newer version`, { currentSeq: known.seq });
    this.seen.set(address, pointer);
    this.held.add(address);
    this.lookups.delete(address);
    void this.putOne(pointer);
    if (save && this.o.dataDir) {
      const dataDir = this.o.dataDir;
      // One write at a time, so a file never ends with an older pointer than the last given.
      const saved = this.saving.then(() => savePointer(dataDir, pointer));
      this.saving = saved.catch(() => {});
      await saved.catch((err: Error) => this.o.log.error('dht_pointer_save_failed', { address, message: err.message.slice(0, 200) }));
    }
    return pointer;
  }

  /** The pointer held or seen for `address`, if any. */
  known(address: string): SitePointer | undefined {
    const p = this.seen.get(address);
    return p && !this.o.refused(address, p.infoHash) ? p : undefined;
  }

  /**
   * For an address with no stored manifest: the 404 to answer. When the DHT (or an earlier
   * answer) names a version, the 404 says so (E_POINTER_ONLY with the pointer), so a
   * client looks for it among peers instead of concluding nothing is published.
   */
  async notFound(address: string): Promise<HttpError> {
    const plain = new HttpError(404, 'E_NOT_FOUND', 'nothing is published at this address');
    const found = await this.resolve(address);
    if (!found) return plain;
    // The pointer of a refused version is not repeated, whatever the DHT says.
    if (this.o.refused(address, found.infoHash)) return new HttpError(451, 'E_DENIED', 'the operator of this server refuses this site');
    return new HttpError(404, 'E_POINTER_ONLY', `this server holds no manifest, but the DHT says version ${found.seq} exists with info hash ${found.infoHash}: look for it among peers`, { pointer: pointerJson(found) });
  }

  /** A DHT lookup, shared by concurrent requests and reused for a while; never throws. */
  private resolve(address: string): Promise<SitePointer | undefined> {
    const now = Date.now();
    const cached = this.lookups.get(address);
    if (cached && now - cached.at < (this.o.resolveCacheMs ?? 60_000)) return cached.result;
    if (this.inFlight >= (this.o.maxLookups ?? 16)) return Promise.resolve(this.seen.get(address));
    if (this.lookups.size > 10_000) this.lookups.clear();
    this.inFlight++;
    const result = this.node.get(address).then(
      (got) => this.take(address, got),
      (err: Error) => {
        this.o.log.warn('dht_get_failed', { address, message: err.message.slice(0, 200) });
        return this.seen.get(address);
      },
    ).finally(() => this.inFlight--);
    this.lookups.set(address, { at: now, result });
    return result;
  }

  /** A verified pointer from the DHT is taken only when its seq is not below one already seen (BEP 44: seq only grows). */
  private take(address: string, got: SitePointer | undefined): SitePointer | undefined {
    const known = this.seen.get(address);
    if (!got) return known;
    if (known && got.seq < known.seq) {
      this.o.log.warn('dht_stale_pointer', { address, seq: got.seq, known: known.seq });
      return known;
    }
    if (!known || got.seq > known.seq) this.seen.set(address, got);
    return this.seen.get(address);
  }

  private async putOne(pointer: SitePointer): Promise<void> {
    try {
      const { nodes, alreadyHeld } = await this.node.put(pointer);
      this.o.log.info('dht_put', { address: pointer.address, seq: pointer.seq, nodes, alreadyHeld });
    } catch (err) {
      this.o.log.warn('dht_put_failed', { address: pointer.address, seq: pointer.seq, message: String((err as Error)?.message ?? err).slice(0, 200) });
    }
  }

  /**
   * Puts every held pointer again, four at a time (each put is a DHT traversal of a second
   * or two); refused sites' pointers are not. A round still running when the next is due
   * is not started twice.
   */
  async reputAll(): Promise<void> {
    if (this.reputting) return;
    this.reputting = true;
    try {
      const queue = [...this.held];
      const worker = async () => {
        for (let address = queue.shift(); address !== undefined; address = queue.shift()) {
          const p = this.seen.get(address);
          if (p && !this.o.refused(address, p.infoHash)) await this.putOne(p);
        }
      };
      await Promise.all([worker(), worker(), worker(), worker()]);
    } finally {
      this.reputting = false;
    }
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.node.close();
  }
}
