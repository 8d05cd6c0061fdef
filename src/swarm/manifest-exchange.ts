import type { Wire, WireExtension, WireExtensionConstructor } from 'webtorrent/dist/webtorrent.min.js';
import { bdecode, bencode, CoreError, fromUtf8, utf8, type Manifest } from '../core/index.js';

/**
 * `p2p_manifest`, a BEP 10 extension carrying signed manifests between peers, so a new
 * version spreads while the server is down. Each side puts the newest seq it holds for
 * the site in its extended handshake (`p2p_seq`); a side holding a higher seq sends its
 * manifest JSON in one message `{ m: <bytes> }`. Receivers verify before use; a peer
 * that sends anything that does not verify is disconnected (see docs/PROTOCOL.md).
 */
export const EXTENSION_NAME = 'p2p_manifest';
/** Manifests bigger than this are not sent over wires; peers fetch those from the server. */
export const MAX_WIRE_MANIFEST_BYTES = 1024 * 1024;

export interface ManifestExchangeHooks {
  /** Newest manifest this peer holds, if any. */
  newest(): Manifest | undefined;
  /** Called with an unverified manifest; resolve true when it verified (and was useful or not), false to ban the sender. */
  received(manifest: unknown, wire: Wire): Promise<boolean>;
  warn(message: string): void;
}

export function manifestExchange(hooks: ManifestExchangeHooks): WireExtensionConstructor {
  class ManifestExchange implements WireExtension {
    name = EXTENSION_NAME;
    private readonly wire: Wire;
    private sentSeq = -1;
    private theirSeq = -1;

    constructor(wire: Wire) {
      this.wire = wire;
      const newest = hooks.newest();
      if (newest) wire.extendedHandshake.p2p_seq = newest.seq;
    }

    onExtendedHandshake(handshake: Record<string, unknown>): void {
      const m = handshake.m as Record<string, unknown> | undefined;
      if (!m || !(EXTENSION_NAME in m)) return;
      this.theirSeq = typeof handshake.p2p_seq === 'number' ? handshake.p2p_seq : -1;
      this.offer();
    }

    /** Sends our newest manifest if the peer's seq is lower; called again whenever ours changes. */
    offer(): void {
      const newest = hooks.newest();
      if (!newest || newest.seq <= this.theirSeq || newest.seq <= this.sentSeq) return;
      const json = utf8(JSON.stringify(newest));
      if (json.length > MAX_WIRE_MANIFEST_BYTES) return;
      this.sentSeq = newest.seq;
      this.wire.extended(EXTENSION_NAME, bencode({ m: json }));
    }

    onMessage(message: Uint8Array): void {
      let manifest: unknown;
      try {
        if (message.length > MAX_WIRE_MANIFEST_BYTES + 64) throw new CoreError('E_TOO_LARGE', 'manifest message too large');
        const decoded = bdecode(message) as Record<string, unknown>;
        if (!(decoded.m instanceof Uint8Array)) throw new CoreError('E_BAD_MANIFEST', 'message has no manifest');
        manifest = JSON.parse(fromUtf8(decoded.m));
      } catch (err) {
        hooks.warn(`peer sent a garbled manifest message (${err instanceof CoreError ? err.code : 'E_BAD_ENCODING'}); disconnecting it`);
        this.wire.destroy();
        return;
      }
      const seq = (manifest as { seq?: unknown })?.seq;
      void hooks.received(manifest, this.wire).then((ok) => {
        if (ok && typeof seq === 'number') this.theirSeq = Math.max(this.theirSeq, seq);
        if (!ok) this.wire.destroy();
      });
    }
  }
  ManifestExchange.prototype.name = EXTENSION_NAME;
  return ManifestExchange as unknown as WireExtensionConstructor;
}

/** Offers our newest manifest on every wire that speaks the extension. */
export function offerOnWires(wires: readonly Wire[]): void {
  for (const wire of wires) (wire as unknown as Record<string, { offer?: () => void } | undefined>)[EXTENSION_NAME]?.offer?.();
}
