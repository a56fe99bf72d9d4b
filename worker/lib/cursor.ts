/**
 * Opaque page cursors: JSON, UTF-8, base64url without padding, so a cursor travels in a
 * query string unescaped. What a cursor holds is its caller's business; decoding only says
 * whether the text is one of ours.
 */
import { badRequest } from '../errors.ts';

export function encodeCursor(value: unknown): string {
  const bytes = new TextEncoder().encode(JSON.stringify(value));
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

/** The cursor's value, or undefined for text this API did not make (plain base64 is read too). */
export function decodeCursor(text: string): unknown {
  try {
    const binary = atob(text.replaceAll('-', '+').replaceAll('_', '/'));
    const bytes = Uint8Array.from(binary, (ch) => ch.charCodeAt(0));
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return undefined;
  }
}

/** A `[number, string]` cursor (a timestamp and an id: the usual keyset), or a 400 `invalid_cursor`. */
export function decodeKeyCursor(text: string): [number, string] {
  const value = decodeCursor(text);
  if (Array.isArray(value) && typeof value[0] === 'number' && typeof value[1] === 'string') {
    return [value[0], value[1]];
  }
  throw invalidCursor();
}

export const invalidCursor = () => badRequest('invalid_cursor', 'The cursor is not one this API issued');
