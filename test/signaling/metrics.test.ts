import { afterEach, describe, expect, it } from 'vitest';
import { request } from 'node:http';
import { Metrics } from '../../signaling/metrics.js';
import { SiteBytes } from '../../signaling/site-bytes.js';
import { PageReportBudget, parsePageReport } from '../../signaling/page-reports.js';
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

/** A POST with a chosen Host (and Origin), as a page of that origin would send it. */
function postAs(host: string, url: string, body: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'Content-Type': 'application/json', Origin: `http://${host}`, ...headers, Host: host } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}
const codeIn = (body: string) => (JSON.parse(body) as { error: { code: string } }).error.code;

describe('/metrics', () => {
  it('names bytes by source, the tracker\'s sockets, peer ids and visitors, and every series has a HELP and a TYPE', async () => {
    h = await harness();
    const text = await (await fetch(`${h.server.url}/metrics`)).text();
    const names = [
      'p2p_swarms', 'p2p_peers', 'p2p_open_pages', 'p2p_tracker_sockets', 'p2p_tracker_peer_ids', 'p2p_visitors', 'p2p_bytes_total',
      'p2p_page_reported_bytes_total', 'p2p_page_reports_total', 'p2p_announced_bytes_total', 'p2p_announced_bytes_refused_total',
      'p2p_site_bytes', 'p2p_publishes_total', 'p2p_http_requests_total',
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

  it('counts the sites\' pages\' reports: bytes from peers per site, within caps, only from the site\'s own origin', async () => {
    h = await harness();
    const { b } = await publish(h.server.url);
    const address = b.manifest.address;
    const host = siteHost(address, h.server.port);
    const url = `${h.server.url}/api/report`;
    const report = (fields: Record<string, unknown>) => JSON.stringify({ address, fromPeers: 0, fromOrigin: 0, uploaded: 0, ...fields });
    expect((await postAs(host, url, report({ fromPeers: 70_000, fromOrigin: 1000, uploaded: 30_000 }))).status).toBe(204);
    expect((await postAs(host, url, report({ fromPeers: 5 }))).status).toBe(204);
    let s = await scrape();
    expect(s.get('p2p_bytes_total{source="peers"}')).toBe(70_005);
    expect(s.get(`p2p_site_bytes{site="${address}",source="peers"}`)).toBe(70_005);
    expect(s.get('p2p_page_reported_bytes_total{field="from_origin"}')).toBe(1000);
    expect(s.get('p2p_page_reported_bytes_total{field="uploaded"}')).toBe(30_000);
    expect(s.get('p2p_page_reports_total{result="accepted"}')).toBe(2);

    // Refused, and nothing counted: another origin, the app's host, another site's address,
    // an unknown site, bad values, extra fields, a GET.
    const other = await publish(h.server.url);
    const refusals: [Promise<{ status: number; body: string }>, number, string][] = [
      [postAs(host, url, report({ fromPeers: 1 }), { Origin: 'http://evil.example' }), 403, 'E_WRONG_ORIGIN'],
      [postAs(host, url, report({ fromPeers: 1 }), { Origin: '' }), 403, 'E_WRONG_ORIGIN'],
      [postAs(`p2p.localhost:${h.server.port}`, url, report({ fromPeers: 1 })), 404, 'E_NOT_FOUND'],
      [postAs(host, url, JSON.stringify({ address: other.b.manifest.address, fromPeers: 1, fromOrigin: 0, uploaded: 0 })), 400, 'E_BAD_REPORT'],
      [postAs(siteHost('1'.repeat(52), h.server.port), url, report({})), 404, 'E_NOT_FOUND'],
      [postAs(host, url, report({ fromPeers: -1 })), 400, 'E_BAD_REPORT'],
      [postAs(host, url, report({ fromPeers: 1.5 })), 400, 'E_BAD_REPORT'],
      [postAs(host, url, report({ fromPeers: 2 ** 53 })), 400, 'E_BAD_REPORT'],
      [postAs(host, url, report({ fromPeers: '5' })), 400, 'E_BAD_REPORT'],
      [postAs(host, url, report({ extra: 1 })), 400, 'E_BAD_REPORT'],
      [postAs(host, url, '[1]'), 400, 'E_BAD_REPORT'],
      [postAs(host, url, 'x'.repeat(5000)), 413, 'E_TOO_LARGE'],
    ];
    for (const [sent, status, code] of refusals) {
      const res = await sent;
      expect(res.status, res.body).toBe(status);
      expect(codeIn(res.body)).toBe(code);
    }
    expect((await fetchAs(host, url)).status).toBe(405);
    s = await scrape();
    expect(s.get('p2p_bytes_total{source="peers"}')).toBe(70_005);
  });

  it('counts the totals any tracker client announces only as increases, and shows sockets, peer ids and visitors', async () => {
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
    expect((await c.request(announce(id20(7, '-IH-'), id20(2), { uploaded: 50 }))).interval).toBeGreaterThan(0);
    let s = await scrape();
    expect(s.get('p2p_announced_bytes_total{field="uploaded"}')).toBe(1500 + 250 + 50);
    expect(s.get('p2p_announced_bytes_total{field="downloaded"}')).toBe(5000);
    // Announces are not page reports: bytes by source stay as they were.
    expect(s.get('p2p_bytes_total{source="peers"}')).toBe(0);
    expect(s.get('p2p_tracker_sockets')).toBe(2);
    expect(s.get('p2p_tracker_peer_ids')).toBe(2);
    expect(s.get('p2p_visitors')).toBe(1); // both from 127.0.0.1

    // A stopped place keeps its mark: stopping and starting again with the same totals adds nothing.
    await a.request(announce(infoHash, id20(1), { event: 'stopped', uploaded: 1500, downloaded: 5000 }));
    await a.request(announce(infoHash, id20(1), { uploaded: 1500, downloaded: 5000 }));
    s = await scrape();
    expect(s.get('p2p_announced_bytes_total{field="uploaded"}')).toBe(1800);

    a.terminate();
    c.terminate();
    for (let i = 0; i < 100 && (await scrape()).get('p2p_tracker_sockets') !== 0; i++) await new Promise((r) => setTimeout(r, 20));
    s = await scrape();
    expect([s.get('p2p_tracker_sockets'), s.get('p2p_tracker_peer_ids'), s.get('p2p_visitors')]).toEqual([0, 0, 0]);
  });

  it('counts open pages as the manifest requests held open for the next version', async () => {
    h = await harness();
    const { b } = await publish(h.server.url);
    const url = `${h.server.url}/api/sites/${b.manifest.address}`;
    const etag = (await fetch(url)).headers.get('etag')!;
    const abort = new AbortController();
    const held = fetch(url, { headers: { 'If-None-Match': etag, Prefer: 'wait=20' }, signal: abort.signal }).catch(() => undefined);
    const openPages = async () => (await scrape()).get('p2p_open_pages');
    for (let i = 0; i < 100 && (await openPages()) !== 1; i++) await new Promise((r) => setTimeout(r, 20));
    expect(await openPages()).toBe(1);
    abort.abort();
    await held;
    for (let i = 0; i < 100 && (await openPages()) !== 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(await openPages()).toBe(0);
  });

  it('keeps the series bounded with many sites: the busiest named, the rest summed under "other"', () => {
    const metrics = new Metrics({ topSites: 20, trackedSites: 100 });
    const address = (i: number) => `site${String(i).padStart(48, '0')}`;
    let total = 0;
    for (let i = 0; i < 5000; i++) {
      const n = i === 4999 ? 10_000_000 : 1 + (i % 97);
      metrics.addOriginBytes(address(i), n);
      metrics.addPageReport({ address: address(i), fromPeers: n, fromOrigin: 0, uploaded: 0 });
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

describe('page reports', () => {
  it('parse only { address, fromPeers, fromOrigin, uploaded } with whole byte counts up to the cap', () => {
    const ok = { address: 'a', fromPeers: 1, fromOrigin: 2, uploaded: 3 };
    expect(parsePageReport(new TextEncoder().encode(JSON.stringify(ok)))).toEqual(ok);
    for (const bad of ['', 'null', '"x"', '{}', JSON.stringify({ ...ok, address: 5 }), JSON.stringify({ ...ok, uploaded: 1024 ** 3 + 1 }), JSON.stringify({ ...ok, fromOrigin: null })]) {
      expect(() => parsePageReport(new TextEncoder().encode(bad)), bad).toThrow(expect.objectContaining({ code: 'E_BAD_REPORT', status: 400 }));
    }
    expect(() => parsePageReport(new Uint8Array([0x7b, 0xff, 0x7d]))).toThrow(expect.objectContaining({ code: 'E_BAD_REPORT' }));
  });

  it('budget reports and bytes per IP per minute, cutting claims to what is left', () => {
    const budget = new PageReportBudget({ reportsPerIpPerMinute: 3, bytesPerIpPerMinute: 100 });
    const r = { address: 'a', fromPeers: 60, fromOrigin: 0, uploaded: 0 };
    expect(budget.admit('ip', r, 0)?.fromPeers).toBe(60);
    expect(budget.admit('ip', r, 1)?.fromPeers).toBe(40);
    expect(budget.admit('ip', r, 2)?.fromPeers).toBe(0);
    expect(budget.admit('ip', r, 3)).toBeUndefined();
    expect(budget.admit('other', r, 3)?.fromPeers).toBe(60);
    expect(budget.admit('ip', r, 60_000)?.fromPeers).toBe(60);
    const small = new PageReportBudget({ reportsPerIpPerMinute: 3, bytesPerIpPerMinute: 100 }, 10);
    for (let i = 0; i < 10; i++) small.admit(`ip${i}`, r, 0);
    expect(small.admit('one more', r, 0)).toBeUndefined(); // full of live windows: counts none
    expect(small.admit('one more', r, 60_000)?.fromPeers).toBe(60);
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
