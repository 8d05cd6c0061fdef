/**
 * A small QR code encoder (ISO/IEC 18004:2015): byte mode, error correction level L or
 * M, versions 1 to 10 (up to 213 bytes at M), which is plenty for a site link. Written
 * here rather than added as a dependency; the structure follows Nayuki's reference
 * implementation. Known-answer tests are in test/ui/qr-code.test.ts.
 */

export type QrLevel = 'L' | 'M';

export interface QrCode {
  version: number;
  level: QrLevel;
  mask: number;
  size: number;
  /** `modules[y][x]`, true for dark. */
  modules: boolean[][];
}

export class QrError extends RangeError {
  readonly code = 'E_QR_TOO_LONG';
  constructor(bytes: number, level: QrLevel) {
    super(`E_QR_TOO_LONG: ${bytes} bytes do not fit a version 1-10 QR code at level ${level}; shorten the text`);
    this.name = 'QrError';
  }
}

const MAX_VERSION = 10;
/** Codewords of a whole symbol, by version (table 1). */
const TOTAL_CODEWORDS = [0, 26, 44, 70, 100, 134, 172, 196, 242, 292, 346];
/** Error correction codewords per block and number of blocks, by level and version (table 9). */
const EC_PER_BLOCK: Record<QrLevel, number[]> = {
  L: [0, 7, 10, 15, 20, 26, 18, 20, 24, 30, 18],
  M: [0, 10, 16, 26, 18, 24, 16, 18, 22, 22, 26],
};
const BLOCKS: Record<QrLevel, number[]> = {
  L: [0, 1, 1, 1, 1, 1, 2, 2, 2, 2, 4],
  M: [0, 1, 1, 1, 2, 2, 4, 4, 4, 5, 5],
};
/** The level's two format bits (table 12): L = 01, M = 00. */
const LEVEL_BITS: Record<QrLevel, number> = { L: 1, M: 0 };
/** Alignment pattern centres (annex E). */
const ALIGNMENT: number[][] = [[], [], [6, 18], [6, 22], [6, 26], [6, 30], [6, 34], [6, 22, 38], [6, 24, 42], [6, 26, 46], [6, 28, 50]];

function dataCodewords(version: number, level: QrLevel): number {
  return TOTAL_CODEWORDS[version] - EC_PER_BLOCK[level][version] * BLOCKS[level][version];
}

/** Bits needed for `length` bytes in byte mode: mode, count (8 bits below version 10, else 16), data. */
function bitsFor(length: number, version: number): number {
  return 4 + (version < 10 ? 8 : 16) + 8 * length;
}

/**
 * Encodes bytes (or a string as UTF-8) in the smallest version that fits.
 * `mask` forces a mask pattern (0-7); by default the one with the lowest penalty.
 * @throws {QrError} when the data does not fit version 10.
 */
export function encodeQr(data: string | Uint8Array, options: { level?: QrLevel; mask?: number } = {}): QrCode {
  const level = options.level ?? 'M';
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  let version = 1;
  while (version <= MAX_VERSION && (bytes.length > (version < 10 ? 255 : 65535) || bitsFor(bytes.length, version) > dataCodewords(version, level) * 8)) version++;
  if (version > MAX_VERSION) throw new QrError(bytes.length, level);

  // Section 7.4: mode indicator, character count, data, terminator, padding.
  const capacity = dataCodewords(version, level) * 8;
  const bits: number[] = [];
  const put = (value: number, length: number) => {
    for (let i = length - 1; i >= 0; i--) bits.push((value >>> i) & 1);
  };
  put(0b0100, 4);
  put(bytes.length, version < 10 ? 8 : 16);
  for (const b of bytes) put(b, 8);
  put(0, Math.min(4, capacity - bits.length));
  put(0, (8 - (bits.length % 8)) % 8);
  for (let pad = 0xec; bits.length < capacity; pad ^= 0xec ^ 0x11) put(pad, 8);
  const codewords = new Uint8Array(capacity / 8);
  bits.forEach((bit, i) => (codewords[i >>> 3] |= bit << (7 - (i & 7))));

  const stream = addErrorCorrection(codewords, version, level);
  const size = version * 4 + 17;
  const modules = grid(size);
  const isFunction = grid(size);
  drawFunctionPatterns(modules, isFunction, version);
  drawCodewords(modules, isFunction, stream);

  let mask = options.mask ?? -1;
  if (mask < 0) {
    let best = Infinity;
    for (let m = 0; m < 8; m++) {
      const trial = modules.map((row) => [...row]);
      applyMask(trial, isFunction, m);
      drawFormat(trial, level, m);
      const score = penalty(trial);
      if (score < best) [best, mask] = [score, m];
    }
  } else if (!Number.isInteger(mask) || mask > 7) {
    throw new RangeError(`"mask" expected an integer 0-7, got ${mask}`);
  }
  applyMask(modules, isFunction, mask);
  drawFormat(modules, level, mask);
  return { version, level, mask, size, modules };
}

