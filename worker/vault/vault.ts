/**
 * Secrets at rest: AES-256-GCM through WebCrypto, so the same module runs in the
 * Worker and in Node scripts (dev/vault-rotate.ts).
 *
 * Keys come from `VAULT_KEYS = "kid:base64key,kid2:base64key"`; the first key
 * encrypts, every listed key decrypts. An envelope is
 * `v1.<kid>.<iv base64url>.<ciphertext+tag base64url>`, so rotation only has to
 * prepend a key and re-encrypt at leisure.
 *
 * Every envelope is bound to a `context` (for connections: the row id) through
 * GCM's additional data, so a ciphertext copied onto another row fails to open.
 */

const VERSION = 'v1';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const KID_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;

export type VaultErrorCode = 'vault_not_configured' | 'vault_key_unknown' | 'vault_decrypt_failed';

/** Messages name the key id at most, never key material or plaintext. */
export class VaultError extends Error {
  readonly code: VaultErrorCode;
  constructor(code: VaultErrorCode, message: string) {
    super(message);
    this.name = 'VaultError';
    this.code = code;
  }
}

export interface VaultKeySpec {
  kid: string;
  raw: Uint8Array<ArrayBuffer>;
}

export interface Vault {
  /** The id of the key new envelopes are sealed with. */
  readonly activeKeyId: string;
  readonly keyIds: readonly string[];
  seal(plaintext: string, context: string): Promise<string>;
  open(envelope: string, context: string): Promise<string>;
}

/** Parses `VAULT_KEYS`; throws `vault_not_configured` on anything malformed. */
export function parseVaultKeys(spec: string | undefined): VaultKeySpec[] {
  const entries = (spec ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (entries.length === 0) {
    throw new VaultError('vault_not_configured', 'VAULT_KEYS is not set; secrets cannot be stored or read');
  }
  const seen = new Set<string>();
  return entries.map((entry, index) => {
    const colon = entry.indexOf(':');
    const kid = colon > 0 ? entry.slice(0, colon) : '';
    if (!KID_PATTERN.test(kid)) {
      throw new VaultError('vault_not_configured', `VAULT_KEYS entry ${index + 1} has no valid key id`);
    }
    if (seen.has(kid)) throw new VaultError('vault_not_configured', `VAULT_KEYS lists key id ${kid} twice`);
    seen.add(kid);
    let raw: Uint8Array<ArrayBuffer>;
    try {
      raw = base64ToBytes(entry.slice(colon + 1));
    } catch {
      throw new VaultError('vault_not_configured', `VAULT_KEYS key ${kid} is not base64`);
    }
    if (raw.byteLength !== KEY_BYTES) {
      throw new VaultError('vault_not_configured', `VAULT_KEYS key ${kid} must be 32 bytes (AES-256)`);
    }
    return { kid, raw };
  });
}

/** A fresh random key in `VAULT_KEYS` form (`kid:base64`). */
export function generateVaultKey(kid: string): string {
  if (!KID_PATTERN.test(kid)) throw new VaultError('vault_not_configured', 'Invalid key id');
  return `${kid}:${bytesToBase64(crypto.getRandomValues(new Uint8Array(KEY_BYTES)))}`;
}

/** The key id an envelope was sealed with, or null when it is not an envelope. */
export function envelopeKeyId(envelope: string): string | null {
  const parts = envelope.split('.');
  return parts.length === 4 && parts[0] === VERSION && parts[1] ? parts[1] : null;
}

// Importing keys costs a few hundred microseconds; an isolate serves many requests
// with the same secret, so imported keys are kept per VAULT_KEYS value.
const cache = new Map<string, Promise<Vault>>();

export function createVault(spec: string | undefined): Promise<Vault> {
  const key = spec ?? '';
  let vault = cache.get(key);
  if (!vault) {
    // Parsing inside the promise: a bad VAULT_KEYS is a rejection like any other vault failure.
    vault = Promise.resolve(spec).then((s) => buildVault(parseVaultKeys(s)));
    // A failed build must not poison the cache.
    vault.catch(() => cache.delete(key));
    cache.set(key, vault);
  }
  return vault;
}

async function buildVault(specs: VaultKeySpec[]): Promise<Vault> {
  const keys = new Map<string, CryptoKey>();
  for (const { kid, raw } of specs) {
    keys.set(kid, await crypto.subtle.importKey('raw', raw, 'AES-GCM', false, ['encrypt', 'decrypt']));
  }
  const active = specs[0]!.kid;
  const encoder = new TextEncoder();
  const additionalData = (kid: string, context: string) =>
    encoder.encode(`atrium-vault:${VERSION}:${kid}:${context}`);

  return {
    activeKeyId: active,
    keyIds: specs.map((s) => s.kid),
    async seal(plaintext, context) {
      const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
      const sealed = await crypto.subtle.encrypt(
        { name: 'AES-GCM', iv, additionalData: additionalData(active, context) },
        keys.get(active)!,
        encoder.encode(plaintext),
      );
      return [VERSION, active, bytesToBase64Url(iv), bytesToBase64Url(new Uint8Array(sealed))].join('.');
    },
    async open(envelope, context) {
      const parts = envelope.split('.');
      if (parts.length !== 4 || parts[0] !== VERSION) {
        throw new VaultError('vault_decrypt_failed', 'Stored secret is not a vault envelope');
      }
      const [, kid, ivText, sealedText] = parts as [string, string, string, string];
      const key = keys.get(kid);
      if (!key) {
        throw new VaultError(
          'vault_key_unknown',
          `Stored secret was sealed with key ${kid}, which VAULT_KEYS no longer lists`,
        );
      }
      try {
        const plain = await crypto.subtle.decrypt(
          { name: 'AES-GCM', iv: base64UrlToBytes(ivText), additionalData: additionalData(kid, context) },
          key,
          base64UrlToBytes(sealedText),
        );
        return new TextDecoder().decode(plain);
      } catch {
        // GCM reports tampering, a wrong context and a wrong key the same way, by design.
        throw new VaultError('vault_decrypt_failed', `Stored secret failed authentication under key ${kid}`);
      }
    },
  };
}

function bytesToBase64(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

function base64ToBytes(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text.trim());
  return Uint8Array.from(binary, (ch) => ch.charCodeAt(0));
}

function bytesToBase64Url(bytes: Uint8Array): string {
  return bytesToBase64(bytes).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

function base64UrlToBytes(text: string): Uint8Array<ArrayBuffer> {
  return base64ToBytes(text.replaceAll('-', '+').replaceAll('_', '/'));
}
