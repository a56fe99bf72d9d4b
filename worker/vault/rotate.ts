import { envelopeKeyId, type Vault } from './vault.ts';

export interface SealedRow {
  id: string;
  secret: string;
}

export interface Reseal {
  id: string;
  /** The envelope as read: the update only applies if the row still holds it. */
  from: string;
  to: string;
}

/**
 * New envelopes, under the vault's active key, for every row sealed with another
 * key. Pure (no I/O), so the Worker and the Node rotation script share it; a
 * row that does not open stops the whole plan rather than being skipped.
 */
export async function planReseal(
  rows: readonly SealedRow[],
  vault: Vault,
  contextOf: (id: string) => string,
): Promise<Reseal[]> {
  const plan: Reseal[] = [];
  for (const row of rows) {
    if (envelopeKeyId(row.secret) === vault.activeKeyId) continue;
    const context = contextOf(row.id);
    const plain = await vault.open(row.secret, context);
    plan.push({ id: row.id, from: row.secret, to: await vault.seal(plain, context) });
  }
  return plan;
}

/** Counts envelopes per key id, e.g. `{ k2: 10, k1: 0 }`, to report and to verify a rotation. */
export function countByKey(rows: readonly SealedRow[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const row of rows) {
    const kid = envelopeKeyId(row.secret) ?? 'not-an-envelope';
    counts[kid] = (counts[kid] ?? 0) + 1;
  }
  return counts;
}

/**
 * One UPDATE per row, compare-and-swap on the old envelope so a connection
 * edited meanwhile keeps its new secret. Values are envelope and id characters
 * only, but quotes are still escaped.
 */
export function resealSql(
  plan: readonly Reseal[],
  table: { table: string; id: string; secret: string },
): string {
  const q = (s: string) => `'${s.replaceAll("'", "''")}'`;
  return plan
    .map(
      (r) =>
        `update "${table.table}" set "${table.secret}" = ${q(r.to)} where "${table.id}" = ${q(r.id)} and "${table.secret}" = ${q(r.from)};`,
    )
    .join('\n');
}
