import { afterEach, describe, expect, it } from 'vitest';
import { Metrics } from '../../signaling/metrics.js';
import { SiteBytes } from '../../signaling/site-bytes.js';
import { TransferTally } from '../../signaling/transfer-tally.js';
import { fetchAs, harness, publish, siteHost, type Harness } from './helpers.js';
import { announce, id20, RawTrackerClient } from './tracker-client.js';

let h: Harness | undefined;
const clients: RawTrackerClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.terminate();
  await h?.close();
  h = undefined;
});

/** Every sample of a Prometheus text page: `name{labels}` → value. */
function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    out.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return out;
}
const scrape = async () => samples(await (await fetch(`${h!.server.url}/metrics`)).text());
const latin1 = (hex: string) => Buffer.from(hex, 'hex').toString('latin1');

describe('/metrics', () => {
  it('names bytes by source, the tracker\'s sockets, peer ids and visitors, and every series has a HELP and a TYPE', async () => {
    h = await harness();
    const text = await (await fetch(`${h.server.url}/metrics`)).text();
    const names = [
      'p2p_swarms', 'p2p_peers', 'p2p_tracker_sockets', 'p2p_tracker_peer_ids', 'p2p_visitors', 'p2p_bytes_total',
      'p2p_reported_downloaded_bytes_total', 'p2p_reported_bytes_refused_total', 'p2p_site_bytes', 'p2p_publishes_total', 'p2p_http_requests_total',
    ];
    for (const name of names) {
      expect(text, name).toContain(`# HELP ${name} `);
      expect(text, name).toMatch(new RegExp(`# TYPE ${name} (counter|gauge)`));
    }
    for (const line of text.split('\n').filter((l) => l && !l.startsWith('#'))) {
      expect(names.some((n) => line.startsWith(`${n} `) || line.startsWith(`${n}{`)), line).toBe(true);
    }
    const s = samples(text);
    expect(s.get('p2p_bytes_total{source="origin"}')).toBe(0);
    expect(s.get('p2p_bytes_total{source="peers"}')).toBe(0);
    expect(s.get('p2p_site_bytes{site="other",source="origin"}')).toBe(0);
    // The old per-site counter (one series per site ever served) is gone.
    expect(text).not.toContain('p2p_origin_bytes_total');
  });

  it('counts origin seed bytes in the total and for the site', async () => {
    h = await harness();
    const { b } = await publish(h.server.url);
    const file = b.files[1];
    const res = await fetchAs(siteHost(b.manifest.address, h.server.port), `${h.server.url}/seed/${b.manifest.torrent.infoHash}/${b.manifest.torrent.name}/${file.file.path}`);
    expect((await res.arrayBuffer()).byteLength).toBe(file.bytes.length);
    const s = await scrape();
    expect(s.get('p2p_bytes_total{source="origin"}')).toBe(file.bytes.length);
    expect(s.get(`p2p_site_bytes{site="${b.manifest.address}",source="origin"}`)).toBe(file.bytes.length);
    expect(s.get('p2p_site_bytes{site="other",source="origin"}')).toBe(0);
  });

  it('counts the uploaded totals visitors announce as peer bytes, per site, only as increases, and shows sockets, peer ids and visitors', async () => {
    h = await harness();
    const { b } = await publish(h.server.url);
    const infoHash = latin1(b.manifest.torrent.infoHash);
    const ws = `${h.server.url.replace('http', 'ws')}/announce`;
    const a = await RawTrackerClient.open(ws);
    const c = await RawTrackerClient.open(ws);
    clients.push(a, c);
    expect((await a.request(announce(infoHash, id20(1), { uploaded: 1000, downloaded: 5000 }))).interval).toBeGreaterThan(0);
    expect((await a.request(announce(infoHash, id20(1), { event: 'update', uploaded: 400, downloaded: 5000 }))).interval).toBeGreaterThan(0); // backwards: nothing
    expect((await a.request(announce(infoHash, id20(1), { event: 'update', uploaded: 1500, downloaded: 5000 }))).interval).toBeGreaterThan(0); // +500
    expect((await c.request(announce(infoHash, id20(2), { uploaded: 250, downloaded: null }))).interval).toBeGreaterThan(0);
    // A swarm this server stores no version of counts in the total only.
    expect((await c.request(announce(id20(7, '-IH-'), id20(2), { uploaded: 50 }))).interval).toBeGreaterThan(0);
    let s = await scrape();
    expect(s.get('p2p_bytes_total{source="peers"}')).toBe(1500 + 250 + 50);
    expect(s.get(`p2p_site_bytes{site="${b.manifest.address}",source="peers"}`)).toBe(1750);
    expect(s.get('p2p_site_bytes{site="other",source="peers"}')).toBe(50);
    expect(s.get('p2p_reported_downloaded_bytes_total')).toBe(5000);
    expect(s.get('p2p_tracker_sockets')).toBe(2);
    expect(s.get('p2p_tracker_peer_ids')).toBe(2);
    expect(s.get('p2p_visitors')).toBe(1); // both from 127.0.0.1

    // A stopped place keeps its mark: stopping and starting again with the same totals adds nothing.
    await a.request(announce(infoHash, id20(1), { event: 'stopped', uploaded: 1500, downloaded: 5000 }));
    await a.request(announce(infoHash, id20(1), { uploaded: 1500, downloaded: 5000 }));
    s = await scrape();
    expect(s.get('p2p_bytes_total{source="peers"}')).toBe(1800);

    a.terminate();
    c.terminate();
    for (let i = 0; i < 100 && (await scrape()).get('p2p_tracker_sockets') !== 0; i++) await new Promise((r) => setTimeout(r, 20));
    s = await scrape();
    expect([s.get('p2p_tracker_sockets'), s.get('p2p_tracker_peer_ids'), s.get('p2p_visitors')]).toEqual([0, 0, 0]);
  });

  it('keeps the series bounded with many sites: the busiest named, the rest summed under "other"', () => {
    const metrics = new Metrics({ topSites: 20, trackedSites: 100 });
    const address = (i: number) => `site${String(i).padStart(48, '0')}`;
    let total = 0;
    for (let i = 0; i < 5000; i++) {
      const n = i === 4999 ? 10_000_000 : 1 + (i % 97);
      metrics.addOriginBytes(address(i), n);
      metrics.addPeerReport(address(i), { counted: { uploaded: n, downloaded: 0 }, refused: { uploaded: 0, downloaded: 0 } });
      total += n;
    }
    const text = metrics.text();
    const siteLines = text.split('\n').filter((l) => l.startsWith('p2p_site_bytes{'));
    expect(siteLines.length).toBe(2 * (20 + 1));
    const s = samples(text);
    for (const source of ['origin', 'peers']) {
      expect(s.get(`p2p_bytes_total{source="${source}"}`)).toBe(total);
      const sum = siteLines.filter((l) => l.includes(`source="${source}"`)).reduce((acc, l) => acc + Number(l.split(' ').pop()), 0);
      expect(sum, source).toBe(total);
      // The heaviest site, though it came last, is named with its exact bytes.
      expect(s.get(`p2p_site_bytes{site="${address(4999)}",source="${source}"}`)).toBe(10_000_000);
    }
    expect(text.split('\n').length).toBeLessThan(120);
  });
});

