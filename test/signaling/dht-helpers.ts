import DHT from 'bittorrent-dht';
import { strictDhtVerify } from '../../signaling/dht-node.js';

/** A DHT of raw library nodes on 127.0.0.1 (ports chosen by the OS), each told of every other. */
export interface LocalDht {
  nodes: DHT[];
  /** `127.0.0.1:<port>` of every node, for `bootstrap`. */
  bootstrap: string[];
  close(): Promise<void>;
}

function listen(dht: DHT): Promise<void> {
  return new Promise((resolve) => dht.listen(0, '127.0.0.1', () => resolve()));
}

/** Resolves when `dht` has pinged `port` and added it (bounded: 5 s). */
function addAndWait(dht: DHT, port: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`node ${port} did not answer a ping in 5 s`)), 5000);
    const onNode = (node: { port?: number }) => {
      if (node.port !== port) return;
      clearTimeout(timer);
      dht.off('node', onNode);
      resolve();
    };
    dht.on('node', onNode);
    dht.addNode({ host: '127.0.0.1', port });
  });
}

/**
 * `count` nodes with `bootstrap: false` (never the public routers), wired by explicit
 * `addNode` calls. `lenient` nodes store any signature: hostile storage, to prove the
 * reader checks what it gets.
 */
export async function localDht(count: number, options: { lenient?: boolean } = {}): Promise<LocalDht> {
  const verify = options.lenient ? () => true : strictDhtVerify;
  const nodes = Array.from({ length: count }, () => new DHT({ bootstrap: false, verify, host: false }));
  await Promise.all(nodes.map(listen));
  const ports = nodes.map((n) => n.address().port);
  await Promise.all(nodes.flatMap((n, i) => ports.filter((_, j) => j !== i).map((p) => addAndWait(n, p))));
  return {
    nodes,
    bootstrap: ports.map((p) => `127.0.0.1:${p}`),
    close: () => Promise.all(nodes.map((n) => new Promise<void>((resolve) => n.destroy(() => resolve())))).then(() => undefined),
  };
}

/** A raw node that joins `dht` through all its nodes, to put what an attacker would. */
export async function rawNode(dht: LocalDht, verify: (sig: Buffer, msg: Buffer, pk: Buffer) => boolean = () => true): Promise<DHT> {
  const node = new DHT({ bootstrap: false, verify, host: false });
  await listen(node);
  await Promise.all(dht.nodes.map((n) => addAndWait(node, n.address().port)));
  return node;
}

/** Puts a mutable item with the fields as given (the library signs nothing when `sig` is given). */
export function rawPut(node: DHT, item: { k: Buffer; v: unknown; seq: number; sig: Buffer }): Promise<number> {
  return new Promise((resolve, reject) => node.put(item, (err, _key, n) => (err ? reject(err) : resolve(n))));
}

/** Resolves with the first 'put' query `node` receives for `target`, or rejects after `ms`. */
export function nextPut(node: DHT, target: Uint8Array, ms: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      node.off('put', onPut);
      reject(new Error(`no put for the target within ${ms} ms`));
    }, ms);
    const onPut = (key: Buffer) => {
      if (!key.equals(Buffer.from(target))) return;
      clearTimeout(timer);
      node.off('put', onPut);
      resolve();
    };
    node.on('put', onPut);
  });
}
