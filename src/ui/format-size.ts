const UNITS = ['KiB', 'MiB', 'GiB', 'TiB'];

/**
 * Byte counts as the app shows them, in binary units like the docs and the limits
 * (512 MiB is 512 × 1024² bytes, which SI units would show as "537 MB"): a whole
 * number when exact ("512 MiB"), one decimal under 10 ("1.5 KiB"), else rounded.
 */
export function formatSize(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '—';
  if (bytes < 1024) return `${bytes} B`;
  let value = bytes;
  let unit = -1;
  do {
    value /= 1024;
    unit++;
  } while (value >= 1024 && unit < UNITS.length - 1);
  const text = Number.isInteger(value) ? String(value) : value < 10 ? value.toFixed(1) : String(Math.round(value));
  return `${text} ${UNITS[unit]}`;
}

/** Counts with thousands separators, the same in every locale the tests run in ("10,000"). */
export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}
