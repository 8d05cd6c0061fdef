/** Error codes of the DHT pointer (signaling/dht-*.ts), beside the API's and the core's. */
export type DhtErrorCode =
  /** The DHT could not be joined: the port is taken, or no bootstrap node answered. */
  | 'E_DHT_START'
  /** A DHT get or put did not finish in time. */
  | 'E_DHT_TIMEOUT'
  /** No DHT node took a put (none reachable, or every one refused it). */
  | 'E_DHT_PUT'
  /** A `--dht-bootstrap` entry that is not host:port. */
  | 'E_DHT_BOOTSTRAP'
  /** A `--dht-port` that is not a port number, or DHT flags without `--dht`. */
  | 'E_DHT_FLAGS';

/** A failure of the DHT node itself; its message starts with the code and says what to do. */
export class DhtError extends Error {
  constructor(
    readonly code: DhtErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${code}: ${message}`, options);
    this.name = 'DhtError';
  }
}

/** API codes of the pointer routes (beside signaling/errors.ts's ApiErrorCode). */
export type DhtApiErrorCode =
  /** `/api/sites/<address>/pointer` on a server started without `--dht`. */
  | 'E_DHT_OFF'
  /** A pointer whose info hash is not that of the stored version with its seq. */
  | 'E_POINTER_MISMATCH'
  /** 404 for a manifest this server does not hold, while the DHT names a version (`pointer`). */
  | 'E_POINTER_ONLY';
