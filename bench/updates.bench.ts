/**
 * Updates to open pages:
 * - update_seen_ms: from a publish to the update offered in an open page (the page holds
 *   a manifest request the server answers on publish), median of 5;
 * - server_kb_per_open_page: the server's resident memory per open page, with 1,000
 *   simulated pages each holding the long poll a real page holds (one keep-alive
 *   connection, re-asking when answered), measured against the same server idle; and the
 *   CPU those pages cost it per minute.
 */
import { readFile } from 'node:fs/promises';
import { mkdtemp, rm } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPair } from '../src/core/index.js';
import { startServer } from '../signaling/server.js';
import { publishFixture } from '../e2e/helpers/harness.js';
import { launchChromium } from '../test/helpers/chromium.js';
import { startServerProcess } from '../test/helpers/server-process.js';
import { DIST_DIR } from './lib/bench-server.js';

export const figures = ['update_seen_ms', 'server_kb_per_open_page'];

const PAGES = 1000;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function cpuMs(pid: number): Promise<number> {
  const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1].split(' ');
  // utime and stime, fields 14 and 15 of stat (11 and 12 after the name), in clock ticks (100/s here).
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

async function serverPerPage(): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'p2p-bench-updates-'));
  // All simulated pages come from 127.0.0.1: lift the per-IP caps a real crowd never meets.
  const server = await startServerProcess(['--data', dataDir, '--dist', join(dataDir, 'dist'), '--connections-per-ip', '5000']);
  const agent = new Agent({ keepAlive: true, maxSockets: PAGES + 10 });
  let stopped = false;
  try {
    const { bundle } = await publishFixture(server.url, 1, await generateKeyPair());
    const path = `/api/sites/${bundle.manifest.address}`;
    const etag = await new Promise<string>((resolve, reject) => {
      request(`${server.url}${path}`, { agent }, (res) => {
        res.resume();
        res.on('end', () => resolve(String(res.headers.etag)));
      }).on('error', reject).end();
    });
    const poll = (): void => {
      if (stopped) return;
      const req = request(`${server.url}${path}`, { agent, headers: { 'If-None-Match': etag, Prefer: 'wait=25' } }, (res) => {
        res.resume();
        res.on('end', poll);
      });
      req.on('error', () => undefined);
      req.end();
    };
    await new Promise((r) => setTimeout(r, 1000));
    const idleKb = await server.rssKb();
    for (let i = 0; i < PAGES; i++) poll();
    // Until every page holds its request, then through one full wait and re-ask.
    await new Promise((r) => setTimeout(r, 3000));
    const cpu0 = await cpuMs(server.child.pid!);
    await new Promise((r) => setTimeout(r, 30_000));
    const cpu1 = await cpuMs(server.child.pid!);
    const heldKb = await server.rssKb();
    const perPage = (heldKb - idleKb) / PAGES;
    console.error(`${PAGES} open pages: RSS ${idleKb} kB idle -> ${heldKb} kB; server CPU ${cpu1 - cpu0} ms in 30 s (${(((cpu1 - cpu0) * 2) / PAGES).toFixed(2)} ms per page per minute)`);
    console.log(`BENCH server_kb_per_open_page ${perPage.toFixed(1)} kB`);
  } finally {
    stopped = true;
    agent.destroy();
    await server.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

async function updateSeen(): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'p2p-bench-updates-'));
  const server = await startServer({ host: '127.0.0.1', port: 0, dataDir, distDir: DIST_DIR, log: () => {} });
  const browser = await launchChromium();
  try {
    const key = await generateKeyPair();
    const { bundle } = await publishFixture(server.url, 1, key);
    const page = await (await browser.newContext()).newPage();
    await page.goto(`http://${bundle.manifest.address}.p2p.localhost:${server.port}/`);
    await page.waitForSelector('#title');
    await page.waitForFunction(() => (globalThis as unknown as { p2pSite?: { engine: { state: { phase: string } } } }).p2pSite?.engine.state.phase === 'ready', undefined, { timeout: 60_000 });
    const seen: number[] = [];
    for (let seq = 2; seq <= 6; seq++) {
      while (server.waitingPages === 0) await new Promise((r) => setTimeout(r, 20));
      const t0 = Date.now();
      await publishFixture(server.url, seq, key, (files) => files.push({ path: `v${seq}.txt`, bytes: new TextEncoder().encode(String(seq)) }));
      await page.waitForFunction((s) => (globalThis as unknown as { p2pSite?: { engine: { state: { pending?: { seq: number }; manifest?: { seq: number } } } } }).p2pSite?.engine.state.pending?.seq === s, seq, { timeout: 30_000 });
      seen.push(Date.now() - t0);
    }
    console.error(`publish to update seen in the open page: ${seen.join(', ')} ms`);
    console.log(`BENCH update_seen_ms ${median(seen)} ms`);
  } finally {
    await browser.close();
    await server.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

export default async function run(only?: string): Promise<void> {
  if (!only || only === 'update_seen_ms') await updateSeen();
  if (!only || only === 'server_kb_per_open_page') await serverPerPage();
}
