import { describe, expect, it } from 'vitest';
import { CoreError, bdecode, parseManifestJson, verifyManifest, utf8 } from '../../src/core/index.js';
import { sampleBundle } from '../helpers/fixtures.js';
import { prng } from '../helpers/prng.js';


const ODD_VALUES: unknown[] = [null, true, -1, 1.5, NaN, Infinity, 2 ** 60, '', '../x', 'a\u0000', 'x'.repeat(300), [], {}, [1], { a: 1 }, 'A'.repeat(52), '0'.repeat(64)];

function mutate(value: unknown, rand: () => number, depth = 0): unknown {
  const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)];
  if (depth > 0 && rand() < 0.08) return pick(ODD_VALUES);
  if (Array.isArray(value)) {
    const copy = value.map((v) => (rand() < 0.3 ? mutate(v, rand, depth + 1) : v));
    const r = rand();
    if (r < 0.1 && copy.length) copy.splice(Math.floor(rand() * copy.length), 1);
    else if (r < 0.2 && copy.length) copy.push(copy[Math.floor(rand() * copy.length)]);
    else if (r < 0.25) copy.reverse();
    return copy;
  }
  if (value && typeof value === 'object') {
    const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
    const keys = Object.keys(copy);
    const key = pick(keys);
    const r = rand();
    if (r < 0.1) delete copy[key];
    else if (r < 0.15) copy[`x${Math.floor(rand() * 9)}`] = pick(ODD_VALUES);
    else copy[key] = mutate(copy[key], rand, depth + 1);
    return copy;
  }
  if (typeof value === 'string') {
    const r = rand();
    if (r < 0.3 && value.length) {
      const i = Math.floor(rand() * value.length);
      return value.slice(0, i) + String.fromCharCode(Math.floor(rand() * 128)) + value.slice(i + 1);
    }
    if (r < 0.5) return value.slice(0, Math.floor(rand() * value.length));
    if (r < 0.6) return value + value;
    return pick(ODD_VALUES);
  }
  if (typeof value === 'number') return pick([value + 1, value - 1, -value, value * 2 ** 40, 0.5, pick(ODD_VALUES)]);
  return pick(ODD_VALUES);
}

describe('parser and verifier fuzzing', () => {
  it('12,000 random and mutated manifests give only typed errors', async () => {
    const { manifest } = await sampleBundle();
    const rand = prng(0x5eed);
    const text = JSON.stringify(manifest);
    let accepted = 0;
    let typed = 0;
    for (let i = 0; i < 12_000; i++) {
      let input: unknown;
      const mode = i % 4;
      if (mode === 0 || mode === 1) input = mutate(structuredClone(manifest), rand);
      else if (mode === 2) {
        // Byte-level corruption of the JSON text, parsed through the JSON entry point.
        const chars = [...text];
        for (let k = 0; k < 1 + Math.floor(rand() * 4); k++) chars[Math.floor(rand() * chars.length)] = String.fromCharCode(Math.floor(rand() * 256));
        input = chars.join('');
      } else {
        input = mutate(mutate(structuredClone(manifest), rand), rand);
      }
      try {
        if (typeof input === 'string') await verifyManifest(parseManifestJson(input));
        else await verifyManifest(input);
        accepted++;
      } catch (err) {
        if (!(err instanceof CoreError)) throw new Error(`case ${i}: untyped error ${String(err)}`);
        expect(err.code).toMatch(/^E_[A-Z_]+$/);
        typed++;
      }
    }
    // Mutations that happen to leave the manifest unchanged verify; nothing else may.
    expect(typed).toBeGreaterThan(11_000);
    expect(accepted + typed).toBe(12_000);
  });

  it('bencode decoder survives random bytes', () => {
    const rand = prng(7);
    for (let i = 0; i < 5_000; i++) {
      const bytes = i % 2 ? utf8('d4:infod5:filesl') : new Uint8Array(0);
      const noise = new Uint8Array(Math.floor(rand() * 40));
      for (let k = 0; k < noise.length; k++) noise[k] = rand() < 0.5 ? 'deil0123456789:'.charCodeAt(Math.floor(rand() * 15)) : Math.floor(rand() * 256);
      const input = new Uint8Array([...bytes, ...noise]);
      try {
        bdecode(input);
      } catch (err) {
        if (!(err instanceof CoreError)) throw new Error(`untyped error on ${Array.from(input)}: ${String(err)}`);
      }
    }
  });
});
