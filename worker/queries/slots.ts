import { eq } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import type { Env } from '../env.ts';
import { ApiError } from '../errors.ts';
import { querySlots } from '../meta/queries.ts';

/** A held slot. Releasing is a D1 write the caller batches with its other bookkeeping. */
export interface QuerySlot {
  id: string;
}

/** The release as an unexecuted query, for `db.batch([...])`; a lost release only waits for expiry. */
export const releaseSlot = (env: Env, slot: QuerySlot) =>
  drizzle(env.DB).delete(querySlots).where(eq(querySlots.id, slot.id));

/**
 * Takes one of `cap` concurrent-query slots of a connection in an organization, or
 * answers 429. Slots are counted per (organization, connection): a built-in is one
 * id for every organization, and one organization must not starve the others.
 *
 * The counter lives in D1 (table `query_slot`): D1 runs writes one at a time, so
 * the conditional INSERT below is an atomic test-and-increment, and its lease
 * expiry (query timeout plus a margin) returns slots a crashed Worker never
 * released.
 */
export async function acquireSlot(
  env: Env,
  orgId: string,
  connectionId: string,
  options: { cap: number; leaseMs: number },
): Promise<QuerySlot> {
  const id = crypto.randomUUID();
  const now = Date.now();
  const result = await env.DB.prepare(
    `insert into query_slot (id, org_id, connection_id, expires_at)
     select ?1, ?2, ?3, ?4
     where (select count(*) from query_slot
            where org_id = ?2 and connection_id = ?3 and expires_at > ?5) < ?6`,
  )
    .bind(id, orgId, connectionId, now + options.leaseMs, now, options.cap)
    .run();
  if (result.meta.changes !== 1) {
    // Expired leases are swept lazily, only when they could be in the way.
    await env.DB.prepare('delete from query_slot where org_id = ? and connection_id = ? and expires_at <= ?')
      .bind(orgId, connectionId, now)
      .run();
    throw new ApiError(
      429,
      'too_many_concurrent_queries',
      'Too many queries are running on this connection',
      {
        headers: { 'Retry-After': '1' },
        details: { retryAfter: 1, limit: options.cap },
      },
    );
  }
  return { id };
}
