import { utf8, type BundleInputFile } from '../../src/core/index.js';

/** Deterministic bytes that do not compress (so no transport shrinks them), varied by `seed`. */
export function filler(bytes: number, seed = 0): Uint8Array {
  const out = new Uint8Array(bytes);
  for (let i = 0; i < out.length; i++) out[i] = ((i + seed * 7919) * 2654435761) >>> 24;
  return out;
}

/**
 * The bench site visit.bench.ts has always used: a page with `#title`, a style sheet, a
 * script, an image, and `payloadBytes` in one more file. `seed` varies the payload, so
 * two sites do not share a torrent.
 */
export function siteFiles(payloadBytes: number, seed = 0): BundleInputFile[] {
  return [
    { path: 'index.html', bytes: utf8('<!doctype html><title>bench</title><link rel="icon" href="data:,"><link rel="stylesheet" href="style.css"><h1 id="title">bench</h1><img src="pixel.svg"><script src="app.js"></script>') },
    { path: 'style.css', bytes: utf8('h1{color:teal}') },
    { path: 'app.js', bytes: utf8('document.title="bench ready"') },
    { path: 'pixel.svg', bytes: utf8('<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>') },
    { path: 'data/payload.bin', bytes: filler(payloadBytes, seed) },
  ];
}

/** An uncompressed 24-bit BMP of `side` × `side` pixels: a real image with no encoder. */
function bmp(side: number, seed: number): Uint8Array {
  const row = Math.ceil((side * 3) / 4) * 4;
  const out = new Uint8Array(54 + row * side);
  const view = new DataView(out.buffer);
  out.set([0x42, 0x4d]); // "BM"
  view.setUint32(2, out.length, true);
  view.setUint32(10, 54, true); // pixel data offset
  view.setUint32(14, 40, true); // BITMAPINFOHEADER
  view.setInt32(18, side, true);
  view.setInt32(22, side, true);
  view.setUint16(26, 1, true); // planes
  view.setUint16(28, 24, true); // bits per pixel
  view.setUint32(34, row * side, true);
  out.set(filler(row * side, seed), 54);
  return out;
}

/**
 * A small ordinary site of 7 files, about 320 kB: index.html, a style sheet (4 kB), a
 * script (8 kB) and four 160×160 images (77 kB each), all referenced by the page.
 */
export function smallSite(seed = 0): BundleInputFile[] {
  const css = `h1{color:teal;font:bold 2em system-ui}img{width:160px;height:160px;margin:4px}\n${Array.from({ length: 90 }, (_, i) => `.c${i}{margin:${i}px;padding:${i % 7}px}`).join('\n')}`;
  const js = `document.title="small ready";\n${Array.from({ length: 200 }, (_, i) => `function f${i}(x){return x*${i}+${seed}}`).join('\n')}`;
  const images = [0, 1, 2, 3].map((i) => ({ path: `img/photo-${i}.bmp`, bytes: bmp(160, seed * 4 + i) }));
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>small</title><link rel="icon" href="data:,"><link rel="stylesheet" href="style.css"></head><body><h1 id="title">A small site</h1><p>Four pictures and some text.</p>${images.map((f) => `<img src="${f.path}" alt="">`).join('')}<script src="app.js"></script></body></html>`;
  return [{ path: 'index.html', bytes: utf8(html) }, { path: 'style.css', bytes: utf8(css) }, { path: 'app.js', bytes: utf8(js) }, ...images];
}

/**
 * A documentation site of `count` files of 1 kB each: `index.html` (with `#title` and
 * links to the first pages of each section) and pages under `docs/<section>/<chapter>/`,
 * ten chapters of ten pages per section.
 */
export function docsSite(count: number, seed = 0): BundleInputFile[] {
  const pad = (s: string) => s + ' '.repeat(Math.max(0, 1024 - s.length));
  const pages: string[] = [];
  for (let i = 0; pages.length < count - 1; i++) pages.push(`docs/s${Math.floor(i / 100)}/c${Math.floor(i / 10) % 10}/p${i % 10}.html`);
  const linked = pages.filter((p) => p.endsWith('/c0/p0.html') || p.endsWith('/c0/p1.html')).slice(0, 40);
  const index = `<!doctype html><title>docs</title><link rel="icon" href="data:,"><h1 id="title">Docs ${seed}</h1><ul>${linked.map((p) => `<li><a href="${p}">${p}</a>`).join('')}</ul>`;
  return [
    { path: 'index.html', bytes: utf8(index) },
    ...pages.map((p, i) => ({ path: p, bytes: utf8(pad(`<!doctype html><title>${p}</title><h1 id="title">Page ${i}</h1><p>${seed}</p><a href="/">home</a>`)) })),
  ];
}
