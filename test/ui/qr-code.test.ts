import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { _formatBits, _tests, _versionBits as versionBits } from 'qr';
import { encodeQr, qrPath, type QrLevel } from '../../src/ui/qr-code.js';

// The encoder is the `qr` package's; its tables are checked here too, as they were when
// the encoder was written in this repository.
const formatBits = (level: QrLevel, mask: number) => _formatBits(level === 'M' ? 'medium' : 'low', mask);

/**
 * Whole symbols made by an independent encoder (the Python `qrcode` package, byte mode,
 * the same forced mask), as rows of 0/1 with no quiet zone.
 */
const VECTORS = JSON.parse(readFileSync(new URL('./fixtures/qr-vectors.json', import.meta.url), 'utf8')) as { text: string; level: QrLevel; mask: number; version: number; rows: string[] }[];

const rows = (modules: boolean[][]) => modules.map((r) => r.map((d) => (d ? '1' : '0')).join(''));

describe('QR code', () => {
  it('computes Reed-Solomon codewords as in ISO/IEC 18004 annex I (1-M, "01234567")', () => {
    const data = Uint8Array.from([0x10, 0x20, 0x0c, 0x56, 0x61, 0x80, 0xec, 0x11, 0xec, 0x11, 0xec, 0x11, 0xec, 0x11, 0xec, 0x11]);
    // One block: the data codewords, then the error correction codewords.
    const codewords = _tests.encodeData(1, 'medium', '01234567', 'numeric', undefined);
    expect([...codewords.subarray(0, 16)]).toEqual([...data]);
    expect([...codewords.subarray(16)]).toEqual([0xa5, 0x24, 0xd4, 0xc1, 0xed, 0x36, 0xc7, 0x87, 0x2c, 0x55]);
  });

  it('has the format and version bits of the standard tables', () => {
    expect(formatBits('M', 0)).toBe(0b101010000010010);
    expect(formatBits('L', 0)).toBe(0b111011111000100);
    expect(formatBits('M', 5)).toBe(0b100000011001110);
    expect(formatBits('L', 7)).toBe(0b110100101110110);
    expect(versionBits(7)).toBe(0x07c94);
    expect(versionBits(10)).toBe(0x0a4d3);
  });

  for (const v of VECTORS) {
    it(`matches an independent encoder: version ${v.version}-${v.level}, mask ${v.mask}, ${v.text.length} bytes`, () => {
      const code = encodeQr(v.text, { level: v.level, mask: v.mask });
      expect(code.version).toBe(v.version);
      expect(rows(code.modules)).toEqual(v.rows);
    });
  }

  it('picks a mask by itself and refuses what does not fit version 10', () => {
    const code = encodeQr('http://localhost:8080/');
    expect(code.mask).toBeGreaterThanOrEqual(0);
    // The mask read back from the symbol is the one it was drawn with.
    expect(encodeQr('http://localhost:8080/', { mask: code.mask }).modules).toEqual(code.modules);
    expect(code.size).toBe(25);
    expect(() => encodeQr('x'.repeat(214))).toThrow(expect.objectContaining({ code: 'E_QR_TOO_LONG' }));
    expect(encodeQr('x'.repeat(213)).version).toBe(10);
  });

  it('draws dark modules as an SVG path inside the quiet zone', () => {
    const path = qrPath(encodeQr('a'));
    expect(path.startsWith('M4 4h1v1h-1z')).toBe(true);
  });
});
