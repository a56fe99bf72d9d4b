/** Random one-time secrets (API tokens, invitation links); worker/lib/hash.ts gives their stored form. */

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

/** Ids for Atrium's own rows: random, URL-safe, unguessable. */
export const newId = () => randomSecret(24);
