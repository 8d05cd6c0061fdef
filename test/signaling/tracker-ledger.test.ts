import { describe, expect, it } from 'vitest';
import { TrackerError } from '../../signaling/tracker-errors.js';
import { TrackerLedger, type LedgerLimits } from '../../signaling/tracker-ledger.js';

const LIMITS: LedgerLimits = { socketsPerIp: 2, swarmsPerSocket: 3, swarmsPerIp: 4, peerIdsPerSocket: 2 };
const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(TrackerError);
    return (err as TrackerError).code;
  }
  return undefined;
};

function ledger(limits: Partial<LedgerLimits> = {}) {
  const l = new TrackerLedger<object>({ ...LIMITS, ...limits });
  const socket = (ip = '10.0.0.1') => {
    const s = {};
    l.reserveSocket(ip);
    l.attach(s, ip);
    return s;
  };
  return { l, socket };
}

describe('TrackerLedger', () => {
  it('binds a peer_id to the first socket that uses it until that socket is detached', () => {
    const { l, socket } = ledger();
    const a = socket();
    const b = socket('10.0.0.2');
    l.admit(a, 'ih1', 'p1', 'started');
    for (const event of ['started', 'stopped', 'completed', 'update', undefined] as const) expect(codeOf(() => l.admit(b, 'ih1', 'p1', event))).toBe('E_PEER_ID_TAKEN');
    expect(l.detach(a)).toEqual([{ infoHash: 'ih1', peerId: 'p1' }]);
    expect(codeOf(() => l.admit(b, 'ih1', 'p1', 'started'))).toBeUndefined();
  });

  it('counts a peer_id in a swarm once, gives the place back on stopped or eviction, and refuses beyond the caps', () => {
    const { l, socket } = ledger();
    const a = socket();
    l.admit(a, 'ih1', 'p1', 'started');
    l.admit(a, 'ih1', 'p1', undefined); // the same place
    l.admit(a, 'ih1', 'p2', 'started'); // another peer_id: another place
    l.admit(a, 'ih2', 'p1', 'started');
    expect(l.placesOf('10.0.0.1')).toBe(3);
    expect(codeOf(() => l.admit(a, 'ih3', 'p1', 'started'))).toBe('E_TOO_MANY_SWARMS');
    expect(codeOf(() => l.admit(a, 'ih1', 'p3', 'started'))).toBe('E_TOO_MANY_PEER_IDS');
    l.admit(a, 'ih2', 'p1', 'stopped');
    l.evicted('ih1', 'p2');
    expect(l.placesOf('10.0.0.1')).toBe(1);
    l.admit(a, 'ih3', 'p1', 'started');
    // The IP's cap holds across its sockets.
    const b = socket();
    l.admit(b, 'ih4', 'p9', 'started');
    l.admit(b, 'ih5', 'p9', 'started');
    expect(codeOf(() => l.admit(b, 'ih6', 'p9', 'started'))).toBe('E_IP_TOO_MANY_SWARMS');
    expect(l.placesOf('10.0.0.1')).toBe(4);
  });

  it('refuses a refused announce without recording anything', () => {
    const { l, socket } = ledger({ swarmsPerSocket: 1 });
    const a = socket();
    l.admit(a, 'ih1', 'p1', 'started');
    expect(codeOf(() => l.admit(a, 'ih2', 'p2', 'started'))).toBe('E_TOO_MANY_SWARMS');
    expect(l.size.peerIds).toBe(1); // p2 was not bound
    const b = socket('10.0.0.2');
    expect(codeOf(() => l.admit(b, 'ih2', 'p2', 'started'))).toBeUndefined();
    // A stopped for a peer_id nobody owns binds nothing.
    l.admit(a, 'ih9', 'p7', 'stopped');
    expect(l.size.peerIds).toBe(2);
  });

  it('caps sockets per IP and forgets an IP once it holds nothing', () => {
    const { l, socket } = ledger();
    const a = socket();
    socket();
    expect(codeOf(() => l.reserveSocket('10.0.0.1'))).toBe('E_IP_TOO_MANY_SOCKETS');
    expect(codeOf(() => l.reserveSocket('10.0.0.2'))).toBeUndefined();
    l.admit(a, 'ih1', 'p1', 'started');
    l.releaseSocket('10.0.0.1');
    expect(codeOf(() => l.reserveSocket('10.0.0.1'))).toBeUndefined();
    for (let i = 0; i < 3; i++) l.releaseSocket('10.0.0.1');
    l.releaseSocket('10.0.0.2');
    expect(l.size.ips).toBe(1); // a's place is still held
    l.detach(a);
    expect(l.size).toEqual({ sockets: 1, ips: 0, peerIds: 0 });
  });
});
