/** Performance marks (`p2p:<step>`), so a visit's loading can be timed in devtools and benchmarks (bench/lib/paint.ts reads them). */
export function mark(step: string): void {
  performance.mark(`p2p:${step}`);
}
