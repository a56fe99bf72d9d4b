import type { Env } from '../env.ts';
import { ApiError } from '../errors.ts';

/** A held slot; `release` is idempotent and never throws (a lost release only waits for expiry). */
export interface QuerySlot {
  release(): Promise<void>;
}

/**
 * Takes one of `cap` concurrent-query slots of a connection, or answers 429.
 *
 * The counter lives in D1 (table `query_slot`): D1 runs writes one at a time, so
 * the conditional INSERT below is an atomic test-and-increment, and its lease
 * expiry (query timeout plus a margin) returns slots a crashed Worker never
 * released.
 */
export async function acquireSlot(
  env: Env,
  connectionId: string,
  options: { cap: number; leaseMs: number },
): Promise<QuerySlot> {
  const id = crypto.randomUUID();
  const now = Date.now();
  const result = await env.DB.prepare(
    `insert into query_slot (id, connection_id, expires_at)
     select ?1, ?2, ?3
     where (select count(*) from query_slot where connection_id = ?2 and expires_at > ?4) < ?5`,
  )
    .bind(id, connectionId, now + options.leaseMs, now, options.cap)
    .run();
  if (result.meta.changes !== 1) {
    // Expired leases are swept lazily, only when they could be in the way.
    await env.DB.prepare('delete from query_slot where connection_id = ? and expires_at <= ?')
      .bind(connectionId, now)
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
  let released = false;
  return {
    release: async () => {
      if (released) return;
      released = true;
      try {
        await env.DB.prepare('delete from query_slot where id = ?').bind(id).run();
      } catch {
        // The lease expires on its own; a failed release must not mask the query's outcome.
      }
    },
  };
}
