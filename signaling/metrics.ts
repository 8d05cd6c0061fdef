/** Counters and gauges, printed in the Prometheus text format (version 0.0.4). */
export class Metrics {
  private readonly originBytes = new Map<string, number>();
  private readonly publishes = { accepted: 0, refused: 0 };
  private readonly requests = new Map<number, number>();
  swarms = () => 0;
  peers = () => 0;

  addOriginBytes(address: string, bytes: number): void {
    this.originBytes.set(address, (this.originBytes.get(address) ?? 0) + bytes);
  }

  countPublish(result: 'accepted' | 'refused'): void {
    this.publishes[result]++;
  }

  countRequest(status: number): void {
    this.requests.set(status, (this.requests.get(status) ?? 0) + 1);
  }

  originBytesFor(address: string): number {
    return this.originBytes.get(address) ?? 0;
  }

  text(): string {
    const lines = [
      '# HELP p2p_swarms Torrents the tracker knows of.',
      '# TYPE p2p_swarms gauge',
      `p2p_swarms ${this.swarms()}`,
      '# HELP p2p_peers Peers connected to the tracker.',
      '# TYPE p2p_peers gauge',
      `p2p_peers ${this.peers()}`,
      '# HELP p2p_origin_bytes_total Bytes of site files sent by the origin seed.',
      '# TYPE p2p_origin_bytes_total counter',
      ...[...this.originBytes].map(([site, n]) => `p2p_origin_bytes_total{site="${site}"} ${n}`),
      '# HELP p2p_publishes_total Manifest uploads by result.',
      '# TYPE p2p_publishes_total counter',
      `p2p_publishes_total{result="accepted"} ${this.publishes.accepted}`,
      `p2p_publishes_total{result="refused"} ${this.publishes.refused}`,
      '# HELP p2p_http_requests_total HTTP requests by status.',
      '# TYPE p2p_http_requests_total counter',
      ...[...this.requests].map(([status, n]) => `p2p_http_requests_total{status="${status}"} ${n}`),
    ];
    return `${lines.join('\n')}\n`;
  }
}
