import type { PickedFile } from './publish-plan.js';

/** Called as files are found: how many so far, and their bytes. */
export type FoundFn = (files: number, bytes: number) => void;

/**
 * Reads what was dropped: folders are walked (the File and Directory Entries API, which
 * every current browser supports for drops), plain files taken as they are. The files of
 * one folder listing are opened together, not one after another (a folder of 10,000
 * files took seconds that way).
 */
export async function filesFromDrop(transfer: DataTransfer, found?: FoundFn): Promise<PickedFile[]> {
  // Items must be read while the drop event runs: take the entries first.
  const entries = [...transfer.items].map((item) => item.webkitGetAsEntry?.()).filter((e): e is FileSystemEntry => Boolean(e));
  if (entries.length === 0) return filesFromList(transfer.files);
  const out: PickedFile[] = [];
  let bytes = 0;
  const walk = async (entry: FileSystemEntry): Promise<void> => {
    if (entry.isFile) {
      const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject));
      out.push({ path: entry.fullPath.replace(/^\/+/, ''), size: file.size, blob: file });
      bytes += file.size;
      found?.(out.length, bytes);
      return;
    }
    const reader = (entry as FileSystemDirectoryEntry).createReader();
    // readEntries returns at most 100 entries per call (Chromium); call until empty.
    for (;;) {
      const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
      if (batch.length === 0) break;
      await Promise.all(batch.map(walk));
    }
  };
  for (const entry of entries) await walk(entry);
  return out;
}

/** From `<input type=file webkitdirectory>` or a plain multi-file input. */
export function filesFromList(list: FileList | readonly File[]): PickedFile[] {
  return [...list].map((file) => ({ path: file.webkitRelativePath || file.name, size: file.size, blob: file }));
}
