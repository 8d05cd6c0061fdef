import { buildBundle, fromHex, utf8, type Bundle, type BundleInputFile } from '../../src/core/index.js';

/** A fixed publisher key so bundles are reproducible across runs and platforms. */
export const FIXED_SECRET = fromHex('4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb');
export const FIXED_TIME = 1_764_000_000_000;

export function sampleFiles(): BundleInputFile[] {
  const big = new Uint8Array(70_000);
  for (let i = 0; i < big.length; i++) big[i] = (i * 31 + 7) & 255;
  return [
    { path: 'index.html', bytes: utf8('<!doctype html><title>Hello</title><link rel=stylesheet href=css/site.css><h1>Hello</h1>') },
    { path: 'css/site.css', bytes: utf8('h1 { color: rebeccapurple }') },
    { path: 'img/pattern.bin', bytes: big },
    { path: 'blog/post.html', bytes: utf8('<!doctype html><p>A post</p>') },
    { path: 'empty.txt', bytes: new Uint8Array(0) },
  ];
}

export function sampleBundle(seq = 1, files = sampleFiles()): Promise<Bundle> {
  return buildBundle({ files, secretKey: FIXED_SECRET, seq, createdAt: FIXED_TIME });
}
