/** The median (the upper one of an even count). */
export function median(xs: number[]): number {
  if (!xs.length) throw new RangeError('median of no samples');
  return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
}

/**
 * Runs `a` and `b` side by side, `pairs` times, swapping which goes first every pair so
 * load from elsewhere on the machine and anything one run leaves warm for the next hit
 * both alike. Each callback gets the pair's index and returns its measurement.
 */
export async function interleave(pairs: number, a: (i: number) => Promise<number>, b: (i: number) => Promise<number>): Promise<{ a: number[]; b: number[] }> {
  const out = { a: [] as number[], b: [] as number[] };
  for (let i = 0; i < pairs; i++) {
    if (i % 2 === 0) {
      out.a.push(await a(i));
      out.b.push(await b(i));
    } else {
      out.b.push(await b(i));
      out.a.push(await a(i));
    }
  }
  return out;
}

/** A `BENCH <name> <ratio> x` line for median(a) / median(b), with the samples on stderr. */
export function printRatio(name: string, a: { label: string; ms: number[] }, b: { label: string; ms: number[] }): void {
  const list = (xs: number[]) => xs.map((x) => Math.round(x)).join(', ');
  console.error(`${name}: ${a.label} ${list(a.ms)} ms (median ${Math.round(median(a.ms))}); ${b.label} ${list(b.ms)} ms (median ${Math.round(median(b.ms))})`);
  console.log(`BENCH ${name} ${(median(a.ms) / median(b.ms)).toFixed(2)} x`);
}
