/**
 * Benchmark runner: `npm run bench` runs every figure, `npm run bench -- <name>` one.
 * Each `bench/*.bench.ts` module exports `figures` (the names it prints) and a default
 * `run(only?: string)` that prints `BENCH <name> <value> <unit>` lines. Figures are
 * ratios measured side by side in one run, never gates.
 */
import { readdir } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

interface BenchModule {
  figures: string[];
  default: (only?: string) => Promise<void>;
}

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv[2];
const files = (await readdir(here)).filter((f) => f.endsWith('.bench.ts')).sort();
const modules: { file: string; mod: BenchModule }[] = [];
for (const file of files) modules.push({ file, mod: (await import(pathToFileURL(join(here, file)).href)) as BenchModule });

const known = modules.flatMap((m) => m.mod.figures);
if (only && !known.includes(only)) {
  console.error(`Unknown figure "${only}". Known figures: ${known.join(', ')}`);
  process.exit(2);
}
for (const { file, mod } of modules) {
  if (only && !mod.figures.includes(only)) continue;
  console.error(`# ${file}`);
  await mod.default(only);
}
