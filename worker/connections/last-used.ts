/** "Recently used": a connection's last-use stamp, written at most once a minute, off the response path. */
import { and, eq, isNull, lt, or } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import { afterResponse, type ServiceContext } from '../lib/after-response.ts';
import { builtinConnectionState, type ConnectionRow, connections } from '../meta/connections.ts';
import { metaDb } from './scope.ts';

/** `last_used_at` is written at most this often per connection (it feeds "recently used"). */
export const LAST_USED_THROTTLE_MS = 60_000;

/** A D1 write built but not run: batchable (`db.batch`) or awaitable on its own. */
export type DeferredWrite = BatchItem<'sqlite'> & PromiseLike<unknown>;

/**
 * Stamps a saved connection as used now. With `bookkeeping`, the write is handed to a caller
 * that batches its own writes after the response (the query pipeline); otherwise it runs
 * after the response on its own.
 */
export async function touchLastUsed(
  ctx: ServiceContext,
  row: ConnectionRow,
  bookkeeping?: DeferredWrite[],
): Promise<void> {
  const now = Date.now();
  if (row.lastUsedAt && now - row.lastUsedAt.getTime() < LAST_USED_THROTTLE_MS) return;
  // The condition repeats the throttle in SQL so concurrent opens write once.
  const write = metaDb(ctx.env)
    .update(connections)
    .set({ lastUsedAt: new Date(now) })
    .where(
      and(
        eq(connections.id, row.id),
        or(isNull(connections.lastUsedAt), lt(connections.lastUsedAt, new Date(now - LAST_USED_THROTTLE_MS))),
      ),
    );
  // The row may be the isolate's cached copy (connection-cache.ts): stamp it so the next
  // open within the throttle does not queue the same write again.
  row.lastUsedAt = new Date(now);
  await hand(ctx, write, bookkeeping);
}

/** The same for a built-in, whose use is kept per organization. */
export async function touchBuiltinLastUsed(
  ctx: ServiceContext,
  orgId: string,
  builtinId: string,
  bookkeeping?: DeferredWrite[],
): Promise<void> {
  const now = Date.now();
  const t = builtinConnectionState;
  const write = metaDb(ctx.env)
    .insert(t)
    .values({ orgId, builtinId, lastUsedAt: new Date(now) })
    .onConflictDoUpdate({
      target: [t.orgId, t.builtinId],
      set: { lastUsedAt: new Date(now) },
      setWhere: or(isNull(t.lastUsedAt), lt(t.lastUsedAt, new Date(now - LAST_USED_THROTTLE_MS))),
    });
  await hand(ctx, write, bookkeeping);
}

async function hand(ctx: ServiceContext, write: DeferredWrite, bookkeeping?: DeferredWrite[]) {
  if (bookkeeping) bookkeeping.push(write);
  // Losing a "last used" stamp must not fail the query that triggered it.
  else await afterResponse(ctx, write, 'connection.bookkeeping_failed');
}
