import { describe, expect, it } from 'vitest';
import {
  createVault,
  envelopeKeyId,
  generateVaultKey,
  parseVaultKeys,
  VaultError,
} from '../../../worker/vault/vault.ts';

const K1 = 'k1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=';

async function rejectsWith(promise: Promise<unknown>, code: string) {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(VaultError);
  expect((err as VaultError).code).toBe(code);
}

describe('vault', () => {
  it('round-trips unicode plaintext and records the key id', async () => {
    const vault = await createVault(K1);
    const secret = 'p@ss:wörd/ünïcode ✓ "quoted"';
    const envelope = await vault.seal(secret, 'connection:a');
    expect(envelope.startsWith('v1.k1.')).toBe(true);
    expect(envelope).not.toContain(secret);
    expect(envelopeKeyId(envelope)).toBe('k1');
    expect(await vault.open(envelope, 'connection:a')).toBe(secret);
  });

  it('uses a fresh IV each time', async () => {
    const vault = await createVault(K1);
    expect(await vault.seal('same', 'c')).not.toBe(await vault.seal('same', 'c'));
  });

  it('refuses a tampered ciphertext, IV, key id or context', async () => {
    const vault = await createVault(K1);
    const envelope = await vault.seal('secret', 'connection:a');
    const [v, kid, iv, ct] = envelope.split('.') as [string, string, string, string];
    const flip = (s: string) => (s[0] === 'A' ? 'B' : 'A') + s.slice(1);
    await rejectsWith(vault.open([v, kid, iv, flip(ct)].join('.'), 'connection:a'), 'vault_decrypt_failed');
    await rejectsWith(vault.open([v, kid, flip(iv), ct].join('.'), 'connection:a'), 'vault_decrypt_failed');
    await rejectsWith(vault.open(envelope, 'connection:b'), 'vault_decrypt_failed');
    await rejectsWith(vault.open([v, 'k9', iv, ct].join('.'), 'connection:a'), 'vault_key_unknown');
    await rejectsWith(vault.open('not-an-envelope', 'connection:a'), 'vault_decrypt_failed');
  });

  it('opens old envelopes after a new key is prepended, and seals with the new one', async () => {
    const old = await createVault(K1);
    const envelope = await old.seal('secret', 'ctx');
    const rotated = await createVault(`${generateVaultKey('k2')},${K1}`);
    expect(rotated.activeKeyId).toBe('k2');
    expect(await rotated.open(envelope, 'ctx')).toBe('secret');
    const resealed = await rotated.seal('secret', 'ctx');
    expect(envelopeKeyId(resealed)).toBe('k2');
    // Once k1 is dropped, only the re-sealed envelope still opens.
    const onlyNew = await createVault(generateVaultKey('k3'));
    await rejectsWith(onlyNew.open(envelope, 'ctx'), 'vault_key_unknown');
  });

  it('rejects malformed VAULT_KEYS without echoing key material', () => {
    for (const spec of [undefined, '', 'nokid', ':AAAA', 'k1:not base64!', 'k1:AAAA', `${K1},${K1}`]) {
      let err: unknown;
      try {
        parseVaultKeys(spec);
      } catch (e) {
        err = e;
      }
      expect(err, String(spec)).toBeInstanceOf(VaultError);
      expect((err as VaultError).code).toBe('vault_not_configured');
      expect((err as VaultError).message).not.toContain('AAECAwQF');
    }
  });
});
