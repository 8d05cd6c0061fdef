/** What blame needs to know of a wire: WebTorrent's `type` and `peerId`. */
export interface BlamedWire {
  readonly type: string;
  readonly peerId?: string;
}

/**
 * The index in WebTorrent's warning for a piece whose bytes failed its SHA-1 piece hash
 * ("Piece 3 failed verification", lib/torrent.js), or undefined for any other warning.
 * The one place a message is matched by its text: WebTorrent (2.8.5) emits that warning
 * as a bare `Error` with no code, no index field and no event of its own, so its text is
 * all there is. Kept here alone so a WebTorrent upgrade that rewords it breaks one
 * function (and test/swarm/piece-blame.test.ts), not the transfer.
 */
export function failedPiece(message: string): number | undefined {
  const bad = /^Piece (\d+) failed verification/.exec(message);
  return bad ? Number(bad[1]) : undefined;
}

/** Who sent blocks of each piece still being checked, on one torrent. */
export interface PieceSenders<W> {
  /** `wire` sent a block of piece `index`. */
  sent(index: number, wire: W): void;
  /** Piece `index` matched its hash: nobody is to blame for it. */
  verified(index: number): void;
  /** Piece `index` failed its hash: the wires that sent its blocks, forgotten with it. */
  failed(index: number): W[];
}

/**
 * WebTorrent only drops a piece that fails its hash and asks again, often from the same
 * peer, without end; remembering the senders lets the transfer blame them instead.
 */
export function pieceSenders<W>(): PieceSenders<W> {
  const senders = new Map<number, Set<W>>();
  return {
    sent(index, wire) {
      const set = senders.get(index) ?? new Set<W>();
      set.add(wire);
      senders.set(index, set);
    },
    verified: (index) => void senders.delete(index),
    failed(index) {
      const out = [...(senders.get(index) ?? [])];
      senders.delete(index);
      return out;
    },
  };
}

/**
 * What to do with a wire that sent a bad piece. `origin`: nothing (its bytes fail only if
 * the server is broken). `mirror`: drop that webseed URL for the rest of the transfer.
 * `peer`: disconnect it and refuse its id. `first` is true the first time a mirror or a
 * peer id is blamed, when it is worth a warning and a count.
 */
export type BlameVerdict = { kind: 'origin' } | { kind: 'mirror'; url: string; first: boolean } | { kind: 'peer'; first: boolean };

/** Whom a transfer has blamed so far; it outlives the transfer's torrents. */
export interface BlameBook {
  /** A mirror's webseed URL and the peer id of its wires (see `webSeedPeerId`). */
  addMirror(peerId: string, url: string): void;
  /** True for a peer id already banned, whose new wires are refused. */
  refused(peerId: string | undefined): boolean;
  /** True for a mirror URL that sent wrong bytes: never added again. */
  badMirror(url: string): boolean;
  /** Records the blame for a wire that sent a bad piece and says what to do with it. */
  blame(wire: BlamedWire): BlameVerdict;
}

export function blameBook(): BlameBook {
  const banned = new Set<string>();
  const badMirrors = new Set<string>();
  // The origin seed is not here: only mirrors are known by their wires' peer id.
  const mirrorOfPeerId = new Map<string, string>();
  return {
    addMirror: (peerId, url) => void mirrorOfPeerId.set(peerId, url),
    refused: (peerId) => peerId !== undefined && banned.has(peerId),
    badMirror: (url) => badMirrors.has(url),
    blame(wire) {
      if (wire.type === 'webSeed') {
        // A mirror is anyone's static host, unlike the origin seed.
        const url = mirrorOfPeerId.get(wire.peerId ?? '');
        if (!url) return { kind: 'origin' };
        const first = !badMirrors.has(url);
        badMirrors.add(url);
        return { kind: 'mirror', url, first };
      }
      const first = !!wire.peerId && !banned.has(wire.peerId);
      if (first) banned.add(wire.peerId!);
      return { kind: 'peer', first };
    },
  };
}

/**
 * The peer id WebTorrent gives a webseed's wire: the hex SHA-1 of its URL (webtorrent's
 * lib/webconn.js), the only thing on the wire that says which webseed it is.
 */
export async function webSeedPeerId(url: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-1', new TextEncoder().encode(url));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}
