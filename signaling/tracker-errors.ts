/**
 * Why the tracker refused a WebSocket message or connection. The code is stable (tests
 * and operators match on it); the message, which starts with the code, says what to do.
 * It reaches the client as `{ "failure reason": "<code>: <message>" }`, or, for a
 * refused connection, as an HTTP error body.
 */
export type TrackerErrorCode =
  /** The message is not what a browser's WebTorrent client sends (shape, type, range). */
  | 'E_BAD_MESSAGE'
  /** The operator refuses this info hash (denylist). */
  | 'E_DENIED'
  /** Another open socket uses this peer_id. */
  | 'E_PEER_ID_TAKEN'
  /** This socket already used `peerIdsPerSocket` distinct peer_ids. */
  | 'E_TOO_MANY_PEER_IDS'
  /** This socket is in `swarmsPerSocket` swarms already. */
  | 'E_TOO_MANY_SWARMS'
  /** The sockets of this IP address are in `swarmsPerIp` swarms already. */
  | 'E_IP_TOO_MANY_SWARMS'
  /** This IP address holds `socketsPerIp` tracker sockets already. */
  | 'E_IP_TOO_MANY_SOCKETS';

export class TrackerError extends Error {
  constructor(
    readonly code: TrackerErrorCode,
    message: string,
  ) {
    super(`${code}: ${message}`);
    this.name = 'TrackerError';
  }
}

/** A message a browser would not send. */
export const badMessage = (message: string): TrackerError => new TrackerError('E_BAD_MESSAGE', message);