describe('SiteBytes', () => {
  it('holds at most its capacity, dropping the site with the fewest bytes', () => {
    const t = new SiteBytes(3);
    t.add('a', 'origin', 10);
    t.add('b', 'origin', 1);
    t.add('c', 'peers', 5);
    t.add('d', 'origin', 7);
    expect(t.size).toBe(3);
    expect(t.top(10).map(([site]) => site)).toEqual(['a', 'd', 'c']);
    expect(t.totals).toEqual({ origin: 18, peers: 5 });
    t.add(undefined, 'peers', 4);
    t.add('a', 'origin', -5); // never subtracts
    t.add('a', 'origin', Number.NaN);
    expect(t.totals).toEqual({ origin: 18, peers: 9 });
  });
});

describe('TransferTally', () => {
  const socket = {};
  it('counts increases only, ignores values that are not safe non-negative integers, and cannot be pumped with X, 0, X', () => {
    const t = new TransferTally<object>();
    const up = (uploaded: unknown, s: object = socket) => t.report(s, 'ip', 'ih', 'peer', { uploaded }).counted.uploaded;
    expect(up(100)).toBe(100);
    expect(up(0)).toBe(0);
    expect(up(100)).toBe(0);
    expect(up(150)).toBe(50);
    for (const bad of [-1, 1.5, Number.NaN, Infinity, 2 ** 60, '999', null, undefined, {}]) expect(up(bad), String(bad)).toBe(0);
    expect(up(160)).toBe(10);
    // Another socket (a reconnect) starts from nothing.
    expect(up(160, {})).toBe(160);
  });

  it('caps one report and one IP per minute, and says what it left out', () => {
    const t = new TransferTally<object>({ maxReportBytes: 1000, bytesPerIpPerMinute: 1500 });
    const first = t.report({}, 'ip1', 'ih', 'p', { uploaded: 5000, downloaded: 10 }, 0);
    expect(first).toEqual({ counted: { uploaded: 1000, downloaded: 10 }, refused: { uploaded: 4000, downloaded: 0 } });
    expect(t.report({}, 'ip1', 'ih', 'p', { uploaded: 900 }, 1000).counted.uploaded).toBe(500);
    expect(t.report({}, 'ip2', 'ih', 'p', { uploaded: 900 }, 1000).counted.uploaded).toBe(900);
    expect(t.report({}, 'ip1', 'ih', 'p', { uploaded: 900 }, 61_000).counted.uploaded).toBe(900);
  });

  it('keeps bounded memory: IP windows and places per socket', () => {
    const t = new TransferTally<object>({ maxIpWindows: 50, marksPerSocket: 4 });
    for (let i = 0; i < 1000; i++) t.report({}, `ip${i}`, 'ih', 'p', { uploaded: 1 }, i);
    expect(t.windowCount).toBeLessThanOrEqual(50);
    const s = {};
    for (let i = 0; i < 10; i++) t.report(s, 'ip', `ih${i}`, 'p', { uploaded: 1 }, 0);
    // The oldest place was forgotten: its totals count again, within the caps.
    expect(t.report(s, 'ip', 'ih0', 'p', { uploaded: 1 }, 0).counted.uploaded).toBe(1);
    expect(t.report(s, 'ip', 'ih9', 'p', { uploaded: 1 }, 0).counted.uploaded).toBe(0);
  });
});
