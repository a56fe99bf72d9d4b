import { countByKey, planReseal, type SealedRow } from '../vault/rotate.ts';
import type { Vault } from '../vault/vault.ts';
import { secretContext } from './secret-context.ts';

/**
 * Re-seals every connection secret under the vault's active key, straight in
 * D1 (one batch, compare-and-swap per row). dev/vault-rotate.ts does the same
 * through `wrangler d1 execute`, with the same plan.
 */
export async function resealConnections(
  db: D1Database,
  vault: Vault,
): Promise<{ resealed: number; byKey: Record<string, number> }> {
  const read = async () =>
    (await db.prepare('select id, secret from connection where secret is not null').all<SealedRow>()).results;
  const plan = await planReseal(await read(), vault, secretContext);
  if (plan.length > 0) {
    await db.batch(
      plan.map((r) =>
        db.prepare('update connection set secret = ? where id = ? and secret = ?').bind(r.to, r.id, r.from),
      ),
    );
  }
  return { resealed: plan.length, byKey: countByKey(await read()) };
}
