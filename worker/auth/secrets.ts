/** Random one-time secrets (API tokens, invitation links) and their stored SHA-256 form. */

const ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** 32 characters from a 62-symbol alphabet: ~190 bits, rejection-sampled so every symbol is equally likely. */
export function randomSecret(length = 32): string {
  let out = '';
  while (out.length < length) {
    for (const byte of crypto.getRandomValues(new Uint8Array(length * 2))) {
      if (byte < 248 && out.length < length) out += ALPHABET[byte % 62];
    }
  }
  return out;
}

export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** Ids for Atrium's own rows: random, URL-safe, unguessable. */
export const newId = () => randomSecret(24);
