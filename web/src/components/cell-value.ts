/**
 * How a value from the API is shown and copied. The engine contract sends
 * big integers and decimals as strings, binary as `{ $binary }`, JSON as values.
 */
export function cellText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  if (typeof value === 'object' && '$binary' in value && typeof value.$binary === 'string') {
    return `<binary ${Math.floor((value.$binary.length * 3) / 4)} bytes>`;
  }
  return JSON.stringify(value);
}

/** Text for the clipboard: NULL stays distinguishable from the string 'NULL' only by context. */
export function copyText(value: unknown): string {
  return cellText(value) ?? 'NULL';
}

/** A starting column width from the header and the first rows. */
export function guessWidth(name: string, sample: unknown[]): number {
  let longest = name.length + 4;
  for (const value of sample) longest = Math.max(longest, Math.min(48, (cellText(value) ?? 'NULL').length));
  return Math.max(72, Math.min(360, longest * 8 + 20));
}