function grid(size: number): boolean[][] {
  return Array.from({ length: size }, () => new Array<boolean>(size).fill(false));
}

/** Splits the data into blocks, appends each block's Reed-Solomon codewords, interleaves (7.5, 7.6). */
function addErrorCorrection(data: Uint8Array, version: number, level: QrLevel): Uint8Array {
  const blocks = BLOCKS[level][version];
  const ecLength = EC_PER_BLOCK[level][version];
  const shortLength = Math.floor(data.length / blocks);
  const longBlocks = data.length % blocks;
  const divisor = rsDivisor(ecLength);
  const dataBlocks: Uint8Array[] = [];
  const ecBlocks: Uint8Array[] = [];
  for (let b = 0, at = 0; b < blocks; b++) {
    // Short blocks come first (table 9).
    const length = shortLength + (b >= blocks - longBlocks ? 1 : 0);
    const block = data.subarray(at, at + length);
    at += length;
    dataBlocks.push(block);
    ecBlocks.push(rsRemainder(block, divisor));
  }
  const out: number[] = [];
  for (let i = 0; i <= shortLength; i++) for (const block of dataBlocks) if (i < block.length) out.push(block[i]);
  for (let i = 0; i < ecLength; i++) for (const block of ecBlocks) out.push(block[i]);
  return Uint8Array.from(out);
}

/** Multiplication in GF(2^8) with the QR polynomial x^8 + x^4 + x^3 + x^2 + 1. */
function gfMultiply(x: number, y: number): number {
  let z = 0;
  for (let i = 7; i >= 0; i--) {
    z = (z << 1) ^ ((z >>> 7) * 0x11d);
    z ^= ((y >>> i) & 1) * x;
  }
  return z;
}

/** The generator polynomial of degree `degree`, highest coefficient (always 1) dropped. */
export function rsDivisor(degree: number): Uint8Array {
  const result = new Uint8Array(degree);
  result[degree - 1] = 1;
  let root = 1;
  for (let i = 0; i < degree; i++) {
    for (let j = 0; j < degree; j++) {
      result[j] = gfMultiply(result[j], root);
      if (j + 1 < degree) result[j] ^= result[j + 1];
    }
    root = gfMultiply(root, 0x02);
  }
  return result;
}

/** The Reed-Solomon error correction codewords of `data`. */
export function rsRemainder(data: Uint8Array, divisor: Uint8Array): Uint8Array {
  const result = new Uint8Array(divisor.length);
  for (const b of data) {
    const factor = b ^ result[0];
    result.copyWithin(0, 1);
    result[result.length - 1] = 0;
    divisor.forEach((coefficient, i) => (result[i] ^= gfMultiply(coefficient, factor)));
  }
  return result;
}

function drawFunctionPatterns(modules: boolean[][], isFunction: boolean[][], version: number): void {
  const size = modules.length;
  const set = (x: number, y: number, dark: boolean) => {
    modules[y][x] = dark;
    isFunction[y][x] = true;
  };
  for (let i = 0; i < size; i++) {
    set(6, i, i % 2 === 0);
    set(i, 6, i % 2 === 0);
  }
  // Finder patterns with their separators.
  for (const [cx, cy] of [[3, 3], [size - 4, 3], [3, size - 4]]) {
    for (let dy = -4; dy <= 4; dy++) {
      for (let dx = -4; dx <= 4; dx++) {
        const x = cx + dx;
        const y = cy + dy;
        const d = Math.max(Math.abs(dx), Math.abs(dy));
        if (x >= 0 && x < size && y >= 0 && y < size) set(x, y, d !== 2 && d !== 4);
      }
    }
  }
  const centres = ALIGNMENT[version];
  for (const cy of centres) {
    for (const cx of centres) {
      // Not where a finder pattern is.
      if ((cx === 6 && cy === 6) || (cx === 6 && cy === size - 7) || (cx === size - 7 && cy === 6)) continue;
      for (let dy = -2; dy <= 2; dy++) for (let dx = -2; dx <= 2; dx++) set(cx + dx, cy + dy, Math.max(Math.abs(dx), Math.abs(dy)) !== 1);
    }
  }
  // Reserve the format areas (drawn after masking), and the dark module.
  drawFormat(modules, 'M', 0, isFunction);
  if (version >= 7) {
    const bits = versionBits(version);
    for (let i = 0; i < 18; i++) {
      const dark = ((bits >>> i) & 1) === 1;
      const a = size - 11 + (i % 3);
      const b = Math.floor(i / 3);
      set(a, b, dark);
      set(b, a, dark);
    }
  }
}

