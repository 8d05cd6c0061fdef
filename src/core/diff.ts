import type { ManifestFile } from './manifest.js';

export interface ManifestDiff {
  added: ManifestFile[];
  removed: ManifestFile[];
  modified: { before: ManifestFile; after: ManifestFile }[];
  unchanged: ManifestFile[];
}

/** What changed between two versions of a site, by path and content hash. */
export function diffFiles(before: readonly ManifestFile[], after: readonly ManifestFile[]): ManifestDiff {
  const old = new Map(before.map((f) => [f.path, f]));
  const diff: ManifestDiff = { added: [], removed: [], modified: [], unchanged: [] };
  for (const file of after) {
    const prev = old.get(file.path);
    if (!prev) diff.added.push(file);
    else if (prev.sha256 !== file.sha256 || prev.type !== file.type) diff.modified.push({ before: prev, after: file });
    else diff.unchanged.push(file);
    old.delete(file.path);
  }
  for (const file of old.values()) diff.removed.push(file);
  return diff;
}
