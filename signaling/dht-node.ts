import { createHash } from 'node:crypto';
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import DHT, { type DhtGetReply } from 'bittorrent-dht';
import { publisherKeyFromAddress, sha1 } from '../src/core/index.js';
import { verifyEd25519Sync } from '../src/core/ed25519-sync.js';
import { DhtError } from './dht-errors.js';
import { checkPointer, pointerValue, type SitePointer } from './dht-pointer.js';

/** What a put achieved. */
export interface DhtPutResult {
  /** Nodes that stored it. */
  nodes: number;
  /**
   * Every node answered that it holds this seq or a newer one (error 302). BEP 44 asks a
   * node to refresh an item put again with the same seq and value; bittorrent-dht 11
   * answers 302 instead, so a re-put to such nodes reports this.
   */
  alreadyHeld: boolean;
}

export interface DhtNodeOptions {
  /** UDP port; 0 (default) lets the OS choose. */
  port?: number;
  /** Address to bind (default 0.0.0.0; tests use 127.0.0.1). */
  host?: string;
  /**
   * Nodes to join through, as `host:port`. Absent: the mainline DHT's public bootstrap
   * nodes (the library's list). An empty list: none (a node others add).
   */
  bootstrap?: string[];
  /** Longest wait for one get or put (default 15 s). */
  timeoutMs?: number;
}

const sha512 = (bytes: Uint8Array): Uint8Array => createHash('sha512').update(bytes).digest();

/**
 * The library checks BEP 44 signatures synchronously, on every item it stores for others
 * (BEP 44 "put") and every reply to its own gets: the strict rule, so this node stores and
 * takes no signature the rest of the project would refuse.
 */
export function strictDhtVerify(sig: Uint8Array, msg: Uint8Array, publicKey: Uint8Array): boolean {
  return verifyEd25519Sync(sig, msg, publicKey, sha512);
}

/**
 * Parses `--dht-bootstrap host:port,...`.
 * @throws {DhtError} E_DHT_BOOTSTRAP naming the entry.
 */
export function parseBootstrap(text: string): string[] {
  return text.split(',').map((s) => s.trim()).filter(Boolean).map((entry) => {
    const m = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+):(\d{1,5})$/i.exec(entry);
    if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535) throw new DhtError('E_DHT_BOOTSTRAP', `--dht-bootstrap expects host:port entries separated by commas, got "${entry.slice(0, 80)}"`);
    return entry;
  });
}

/** Senders (address:port) whose message threw inside the library; ignored from then on. */
const MAX_BANNED = 10_000;

/**
 * A UDP socket for the library whose message handling cannot take the process down.
 * bittorrent-dht 11 and k-rpc trust the types of what they decode: a `put` whose `k` is an
 * integer (after a valid token from a `get`) makes `createHash().update()` throw, and a
 * reply whose `id` is not bytes makes `Buffer.equals` throw, both uncaught in the socket's
 * 'message' handler, so one UDP packet would stop the server. Here such a message is
 * dropped, its sender ignored from then on, and the node goes on.
 */
function guardedSocket(onHostile: (from: string, err: unknown) => void): Socket {
  const socket = createSocket('udp4');
  const banned = new Set<string>();
  const emit = socket.emit.bind(socket) as (event: string | symbol, ...args: unknown[]) => boolean;
  socket.emit = ((event: string | symbol, ...args: unknown[]): boolean => {
    if (event !== 'message') return emit(event, ...args);
    const rinfo = args[1] as RemoteInfo;
    const from = `${rinfo.address}:${rinfo.port}`;
    if (banned.has(from)) return true;
    try {
      return emit(event, ...args);
    } catch (err) {
      if (banned.size >= MAX_BANNED) banned.clear();
      banned.add(from);
      onHostile(from, err);
      return true;
    }
  }) as Socket['emit'];
  return socket;
}

function withTimeout<T>(ms: number, what: string, start: (done: (err: Error | null, value?: T) => void) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new DhtError('E_DHT_TIMEOUT', `${what} took over ${ms} ms; check that the DHT is reachable (UDP) and try again`)), ms);
    start((err, value) => {
      clearTimeout(timer);
      if (err) reject(err);
      else resolve(value as T);
    });
  });
}

/**
 * One node of the BitTorrent DHT (BEP 5) that puts and gets site pointers (BEP 44
 * mutable items, BEP 46 values). Everything another node sends is checked here again,
 * whatever the library checked.
 */
export class DhtNode {
  /** Messages that threw inside the library (their senders are ignored since). */
  hostileMessages = 0;

  private constructor(
    private readonly dht: DHT,
    private readonly timeoutMs: number,
  ) {}

