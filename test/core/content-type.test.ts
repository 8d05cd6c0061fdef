import { describe, expect, it } from 'vitest';
import { validateHeaderValue } from 'node:http';
import { buildBundle, contentTypeFor, contentTypeProblem, CoreError, isValidContentType, utf8, verifyManifest } from '../../src/core/index.js';
import { FIXED_SECRET, sampleBundle } from '../helpers/fixtures.js';
import { prng } from './ed25519-cases.js';

// RFC 9110 section 8.3.1 (media-type), 5.6.2 (token), 5.6.4 (quoted-string), 5.6.3 (OWS).
const ACCEPTED = [
  'text/html',
  'text/html; charset=utf-8',
  'text/html;charset=utf-8',
  'text/html ; charset=utf-8',
  'text/html;\tcharset=utf-8',
  'TEXT/HTML; Charset=UTF-8',
  'text/plain; charset="utf-8"',
  'application/vnd.api+json',
  'image/svg+xml',
  'application/octet-stream',
  "application/x.t-_!#$%&'*^`|~; a=!#$%&'*+-.^_`|~09AZaz",
  'multipart/form-data; boundary="a b;c=d"',
  'text/plain; x="with \\"escaped\\" quotes and a \\\\ backslash"',
  'text/plain; x=""',
  'text/html;', // an empty parameter is allowed by parameters = *( OWS ";" OWS [ parameter ] )
  'text/html;;charset=utf-8',
  'text/html; charset=utf-8;',
  '*/*',
  `a/${'b'.repeat(126)}`, // 128 characters
];

const REFUSED: [string, RegExp][] = [
  ['', /empty/],
  ['text', /lacks "\/"/],
  ['text/', /lacks a subtype/],
  ['/html', /lacks a type/],
  ['text/html\r\n', /U\+000D/],
  ['text/html\nX-Evil: 1', /U\+000A/],
  ['text/html\r\nSet-Cookie: a=b', /U\+000D/],
  ['text/html\u0000', /U\+0000/],
  ['text/html\u007f', /U\+007F/],
  ['text/htm\u0142', /U\+0142/],
  ['text/html; charset=utf\u20118', /U\+2011/],
  ['text/plain; x="caf\u00e9"', /U\+00E9/],
  ['text/plain; x="a\u0001b"', /U\+0001/],
  [' text/html', /whitespace/],
  ['text/html ', /whitespace/],
  ['text/html\t', /whitespace/],
  ['text /html', /lacks "\/"/],
  ['text/ html', /lacks a subtype/],
  ['text/h(tml)', /lacks ";"/],
  ['text/html, text/plain', /lacks ";"/],
  ['text/html charset=utf-8', /lacks ";"/],
  ['text/html; charset', /lacks "="/],
  ['text/html; charset =utf-8', /lacks "="/],
  ['text/html; charset= utf-8', /lacks a parameter value/],
  ['text/html; charset=', /lacks a parameter value/],
  ['text/html; =utf-8', /lacks a parameter name/],
  ['text/html; charset=a b', /lacks ";"/],
  ['text/html; charset="utf-8', /closing/],
  ['text/html; charset="a\\"', /closing/],
  ['text/html; charset="a\\', /backslash/],
  ['text/html; charset="a"b', /lacks ";"/],
  ['text/html; charset=utf-8; q', /lacks "="/],
  ['text/html; a=[b]', /lacks a parameter value/],
  [`a/${'b'.repeat(127)}`, /129 characters, more than 128/],
];

describe('content types (RFC 9110 section 8.3.1)', () => {
  it('accepts the grammar, and each accepted type is a header value Node and fetch Headers keep byte for byte', () => {
    for (const type of ACCEPTED) {
      expect(contentTypeProblem(type), type).toBeUndefined();
      expect(isValidContentType(type)).toBe(true);
      expect(() => validateHeaderValue('Content-Type', type), type).not.toThrow();
      expect(new Headers({ 'Content-Type': type }).get('content-type'), type).toBe(type);
    }
  });

  it('refuses the rest, saying where', () => {
    for (const [type, reason] of REFUSED) {
      expect(contentTypeProblem(type), JSON.stringify(type)).toMatch(reason);
      expect(isValidContentType(type)).toBe(false);
    }
    expect(contentTypeProblem(42)).toMatch(/not a string/);
  });

  it('never accepts what Node or fetch Headers would refuse or alter (seeded fuzz)', () => {
    const rand = prng(0xc0ffee);
    const pieces = ['text', 'html', '/', ';', ' ', '\t', '=', '"', '\\', 'charset', 'utf-8', '\r', '\n', '\u0000', '\u00e9', '\u2028', '\ud800', ',', '(', '*', 'a', ''];
    let accepted = 0;
    for (let i = 0; i < 5000; i++) {
      // A valid type with one or two pieces spliced in at random places.
      let type = ACCEPTED[Math.floor(rand() * ACCEPTED.length)];
      for (let k = 1 + Math.floor(rand() * 2); k > 0; k--) {
        const at = Math.floor(rand() * (type.length + 1));
        type = type.slice(0, at) + pieces[Math.floor(rand() * pieces.length)] + type.slice(at + Math.floor(rand() * 2));
      }
      if (!isValidContentType(type)) continue;
      accepted++;
      expect(() => validateHeaderValue('Content-Type', type), JSON.stringify(type)).not.toThrow();
      expect(new Headers({ 'Content-Type': type }).get('content-type'), JSON.stringify(type)).toBe(type);
    }
    expect(accepted).toBeGreaterThan(500);
  });

  it('covers every type the extension table hands out', () => {
    for (const ext of ['html', 'css', 'js', 'json', 'svg', 'png', 'woff2', 'wasm', 'csv', 'md', 'unknown-ext', '']) {
      expect(contentTypeProblem(contentTypeFor(`f.${ext}`)), ext).toBeUndefined();
    }
  });

  it('refuses a manifest carrying a bad type with E_BAD_MANIFEST, before its signature is looked at', async () => {
    const { manifest } = await sampleBundle();
    for (const [type] of REFUSED) {
      const copy = structuredClone(manifest);
      copy.files[1].type = type;
      try {
        await verifyManifest(copy);
        throw new Error(`accepted ${JSON.stringify(type)}`);
      } catch (err) {
        expect(err).toBeInstanceOf(CoreError);
        expect((err as CoreError).code, JSON.stringify(type)).toBe('E_BAD_MANIFEST');
        expect((err as Error).message).toMatch(/files\[1\]\.type.*not a valid Content-Type \(RFC 9110 section 8\.3\.1\)/);
      }
    }
  });

  it('refuses a bad type when building a bundle', async () => {
    const files = [{ path: 'index.html', bytes: utf8('x'), type: 'text/html\r\nX-Evil: 1' }];
    await expect(buildBundle({ files, secretKey: FIXED_SECRET, seq: 1 })).rejects.toMatchObject({ code: 'E_BAD_MANIFEST' });
    const ok = await buildBundle({ files: [{ path: 'index.html', bytes: utf8('x'), type: 'text/html;charset="utf-8"' }], secretKey: FIXED_SECRET, seq: 1 });
    expect((await verifyManifest(ok.manifest)).files[0].type).toBe('text/html;charset="utf-8"');
  });
});
