import type { Env } from '../env.ts';
import { ApiError } from '../errors.ts';
import { createVault, type Vault, VaultError } from '../vault/vault.ts';
import { secretContext } from './secret-context.ts';
import type { StoredSecret } from './types.ts';

/** Vault failures are the operator's to fix (keys); the message says so without detail. */
function vaultFailure(err: unknown): never {
  if (err instanceof VaultError) {
    console.error(
      JSON.stringify({ level: 'error', event: 'vault.failure', code: err.code, message: err.message }),
    );
    throw new ApiError(
      500,
      err.code,
      `The secret vault failed (${err.code}); an operator must check VAULT_KEYS`,
    );
  }
  throw err;
}

export async function getVault(env: Env): Promise<Vault> {
  return createVault(env.VAULT_KEYS).catch(vaultFailure);
}

export async function sealSecret(
  env: Env,
  connectionId: string,
  secret: StoredSecret | null,
): Promise<string | null> {
  if (!secret) return null;
  const vault = await getVault(env);
  return vault.seal(JSON.stringify(secret), secretContext(connectionId)).catch(vaultFailure);
}

export async function openSecret(
  env: Env,
  connectionId: string,
  envelope: string | null,
): Promise<StoredSecret | null> {
  if (!envelope) return null;
  const vault = await getVault(env);
  const plain = await vault.open(envelope, secretContext(connectionId)).catch(vaultFailure);
  return JSON.parse(plain) as StoredSecret;
}
