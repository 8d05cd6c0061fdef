// The parts of WebTorrent 2.x's browser build this project uses. WebTorrent ships no
// types; these follow its documented API.
declare module 'webtorrent/dist/webtorrent.min.js' {
  import type { EventEmitter } from 'events';

  export interface Wire extends EventEmitter {
    type: 'webrtc' | 'tcpIncoming' | 'tcpOutgoing' | 'utp' | 'webSeed';
    peerId: string;
    remoteAddress?: string;
    destroyed: boolean;
    downloaded: number;
    uploaded: number;
    extendedHandshake: Record<string, unknown>;
    use(extension: WireExtensionConstructor): void;
    choke(): void;
    unchoke(): void;
    extended(name: string, message: Uint8Array): void;
    destroy(): void;
  }

  export interface WireExtension {
    name: string;
    onHandshake?(infoHash: string, peerId: string, extensions: Record<string, boolean>): void;
    onExtendedHandshake?(handshake: Record<string, unknown>): void;
    onMessage?(message: Uint8Array): void;
  }

  export interface WireExtensionConstructor {
    new (wire: Wire): WireExtension;
    prototype: { name: string };
  }

  export interface TorrentFile {
    name: string;
    path: string;
    length: number;
    offset: number;
    select(priority?: number): void;
    deselect(): void;
  }

  export interface Torrent extends EventEmitter {
    infoHash: string;
    files: TorrentFile[];
    wires: Wire[];
    numPeers: number;
    downloaded: number;
    uploaded: number;
    downloadSpeed: number;
    uploadSpeed: number;
    progress: number;
    done: boolean;
    ready: boolean;
    destroyed: boolean;
    pieceLength: number;
    urlList: string[];
    discovery?: { tracker?: EventEmitter };
    addWebSeed(url: string): void;
    select(start: number, end: number, priority?: number): void;
    critical(start: number, end: number): void;
    pause(): void;
    resume(): void;
    destroy(opts?: { destroyStore?: boolean }, cb?: (err?: Error) => void): void;
  }

  export interface AddOptions {
    announce?: string[];
    urlList?: string[];
    preloadedStore?: unknown;
    storeCacheSlots?: number;
    skipVerify?: boolean;
    bitfield?: Uint8Array;
    deselect?: boolean;
    private?: boolean;
    maxWebConns?: number;
    strategy?: 'sequential' | 'rarest';
    /** Extra parameters for every announce (bittorrent-tracker), e.g. `numwant`. */
    getAnnounceOpts?: () => Record<string, unknown>;
  }

  export interface ClientOptions {
    maxConns?: number;
    downloadLimit?: number;
    uploadLimit?: number;
    utPex?: boolean;
    dht?: boolean;
    lsd?: boolean;
    webSeeds?: boolean;
    tracker?: { rtcConfig?: RTCConfiguration; wrtc?: unknown } | false;
  }

  export default class WebTorrent extends EventEmitter {
    static WEBRTC_SUPPORT: boolean;
    constructor(opts?: ClientOptions);
    torrents: Torrent[];
    downloadSpeed: number;
    uploadSpeed: number;
    destroyed: boolean;
    add(torrentId: Uint8Array | string, opts?: AddOptions, ontorrent?: (torrent: Torrent) => void): Torrent;
    get(infoHash: string): Promise<Torrent | null>;
    remove(infoHash: string, opts?: { destroyStore?: boolean }, cb?: (err?: Error) => void): Promise<void>;
    throttleDownload(rate: number): void;
    throttleUpload(rate: number): void;
    destroy(cb?: (err?: Error) => void): void;
  }
}
