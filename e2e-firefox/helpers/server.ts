import { startServer } from '../../signaling/server.js';
import type { TestServer } from '../../e2e/helpers/harness.js';

/** Restarts a test server on the same port and data folder, as an operator would with other flags. */
export async function restartServer(ts: TestServer, origin: boolean): Promise<void> {
  await ts.server.close();
  ts.server = await startServer({ host: '127.0.0.1', port: ts.port, dataDir: ts.dataDir, distDir: process.env.P2P_DIST ?? 'dist', origin, log: () => {} });
}
