// bittorrent-dht 11 ships no types; only what signaling/dht-node.ts uses is declared.
declare module 'bittorrent-dht' {
  import { EventEmitter } from 'node:events';

  export interface DhtGetReply {
    k?: unknown;
    sig?: unknown;
    seq?: unknown;
    v?: unknown;
    salt?: unknown;
  }

  export interface DhtOptions {
    bootstrap?: false | true | string[];
    verify?: (sig: Buffer, msg: Buffer, publicKey: Buffer) => boolean;
    host?: string | false;
    maxValues?: number;
    timeBucketOutdated?: number;
    /** Passed down to k-rpc-socket: the UDP socket to use. */
    socket?: import('node:dgram').Socket;
  }

  export default class DHT extends EventEmitter {
    constructor(options?: DhtOptions);
    readonly nodeId: Buffer;
    listening: boolean;
    destroyed: boolean;
    listen(port: number, host: string, onListening?: () => void): void;
    address(): { address: string; port: number; family: string };
    addNode(node: { host: string; port: number; id?: Buffer }): void;
    toJSON(): { nodes: { host: string; port: number }[] };
    put(
      options: { k: Buffer; v: unknown; seq: number; sig: Buffer; salt?: Buffer },
      callback: (err: Error | null, key: Buffer, nodes: number) => void,
    ): Buffer;
    get(target: Buffer, options: { cache?: boolean }, callback: (err: Error | null, reply: DhtGetReply | null) => void): void;
    destroy(callback?: () => void): void;
  }
}
