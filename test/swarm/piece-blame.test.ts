import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { blameBook, failedPiece, pieceSenders, webSeedPeerId } from '../../src/swarm/piece-blame.js';

describe('failedPiece', () => {
  it("reads the index from WebTorrent's warning and nothing else", () => {
    expect(failedPiece('Piece 7 failed verification')).toBe(7);
    expect(failedPiece('Piece 0 failed verification: something')).toBe(0);
    expect(failedPiece('tracker error: Piece 7 failed verification')).toBeUndefined();
    expect(failedPiece('connection error')).toBeUndefined();
  });
});

describe('pieceSenders', () => {
  it('blames every wire that sent blocks of a failed piece, once, and nobody for a verified one', () => {
    const senders = pieceSenders<string>();
    senders.sent(1, 'a');
    senders.sent(1, 'b');
    senders.sent(1, 'a');
    senders.sent(2, 'c');
    senders.verified(2);
    expect(senders.failed(1)).toEqual(['a', 'b']);
    expect(senders.failed(1)).toEqual([]);
    expect(senders.failed(2)).toEqual([]);
  });
});

describe('blameBook', () => {
  it('bans a peer once, and refuses its later wires', () => {
    const book = blameBook();
    expect(book.refused('p1')).toBe(false);
    expect(book.blame({ type: 'webrtc', peerId: 'p1' })).toEqual({ kind: 'peer', first: true });
    expect(book.blame({ type: 'webrtc', peerId: 'p1' })).toEqual({ kind: 'peer', first: false });
    expect(book.refused('p1')).toBe(true);
    expect(book.refused(undefined)).toBe(false);
  });

  it('disconnects a peer without an id but bans nobody', () => {
    const book = blameBook();
    expect(book.blame({ type: 'webrtc' })).toEqual({ kind: 'peer', first: false });
    expect(book.refused(undefined)).toBe(false);
  });

  it('drops a known mirror once and leaves the origin seed alone', () => {
    const book = blameBook();
    book.addMirror('m1', 'https://mirror.example/seed/abc/');
    expect(book.blame({ type: 'webSeed', peerId: 'origin' })).toEqual({ kind: 'origin' });
    expect(book.badMirror('https://mirror.example/seed/abc/')).toBe(false);
    expect(book.blame({ type: 'webSeed', peerId: 'm1' })).toEqual({ kind: 'mirror', url: 'https://mirror.example/seed/abc/', first: true });
    expect(book.blame({ type: 'webSeed', peerId: 'm1' })).toEqual({ kind: 'mirror', url: 'https://mirror.example/seed/abc/', first: false });
    expect(book.badMirror('https://mirror.example/seed/abc/')).toBe(true);
    expect(book.refused('m1')).toBe(false);
  });
});

describe('webSeedPeerId', () => {
  it("is the hex SHA-1 of the URL, as webtorrent's lib/webconn.js names a webseed's wire", async () => {
    const url = 'http://127.0.0.1:8080/seed/abc/';
    expect(await webSeedPeerId(url)).toBe(createHash('sha1').update(url).digest('hex'));
    // Known answer: SHA-1 of the empty string (RFC 3174 test suites use it too).
    expect(await webSeedPeerId('')).toBe('da39a3ee5e6b4b0d3255bfef95601890afd80709');
  });
});
