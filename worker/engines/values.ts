/**
 * The JSON-safe value contract in engine.ts, in the pieces every engine's value mapping
 * (`<engine>/<engine>-values.ts`) builds on, so a value looks the same whichever database it
 * came from.
 */

export type BinaryValue = { $binary: string };

export function isBinaryValue(value: unknown): value is BinaryValue {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    typeof (value as { $binary?: unknown }).$binary === 'string' &&
    Object.keys(value).length === 1
  );
}

export function bytesToBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

export function base64ToBytes(base64: string): Uint8Array {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

export function binary(bytes: Uint8Array): BinaryValue {
  return { $binary: bytesToBase64(bytes) };
}

/** Integers as numbers while exact, as strings beyond 2^53. */
export function integer(text: string): number | string {
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : text;
}

/** Floats as numbers; NaN and ±Infinity have no JSON form, so they stay text. */
export function float(text: string): number | string {
  const n = Number(text);
  return Number.isFinite(n) ? n : text;
}

/**
 * The server's everyday shapes (4-digit year, offset of whole hours or hours and minutes, or none),
 * checked without captures: an export converts one per timestamp cell, so the general regex
 * below is kept for the rest.
 */
const COMMON_TIMESTAMP = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)?(?:[+-]\d\d(?::\d\d)?)?$/;

/** `2024-01-02 03:04:05.6+05:30` (server text) → `2024-01-02T03:04:05.6+05:30`. */
export function isoTimestamp(text: string): string {
  if (COMMON_TIMESTAMP.test(text)) {
    // Past the seconds (index 19) only the offset holds a sign.
    let sign = text.indexOf('+', 19);
    if (sign === -1) sign = text.indexOf('-', 19);
    const iso = `${text.slice(0, 10)}T${text.slice(11)}`;
    return sign !== -1 && text.length - sign === 3 ? `${iso}:00` : iso;
  }
  const m = /^(\d{4,}-\d\d-\d\d) (\d\d:\d\d:\d\d(?:\.\d+)?)([+-]\d\d)?(?::?(\d\d))?(?::?(\d\d))?( BC)?$/.exec(
    text,
  );
  if (!m) return text; // infinity, -infinity and BC dates stay as the server wrote them
  const [, date, time, offH, offM, offS, bc] = m;
  if (bc) return text;
  const offset = offH ? `${offH}:${offM ?? '00'}${offS ? `:${offS}` : ''}` : '';
  return `${date}T${time}${offset}`;
}
