import encodeQR, { _formatBits as formatBitsOf } from 'qr';

/**
 * QR codes of site links, drawn by the `qr` package (paulmillr/qr: no dependencies, the
 * author of @noble/ed25519, tested against other encoders and decoders). Only its encoder
 * is imported (`qr`, not `qr/decode.js`), so the app bundle gets no reader. This module
 * keeps what the app asks of it: byte mode, level L or M, at most version 10 (213 bytes at
 * M, plenty for a link; a larger symbol would be too fine to scan at the size it is shown),
 * and the SVG path the qr-view element draws. Known-answer tests: test/ui/qr-code.test.ts.
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
const ECC = { L: 'low', M: 'medium' } as const;

/**
 * Encodes `data` in byte mode at the lowest version that holds it; the mask is the
 * standard's best (lowest penalty) unless given.
 * @throws {QrError} E_QR_TOO_LONG past version 10
 */
export function encodeQr(data: string, options: { level?: QrLevel; mask?: number } = {}): QrCode {
  const level = options.level ?? 'M';
  const bytes = new TextEncoder().encode(data);
  let bordered: boolean[][];
  try {
    // The library adds a quiet zone of at least one module; it is cut off again below.
    bordered = encodeQR(data, 'raw', { ecc: ECC[level], encoding: 'byte', mask: options.mask, border: 1, textEncoder: () => bytes });
  } catch {
    throw new QrError(bytes.length, level);
  }
  const modules = bordered.slice(1, -1).map((row) => row.slice(1, -1));
  const size = modules.length;
  const version = (size - 17) / 4;
  if (version > MAX_VERSION) throw new QrError(bytes.length, level);
  return { version, level, mask: options.mask ?? maskOf(modules, level), size, modules };
}

/**
 * The mask a symbol was drawn with, read back from the first copy of its format
 * information (ISO/IEC 18004:2015 section 7.9.1, figure 25): bits 0-7 down column 8 from
 * the top (skipping the timing row), bits 8-14 along row 8 towards the left edge.
 */
function maskOf(modules: boolean[][], level: QrLevel): number {
  let bits = 0;
  for (let i = 0; i < 15; i++) {
    const dark = i < 6 ? modules[i][8] : i < 8 ? modules[i + 1][8] : i === 8 ? modules[8][7] : modules[8][14 - i];
    if (dark) bits |= 1 << i;
  }
  for (let mask = 0; mask < 8; mask++) if (formatBitsOf(ECC[level], mask) === bits) return mask;
  throw new Error('the QR encoder drew no readable format information');
}

/** An SVG path drawing the dark modules, offset by a quiet zone of `margin` modules. */
export function qrPath(code: QrCode, margin = 4): string {
  const parts: string[] = [];
  code.modules.forEach((row, y) => row.forEach((dark, x) => dark && parts.push(`M${x + margin} ${y + margin}h1v1h-1z`)));
  return parts.join('');
}
