// The messages that were here (settings frame, heartbeats, the settings channel) are in
// src/bridge/frame-messages.ts with every other message between origins. The origin
// helpers are in src/core/origins.ts; re-exported for src/swarm/endpoints.ts, which still
// imports canonicalAppOrigin from here (issue 16). The server no longer does.
export { canonicalAppOrigin } from '../core/origins.js';
