/**
 * JavaScript strings are UTF-16 and may hold a lone surrogate (JSON text can carry
 * "\ud800"); UTF-8 cannot, and TextEncoder silently turns every lone surrogate into
 * U+FFFD. Two manifests differing only in which lone surrogate they hold would then
 * share canonical bytes, and so a signature. Every string the core signs or compares as
 * bytes is therefore checked with this first (Unicode 15, section 3.9, D91: a
 * well-formed UTF-16 code unit sequence has no unpaired surrogates).
 */

// With the `u` flag a surrogate pair is one code point above U+FFFF, so this class
// matches unpaired surrogates only.
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/** Index of the first lone surrogate in `text`, or -1 when it is well-formed Unicode. */
export function loneSurrogateIndex(text: string): number {
  return text.search(LONE_SURROGATE);
}

/** How a lone surrogate is shown in error messages: `U+D800 at index 3`. */
export function describeLoneSurrogate(text: string, index: number): string {
  return `U+${text.charCodeAt(index).toString(16).toUpperCase()} at index ${index}`;
}
