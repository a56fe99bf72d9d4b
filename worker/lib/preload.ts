/**
 * Request-start reads (issue 17): statements a route will need, sent in the same D1 batch as the
 * caller's auth read so a cold isolate waits for one round trip, which a replica can serve,
 * instead of one per read in turn. The caller's organization is not known before that read, so
 * each statement names it as SQL that finds it in the same batch (or as the id, once known).
 */
import type { SQL } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import type { DrizzleD1Database } from 'drizzle-orm/d1';
import type { Env } from '../env.ts';

/** An organization as a statement names it: a literal id, or SQL that finds it in the same statement. */
export type OrgRef = string | SQL;

export type MetaDb = DrizzleD1Database<Record<string, never>>;

export interface Preload {
  /** Statements to send in the caller's batch, after its own. */
  queries(db: MetaDb, org: OrgRef): BatchItem<'sqlite'>[];
  /**
   * Hands what they returned to where the route reads it (isolate caches, the request), for the
   * org they resolved to. Called only once the caller is known to be valid.
   */
  prime(env: Env, results: readonly unknown[], orgId: string): Promise<void>;
}
