import { contentTypeFor } from '../core/index.js';
import type { PickedFile } from './publish-plan.js';

/** Resources above this are left out of the preview (it inlines them). */
const MAX_INLINE_BYTES = 2_000_000;

/**
 * The start page of a dropped site as a self-contained document for a sandboxed,
 * script-free `<iframe srcdoc>`: its stylesheets and images are inlined as data: URLs, so
 * the preview looks like the site before anything is published. Scripts do not run and
 * links do not navigate; it is a look, not the site.
 */
export async function previewDocument(files: readonly PickedFile[], entry: string): Promise<string | undefined> {
  const byPath = new Map(files.map((f) => [f.path, f]));
  const page = byPath.get(entry);
  if (!page?.blob) return undefined;
  const doc = new DOMParser().parseFromString(await page.blob.text(), 'text/html');
  const dir = entry.includes('/') ? entry.slice(0, entry.lastIndexOf('/') + 1) : '';
  const resolve = (ref: string) => {
    if (!ref || /^[a-z][a-z0-9+.-]*:|^\/\/|^#/i.test(ref)) return undefined;
    const url = new URL(ref, `http://site/${dir}`);
    return decodeURIComponent(url.pathname.slice(1));
  };
  const inline = async (path: string | undefined) => {
    const file = path ? byPath.get(path) : undefined;
    if (!file?.blob || file.size > MAX_INLINE_BYTES) return undefined;
    const bytes = new Uint8Array(await file.blob.arrayBuffer());
    let binary = '';
    for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return `data:${contentTypeFor(path!)};base64,${btoa(binary)}`;
  };
  for (const link of doc.querySelectorAll<HTMLLinkElement>('link[rel~="stylesheet"][href]')) {
    const path = resolve(link.getAttribute('href')!);
    const file = path ? byPath.get(path) : undefined;
    if (file?.blob && file.size <= MAX_INLINE_BYTES) {
      const style = doc.createElement('style');
      style.textContent = await file.blob.text();
      link.replaceWith(style);
    }
  }
  for (const img of doc.querySelectorAll<HTMLElement>('img[src], source[src], video[poster], link[rel~="icon"][href]')) {
    const attr = img.hasAttribute('poster') ? 'poster' : img.hasAttribute('src') ? 'src' : 'href';
    const data = await inline(resolve(img.getAttribute(attr)!));
    if (data) img.setAttribute(attr, data);
    else if (attr === 'href') img.remove();
  }
  // The frame is sandboxed without scripts; these go too, so nothing acts or navigates.
  // (`allow-same-origin` without `allow-scripts` keeps the frame in this process, which
  // is safe: only the pair of the two lets framed content reach the app.)
  doc.querySelectorAll('script, iframe, frame, object, embed, meta[http-equiv]').forEach((el) => el.remove());
  // Links would navigate the frame away from the preview; keep them inert.
  const base = doc.createElement('base');
  base.target = '_blank';
  doc.head.prepend(base);
  return `<!doctype html>${doc.documentElement.outerHTML}`;
}
