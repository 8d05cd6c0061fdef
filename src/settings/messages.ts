// The messages that were here (settings frame, heartbeats, the settings channel) are in
// src/bridge/frame-messages.ts with every other message between origins. The origin
// helpers are in src/core/origins.ts; re-exported for src/swarm/endpoints.ts and
// signaling/server.ts, which still import them from here (issue 16).
export { appOriginOf, canonicalAppOrigin, isSiteOriginOf, LOCAL_APP_HOSTNAME } from '../core/origins.js';
