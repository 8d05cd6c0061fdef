// bittorrent-tracker ships no types; the server is used through signaling/tracker.ts only.
declare module 'bittorrent-tracker/server' {
  const Server: unknown;
  export default Server;
}
