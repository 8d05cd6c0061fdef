/**
 * Run as a child process with a worker-sized stack (`node --stack-size=300`): builds,
 * encodes, parses and verifies a manifest of as many files as a site may hold, with deep
 * paths, and prints one JSON line with what it did. A spread of a long list into one call
 * (`f(...parts)`) overflows such a stack, as it did in Chromium's worker.
 */
import { buildBundle, canonicalManifestBytes, DEFAULT_LIMITS, diffFiles, parseManifestJson, utf8, verifyManifest } from '../../src/core/index.js';
import { FIXED_SECRET, FIXED_TIME } from './fixtures.js';

const count = Number(process.argv[2] ?? DEFAULT_LIMITS.maxFiles);
const files = Array.from({ length: count - 1 }, (_, i) => ({
  path: `docs/section-${i % 37}/chapter-${i % 101}/part-${i % 7}/page-${String(i).padStart(5, '0')}.html`,
  bytes: utf8(`<p>${i}</p>`),
}));
files.push({ path: 'index.html', bytes: utf8('<h1>docs</h1>') });
const started = Date.now();
const { manifest } = await buildBundle({ files, secretKey: FIXED_SECRET, seq: 1, createdAt: FIXED_TIME });
const json = utf8(JSON.stringify(manifest));
const parsed = parseManifestJson(json);
const verified = await verifyManifest(parsed, { address: manifest.address });
const diff = diffFiles(verified.files, []);
process.stdout.write(`${JSON.stringify({ files: verified.files.length, canonicalBytes: canonicalManifestBytes(verified).length, jsonBytes: json.length, removed: diff.removed.length, ms: Date.now() - started })}\n`);
