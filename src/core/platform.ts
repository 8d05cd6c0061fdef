/**
 * The only platform surface the core touches: WebCrypto and the text codecs,
 * which Node 20 and every browser provide on globalThis. Reached through one typed
 * cast so the core compiles without the DOM or Node type libraries.
 */

interface MinimalSubtle {
  digest(algorithm: 'SHA-1' | 'SHA-256' | 'SHA-512', data: Uint8Array): Promise<ArrayBuffer>;
}
interface MinimalCrypto {
  subtle: MinimalSubtle;
  getRandomValues<T extends Uint8Array>(array: T): T;
}
interface TextCodecs {
  TextEncoder: new () => { encode(input: string): Uint8Array };
  TextDecoder: new (label?: string, options?: { fatal?: boolean }) => { decode(input: Uint8Array): string };
}

/** The parts of a WHATWG URL the core reads (origins.ts, page-policy.ts, endpoints-answer.ts). */
export interface MinimalUrl {
  readonly href: string;
  readonly protocol: string;
  readonly username: string;
  readonly password: string;
  readonly host: string;
  readonly hostname: string;
  readonly port: string;
  readonly origin: string;
  readonly search: string;
  readonly hash: string;
}

const g = globalThis as unknown as { crypto: MinimalCrypto; URL: new (text: string) => MinimalUrl } & TextCodecs;

/** `new URL(text)`. @throws {TypeError} when `text` is not an absolute URL */
export function parseUrl(text: string): MinimalUrl {
  return new g.URL(text);
}

export const subtle: MinimalSubtle = g.crypto.subtle;

export function randomBytes(length: number): Uint8Array {
  return g.crypto.getRandomValues(new Uint8Array(length));
}

const encoder = new g.TextEncoder();
const strictDecoder = new g.TextDecoder('utf-8', { fatal: true });

export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

/** Decodes UTF-8, throwing a TypeError on malformed input (fatal mode). */
export function fromUtf8(bytes: Uint8Array): string {
  return strictDecoder.decode(bytes);
}
