/** Content types for the extensions sites commonly carry; anything else is octet-stream. */
const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  htm: 'text/html; charset=utf-8',
  css: 'text/css; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  mjs: 'text/javascript; charset=utf-8',
  json: 'application/json',
  map: 'application/json',
  webmanifest: 'application/manifest+json',
  txt: 'text/plain; charset=utf-8',
  md: 'text/markdown; charset=utf-8',
  xml: 'application/xml',
  svg: 'image/svg+xml',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  avif: 'image/avif',
  ico: 'image/x-icon',
  bmp: 'image/bmp',
  woff: 'font/woff',
  woff2: 'font/woff2',
  ttf: 'font/ttf',
  otf: 'font/otf',
  mp4: 'video/mp4',
  webm: 'video/webm',
  ogv: 'video/ogg',
  mp3: 'audio/mpeg',
  ogg: 'audio/ogg',
  oga: 'audio/ogg',
  wav: 'audio/wav',
  flac: 'audio/flac',
  m4a: 'audio/mp4',
  pdf: 'application/pdf',
  zip: 'application/zip',
  wasm: 'application/wasm',
  csv: 'text/csv; charset=utf-8',
};

export const DEFAULT_CONTENT_TYPE = 'application/octet-stream';

/** The content type a file is served with, from its extension. */
export function contentTypeFor(path: string): string {
  const name = path.slice(path.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  if (dot <= 0) return DEFAULT_CONTENT_TYPE;
  return TYPES[name.slice(dot + 1).toLowerCase()] ?? DEFAULT_CONTENT_TYPE;
}

/** Longest content type a manifest may carry. */
export const MAX_CONTENT_TYPE_LENGTH = 128;

// RFC 9110 section 5.6.2: tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" /
// "." / "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA.
const TCHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;
const isTchar = (c: string): boolean => TCHAR.test(c);
const isOws = (c: string | undefined): boolean => c === ' ' || c === '\t';

/**
 * What is wrong with `type` as a `Content-Type` value, or undefined when it is fine.
 * The grammar is RFC 9110 section 8.3.1, ASCII only (no obs-text):
 *
 *   media-type = type "/" subtype parameters
 *   parameters = *( OWS ";" OWS [ parameter ] )
 *   parameter  = token "=" ( token / quoted-string )
 *
 * with quoted-string from section 5.6.4 (qdtext = HTAB / SP / %x21 / %x23-5B / %x5D-7E,
 * quoted-pair = "\" ( HTAB / SP / VCHAR )). A field value also cannot begin or end with
 * whitespace (section 5.5: HTTP drops it, so the header sent would differ from the signed
 * one). What passes is a valid header value for Node and for `new Headers()` in every
 * browser, and reaches the page byte for byte.
 */
export function contentTypeProblem(type: unknown): string | undefined {
  if (typeof type !== 'string') return `is a ${typeof type}, not a string`;
  // A site of 10,000 files has a handful of distinct types: each is parsed once.
  const known = checkedTypes.get(type);
  if (known !== undefined) return known || undefined;
  const problem = parseContentType(type);
  if (checkedTypes.size >= CHECKED_TYPES_KEPT) checkedTypes.clear();
  checkedTypes.set(type, problem ?? '');
  return problem;
}

/** Results of `contentTypeProblem` by type ('' for none), at most CHECKED_TYPES_KEPT of them. */
const checkedTypes = new Map<string, string>();
const CHECKED_TYPES_KEPT = 256;

function parseContentType(type: string): string | undefined {
  if (type.length === 0) return 'is empty; use application/octet-stream when the type is unknown';
  if (type.length > MAX_CONTENT_TYPE_LENGTH) return `is ${type.length} characters, more than ${MAX_CONTENT_TYPE_LENGTH}`;
  for (let i = 0; i < type.length; i++) {
    const code = type.charCodeAt(i);
    if (code > 0x7e || (code < 0x20 && code !== 0x09) || code === 0x7f) {
      return `has character U+${code.toString(16).toUpperCase().padStart(4, '0')} at index ${i}; a content type is printable ASCII only (no CR, LF or other controls)`;
    }
  }
  if (isOws(type[0]) || isOws(type[type.length - 1])) return 'begins or ends with whitespace, which an HTTP header value cannot carry';

  let i = 0;
  const found = (at: number): string => (at < type.length ? JSON.stringify(type[at]) : 'the end');
  const token = (what: string): string | undefined => {
    const start = i;
    while (i < type.length && isTchar(type[i])) i++;
    if (i === start) return `lacks ${what} at index ${start}, found ${found(start)}; tokens are letters, digits and !#$%&'*+-.^_\`|~ (RFC 9110 section 5.6.2)`;
    return undefined;
  };
  const skipOws = (): void => {
    while (isOws(type[i])) i++;
  };

  const typeProblem = token('a type before "/"');
  if (typeProblem) return typeProblem;
  if (type[i] !== '/') return `lacks "/" after the type at index ${i}, found ${found(i)}`;
  i++;
  const subtypeProblem = token('a subtype after "/"');
  if (subtypeProblem) return subtypeProblem;

  while (i < type.length) {
    skipOws();
    if (type[i] !== ';') return `lacks ";" before a parameter at index ${i}, found ${found(i)}`;
    i++;
    skipOws();
    // An empty parameter (";;" or a trailing ";") is allowed by the grammar.
    if (i >= type.length || type[i] === ';') continue;
    const nameProblem = token('a parameter name');
    if (nameProblem) return nameProblem;
    if (type[i] !== '=') return `lacks "=" after the parameter name at index ${i}, found ${found(i)}`;
    i++;
    if (type[i] === '"') {
      i++;
      for (;;) {
        const c = type[i];
        if (c === undefined) return 'has a quoted-string without its closing \'"\'';
        if (c === '"') break;
        if (c === '\\') {
          // quoted-pair: any HTAB, SP or VCHAR may follow the backslash.
          if (type[i + 1] === undefined) return 'has a quoted-string ending in a lone backslash';
          i += 2;
          continue;
        }
        i++;
      }
      i++;
    } else {
      const valueProblem = token('a parameter value (a token or a quoted-string)');
      if (valueProblem) return valueProblem;
    }
  }
  return undefined;
}

/** True when `type` is a content type a manifest may carry (`contentTypeProblem` finds nothing). */
export function isValidContentType(type: unknown): type is string {
  return contentTypeProblem(type) === undefined;
}
