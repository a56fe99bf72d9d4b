/**
 * The one secret scrubber: every engine's error mapping and the connection guard pass messages
 * through it, so a password or connection string never reaches a response or a log.
 */

const MASK = '****';

/**
 * Replaces every secret (raw and URL-encoded) in `text`, then the password of any URL with
 * credentials that slipped through (driver messages sometimes echo the target).
 */
export function redact(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const secret of secrets) {
    if (!secret) continue;
    for (const form of new Set([secret, encodeURIComponent(secret)])) out = out.replaceAll(form, MASK);
  }
  return out.replace(/([a-z][a-z0-9+.-]*:\/\/[^:/@\s]*):[^@\s]*@/gi, `$1:${MASK}@`);
}