/** The 15 format bits: level and mask, BCH(15,5) protected, XOR 101010000010010 (7.9.1). */
export function formatBits(level: QrLevel, mask: number): number {
  const data = (LEVEL_BITS[level] << 3) | mask;
  let rem = data;
  for (let i = 0; i < 10; i++) rem = (rem << 1) ^ ((rem >>> 9) * 0x537);
  return ((data << 10) | rem) ^ 0x5412;
}

/** The 18 version bits for versions 7 and up, BCH(18,6) protected (7.10). */
export function versionBits(version: number): number {
  let rem = version;
  for (let i = 0; i < 12; i++) rem = (rem << 1) ^ ((rem >>> 11) * 0x1f25);
  return (version << 12) | rem;
}

function drawFormat(modules: boolean[][], level: QrLevel, mask: number, isFunction?: boolean[][]): void {
  const size = modules.length;
  const bits = formatBits(level, mask);
  const bit = (i: number) => ((bits >>> i) & 1) === 1;
  const set = (x: number, y: number, dark: boolean) => {
    modules[y][x] = dark;
    if (isFunction) isFunction[y][x] = true;
  };
  for (let i = 0; i <= 5; i++) set(8, i, bit(i));
  set(8, 7, bit(6));
  set(8, 8, bit(7));
  set(7, 8, bit(8));
  for (let i = 9; i < 15; i++) set(14 - i, 8, bit(i));
  for (let i = 0; i < 8; i++) set(size - 1 - i, 8, bit(i));
  for (let i = 8; i < 15; i++) set(8, size - 15 + i, bit(i));
  set(8, size - 8, true);
}

/** Places the codewords in the two-module-wide zigzag from the bottom right (7.7.3). */
function drawCodewords(modules: boolean[][], isFunction: boolean[][], data: Uint8Array): void {
  const size = modules.length;
  let i = 0;
  for (let right = size - 1; right >= 1; right -= 2) {
    if (right === 6) right = 5;
    for (let vert = 0; vert < size; vert++) {
      for (let j = 0; j < 2; j++) {
        const x = right - j;
        const upward = ((right + 1) & 2) === 0;
        const y = upward ? size - 1 - vert : vert;
        if (!isFunction[y][x] && i < data.length * 8) {
          modules[y][x] = ((data[i >>> 3] >>> (7 - (i & 7))) & 1) === 1;
          i++;
        }
      }
    }
  }
}

const MASKS: ((x: number, y: number) => boolean)[] = [
  (x, y) => (x + y) % 2 === 0,
  (_x, y) => y % 2 === 0,
  (x) => x % 3 === 0,
  (x, y) => (x + y) % 3 === 0,
  (x, y) => (Math.floor(x / 3) + Math.floor(y / 2)) % 2 === 0,
  (x, y) => ((x * y) % 2) + ((x * y) % 3) === 0,
  (x, y) => (((x * y) % 2) + ((x * y) % 3)) % 2 === 0,
  (x, y) => (((x + y) % 2) + ((x * y) % 3)) % 2 === 0,
];

function applyMask(modules: boolean[][], isFunction: boolean[][], mask: number): void {
  const test = MASKS[mask];
  for (let y = 0; y < modules.length; y++) for (let x = 0; x < modules.length; x++) if (!isFunction[y][x] && test(x, y)) modules[y][x] = !modules[y][x];
}

/** The mask evaluation score of 7.8.3: runs, 2x2 blocks, finder-like patterns, balance. */
function penalty(modules: boolean[][]): number {
  const size = modules.length;
  let score = 0;
  const lines: boolean[][] = [];
  for (let i = 0; i < size; i++) {
    lines.push(modules[i]);
    lines.push(modules.map((row) => row[i]));
  }
  for (const line of lines) {
    let run = 1;
    for (let i = 1; i <= size; i++) {
      if (i < size && line[i] === line[i - 1]) run++;
      else {
        if (run >= 5) score += 3 + run - 5;
        run = 1;
      }
    }
    const text = line.map((d) => (d ? '1' : '0')).join('');
    for (const pattern of ['10111010000', '00001011101']) for (let at = text.indexOf(pattern); at >= 0; at = text.indexOf(pattern, at + 1)) score += 40;
  }
  let dark = 0;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      if (modules[y][x]) dark++;
      if (x < size - 1 && y < size - 1) {
        const c = modules[y][x];
        if (c === modules[y][x + 1] && c === modules[y + 1][x] && c === modules[y + 1][x + 1]) score += 3;
      }
    }
  }
  score += 10 * Math.floor(Math.abs((dark * 100) / (size * size) - 50) / 5);
  return score;
}

/** An SVG path drawing the dark modules, offset by a quiet zone of `margin` modules. */
export function qrPath(code: QrCode, margin = 4): string {
  const parts: string[] = [];
  code.modules.forEach((row, y) => row.forEach((dark, x) => dark && parts.push(`M${x + margin} ${y + margin}h1v1h-1z`)));
  return parts.join('');
}
