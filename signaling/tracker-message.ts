/**
 * Checks a tracker WebSocket message before bittorrent-tracker's server sees it. The
 * library trusts the shape of `offers` (an announce with `offers: [null]` into a swarm
 * with peers throws inside its callback and takes the process down) and relays
 * `offer`/`answer` values as they came, so anything but the shapes browsers send is
 * refused here with a reason.
 */
export class TrackerMessageError extends Error {
  readonly code = 'E_BAD_MESSAGE';
  constructor(message: string) {
    super(`E_BAD_MESSAGE: ${message}`);
    this.name = 'TrackerMessageError';
  }
}

/** bittorrent-tracker's `common.MAX_ANNOUNCE_PEERS`: it answers at most this many offers. */
const MAX_OFFERS = 82;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
/** A WebRTC session description as browsers send it without trickle ICE: `{ type, sdp }`. */
const isDescription = (v: unknown, type: string): boolean => isObject(v) && v.type === type && typeof v.sdp === 'string';
/** Ids on the wire are 20 bytes as a latin1 string (BEP 3 peer ids, offer ids). */
const isId = (v: unknown): boolean => typeof v === 'string' && v.length === 20;

/**
 * @throws {TrackerMessageError} when the message is not JSON, not an object, or its
 *   offers or answer do not have the shape a WebRTC client sends
 */
export function checkTrackerMessage(text: string): void {
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    throw new TrackerMessageError('the message is not JSON');
  }
  if (!isObject(message)) throw new TrackerMessageError('the message must be a JSON object');
  if (message.action !== 'announce' && message.action !== 'scrape') throw new TrackerMessageError('"action" must be "announce" or "scrape"');
  if (message.action === 'scrape') return;
  if (message.offers !== undefined) {
    if (!Array.isArray(message.offers) || message.offers.length > MAX_OFFERS) throw new TrackerMessageError(`"offers" must be an array of at most ${MAX_OFFERS}`);
    for (const o of message.offers) {
      if (!isObject(o) || !isDescription(o.offer, 'offer') || !isId(o.offer_id)) {
        throw new TrackerMessageError('each offer must be { offer: { type: "offer", sdp }, offer_id: <20 characters> }');
      }
    }
  }
  if (message.answer !== undefined && message.answer !== null) {
    if (!isDescription(message.answer, 'answer') || !isId(message.offer_id)) {
      throw new TrackerMessageError('an answer must be { type: "answer", sdp } with a 20-character offer_id');
    }
  }
}