  /**
   * Binds the UDP socket and joins through the bootstrap nodes.
   * @throws {DhtError} E_DHT_START when the socket cannot be bound.
   */
  static async start(options: DhtNodeOptions = {}): Promise<DhtNode> {
    const explicit = options.bootstrap;
    // Explicit nodes are added one by one (a ping each); `bootstrap: false` keeps the
    // library from ever falling back on the public routers, e.g. when a test node is isolated.
    let node: DhtNode | undefined;
    const socket = guardedSocket(() => {
      if (node) node.hostileMessages++;
    });
    const dht = new DHT({ bootstrap: explicit ? false : true, verify: strictDhtVerify, host: false, socket });
    dht.on('warning', () => {}); // a misbehaving node is the library's warning, never a crash
    node = new DhtNode(dht, options.timeoutMs ?? 15_000);
    await new Promise<void>((resolve, reject) => {
      dht.once('error', (err: Error) => {
        dht.destroy();
        reject(new DhtError('E_DHT_START', `cannot open the DHT's UDP port: ${err.message}; pick another with --dht-port`, { cause: err }));
      });
      dht.listen(options.port ?? 0, options.host ?? '0.0.0.0', () => resolve());
    });
    // Later socket errors (k-rpc-socket reports only EACCES and EADDRINUSE, at bind) must not throw.
    dht.on('error', () => {});
    if (explicit) await Promise.all(explicit.map((entry) => node.addNode(entry)));
    return node;
  }

  get port(): number {
    return this.dht.address().port;
  }

  /** Nodes in the routing table now. */
  get nodeCount(): number {
    return this.dht.toJSON().nodes.length;
  }

  /** Pings `host:port` and adds it when it answers; resolves either way within the timeout. */
  addNode(entry: string): Promise<void> {
    const at = entry.lastIndexOf(':');
    const host = entry.slice(0, at).replace(/^\[|\]$/g, '');
    const port = Number(entry.slice(at + 1));
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, Math.min(this.timeoutMs, 5000));
      const self = this;
      function onNode(node: { host?: string; port?: number }) {
        if (node.port === port) done();
      }
      function done() {
        clearTimeout(timer);
        self.dht.off('node', onNode);
        resolve();
      }
      this.dht.on('node', onNode);
      this.dht.addNode({ host, port });
    });
  }

  /**
   * Puts a pointer (BEP 44 put with the publisher's signature as given), to the nodes
   * closest to its target.
   * @throws {DhtError} E_DHT_TIMEOUT, E_DHT_PUT
   */
  put(pointer: SitePointer): Promise<DhtPutResult> {
    const k = Buffer.from(publisherKeyFromAddress(pointer.address));
    // The library bencodes the message itself: it gets the value decoded, `{ ih }`.
    const ih = Buffer.from(pointer.v.subarray(pointer.v.length - 21, pointer.v.length - 1));
    return withTimeout<DhtPutResult>(this.timeoutMs, 'a DHT put', (done) => {
      this.dht.put({ k, v: { ih }, seq: pointer.seq, sig: Buffer.from(pointer.sig) }, (err, _key, n) => {
        if (!err) return done(null, { nodes: n, alreadyHeld: false });
        if ((err as Error & { code?: unknown }).code === 302) return done(null, { nodes: 0, alreadyHeld: true });
        done(new DhtError('E_DHT_PUT', `no DHT node took the pointer (${err.message}); check that the bootstrap nodes are reachable over UDP`, { cause: err }));
      });
    });
  }

  /**
   * Gets `address`'s pointer (target SHA-1(public key), no salt: BEP 44) and answers it
   * only when it verifies strictly and its value is exactly `{ ih }`; the highest seq any
   * node answered with. Undefined when no node has one.
   * @throws {DhtError} E_DHT_TIMEOUT
   */
  async get(address: string): Promise<SitePointer | undefined> {
    const publicKey = publisherKeyFromAddress(address);
    const target = Buffer.from(await sha1(publicKey));
    const reply = await withTimeout<DhtGetReply | null>(this.timeoutMs, 'a DHT get', (done) => this.dht.get(target, { cache: false }, done));
    return reply ? pointerFromReply(address, publicKey, reply) : undefined;
  }

  /** Leaves the DHT; safe to call twice. */
  close(): Promise<void> {
    return new Promise((resolve) => this.dht.destroy(() => resolve()));
  }
}

/** A get reply as the library decoded it, checked field by field; undefined when anything is off. */
async function pointerFromReply(address: string, publicKey: Uint8Array, reply: DhtGetReply): Promise<SitePointer | undefined> {
  const { k, sig, seq, v, salt } = reply;
  if (salt !== undefined && !(salt instanceof Uint8Array && salt.length === 0)) return undefined;
  if (!(k instanceof Uint8Array) || !Buffer.from(k).equals(Buffer.from(publicKey))) return undefined;
  if (!(sig instanceof Uint8Array) || sig.length !== 64) return undefined;
  // `v` arrives decoded; only `{ ih: <20 bytes> }` is a pointer, so it is rebuilt from that.
  if (!v || typeof v !== 'object' || Array.isArray(v) || v instanceof Uint8Array) return undefined;
  const keys = Object.keys(v);
  const ih = (v as { ih?: unknown }).ih;
  if (keys.length !== 1 || !(ih instanceof Uint8Array) || ih.length !== 20) return undefined;
  try {
    return await checkPointer(address, seq, pointerValue(new Uint8Array(ih)), new Uint8Array(sig));
  } catch {
    return undefined;
  }
}
