import type { Page } from '@playwright/test';

/**
 * Drops a folder onto the app's drop zone: a real DataTransfer whose files carry the
 * path below the dropped folder, as browsers set it for files picked from a folder.
 */
export async function dropFolder(page: Page, files: Record<string, string>): Promise<void> {
  const zone = page.getByRole('region', { name: /Drop a folder/ });
  const handle = await page.evaluateHandle((entries) => {
    const transfer = new DataTransfer();
    for (const [path, text] of Object.entries(entries)) {
      const file = new File([text], path.split('/').pop()!, { type: '' });
      Object.defineProperty(file, 'webkitRelativePath', { value: path });
      transfer.items.add(file);
    }
    return transfer;
  }, files);
  for (const type of ['dragenter', 'dragover', 'drop']) await zone.dispatchEvent(type, { dataTransfer: handle });
}
