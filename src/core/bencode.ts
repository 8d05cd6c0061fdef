import { compareBytes, joinBytes } from './bytes.js';
import { EncodingError } from './errors.js';
import { fromUtf8, utf8 } from './platform.js';
import { describeLoneSurrogate, loneSurrogateIndex } from './well-formed.js';

/**
 * Bencode (BEP 3): the canonical byte encoding this project signs. Strings are byte
 * strings, integers are safe integers, dictionaries have keys sorted as raw bytes.
 * There is exactly one encoding of each value, which is why it is used for signing.
 */
export type BValue = number | string | Uint8Array | BValue[] | { [key: string]: BValue };

/** Decoded form: byte strings stay bytes; dictionary keys are decoded as UTF-8. */
export type BDecoded = number | Uint8Array | BDecoded[] | { [key: string]: BDecoded };

/**
 * @throws {EncodingError} E_BAD_ENCODING for non-integers, unsafe integers, strings with a
 *   lone surrogate, or unsupported types.
 */
export function bencode(value: BValue): Uint8Array {
  const parts: Uint8Array[] = [];
  write(value, parts, 0);
  return joinBytes(parts);
}

function write(value: BValue, parts: Uint8Array[], depth: number): void {
  if (depth > 64) throw new EncodingError('E_BAD_ENCODING', 'bencode value nested deeper than 64 levels');
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new EncodingError('E_BAD_ENCODING', `bencode integers must be safe integers, got ${value}`);
    parts.push(asciiBytes(`i${value === 0 ? 0 : value}e`));
  } else if (typeof value === 'string') {
    writeBytes(wellFormedUtf8(value), parts);
  } else if (value instanceof Uint8Array) {
    writeBytes(value, parts);
  } else if (Array.isArray(value)) {
    parts.push(LIST_START);
    for (const item of value) write(item, parts, depth + 1);
    parts.push(END);
  } else if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value)
      .filter((k) => value[k] !== undefined)
      .map((k) => [wellFormedUtf8(k), value[k]] as const)
      .sort((a, b) => compareBytes(a[0], b[0]));
    parts.push(DICT_START);
    for (const [key, item] of entries) {
      writeBytes(key, parts);
      write(item, parts, depth + 1);
    }
    parts.push(END);
  } else {
    throw new EncodingError('E_BAD_ENCODING', `cannot bencode a value of type ${value === null ? 'null' : typeof value}`);
  }
}

/** UTF-8 of a string, refusing lone surrogates that TextEncoder would turn into U+FFFD (one value, one encoding). */
function wellFormedUtf8(text: string): Uint8Array {
  const lone = loneSurrogateIndex(text);
  if (lone >= 0) throw new EncodingError('E_BAD_ENCODING', `cannot bencode a string with a lone UTF-16 surrogate (${describeLoneSurrogate(text, lone)}); it has no UTF-8 encoding`);
  return utf8(text);
}

function writeBytes(bytes: Uint8Array, parts: Uint8Array[]): void {
  parts.push(asciiBytes(`${bytes.length}:`), bytes);
}

/**
 * The bytes of an ASCII string (integers, length prefixes), without a TextEncoder call
 * each: a 10,000-file torrent's info dictionary has some 60,000 of them.
 */
function asciiBytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}

const D = 0x64, E = 0x65, I = 0x69, L = 0x6c, COLON = 0x3a, MINUS = 0x2d, ZERO = 0x30, NINE = 0x39;
const LIST_START = Uint8Array.of(L), DICT_START = Uint8Array.of(D), END = Uint8Array.of(E);

/**
 * Strict decoder: refuses anything that is not the canonical encoding (unsorted or
 * duplicate keys, leading zeros, `-0`, trailing bytes), so decoding then encoding
 * gives back the same bytes.
 * @throws {EncodingError} E_BAD_ENCODING with the offset of the first bad byte.
 */
export function bdecode(bytes: Uint8Array, maxDepth = 32): BDecoded {
  const state = { pos: 0 };
  const value = read(bytes, state, 0, maxDepth);
  if (state.pos !== bytes.length) fail(state.pos, 'trailing bytes after the value');
  return value;
}

function fail(pos: number, why: string): never {
  throw new EncodingError('E_BAD_ENCODING', `invalid bencode at byte ${pos}: ${why}`);
}

function read(b: Uint8Array, s: { pos: number }, depth: number, maxDepth: number): BDecoded {
  if (depth > maxDepth) fail(s.pos, `nested deeper than ${maxDepth} levels`);
  if (s.pos >= b.length) fail(s.pos, 'unexpected end of input');
  const c = b[s.pos];
  if (c === I) {
    s.pos++;
    const start = s.pos;
    if (b[s.pos] === MINUS) s.pos++;
    const digitsStart = s.pos;
    while (s.pos < b.length && b[s.pos] >= ZERO && b[s.pos] <= NINE) s.pos++;
    if (s.pos === digitsStart) fail(s.pos, 'integer without digits');
    if (b[s.pos] !== E) fail(s.pos, 'integer not terminated by "e"');
    const text = ascii(b, start, s.pos);
    if (/^-?0\d/.test(text) || text === '-0') fail(start, `non-canonical integer ${text}`);
    const n = Number(text);
    if (!Number.isSafeInteger(n)) fail(start, `integer ${text} is outside the safe range`);
    s.pos++;
    return n;
  }
  if (c >= ZERO && c <= NINE) return readBytes(b, s);
  if (c === L) {
    s.pos++;
    const list: BDecoded[] = [];
    while (b[s.pos] !== E) {
      if (s.pos >= b.length) fail(s.pos, 'unterminated list');
      list.push(read(b, s, depth + 1, maxDepth));
    }
    s.pos++;
    return list;
  }
  if (c === D) {
    s.pos++;
    const dict: { [key: string]: BDecoded } = Object.create(null);
    let previous: Uint8Array | undefined;
    while (b[s.pos] !== E) {
      if (s.pos >= b.length) fail(s.pos, 'unterminated dictionary');
      const keyPos = s.pos;
      if (!(b[s.pos] >= ZERO && b[s.pos] <= NINE)) fail(s.pos, 'dictionary key is not a byte string');
      const key = readBytes(b, s);
      if (previous && compareBytes(previous, key) >= 0) fail(keyPos, 'dictionary keys not strictly sorted');
      previous = key;
      let name: string;
      try {
        name = fromUtf8(key);
      } catch {
        fail(keyPos, 'dictionary key is not UTF-8');
      }
      dict[name] = read(b, s, depth + 1, maxDepth);
    }
    s.pos++;
    return dict;
  }
  fail(s.pos, `unexpected byte 0x${c.toString(16)}`);
}

function readBytes(b: Uint8Array, s: { pos: number }): Uint8Array {
  const start = s.pos;
  while (s.pos < b.length && b[s.pos] >= ZERO && b[s.pos] <= NINE) s.pos++;
  if (b[s.pos] !== COLON) fail(s.pos, 'string length not followed by ":"');
  const text = ascii(b, start, s.pos);
  if (text.length > 1 && text[0] === '0') fail(start, `non-canonical string length ${text}`);
  const length = Number(text);
  s.pos++;
  if (!Number.isSafeInteger(length) || s.pos + length > b.length) fail(start, `string length ${text} runs past the end`);
  const out = b.slice(s.pos, s.pos + length);
  s.pos += length;
  return out;
}

function ascii(b: Uint8Array, start: number, end: number): string {
  let out = '';
  for (let i = start; i < end; i++) out += String.fromCharCode(b[i]);
  return out;
}
