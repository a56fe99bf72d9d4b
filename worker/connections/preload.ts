/**
 * A cold isolate's connection metadata in the same D1 round trip as the caller's auth (issue 17).
 * A request on `/api/connections/:id/…` needs the connection's row (and opened secret), its query
 * settings and its schema head; read one by one, each waits for the one before it (the org comes
 * from the auth read). Here they are statements the auth read sends in its own batch, scoped to
 * the organization by the same SQL that finds the caller (or by the org id when auth came from the
 * isolate), and what they return fills the isolate caches the routes read from
 * (connection-cache.ts, queries/cache.ts, schema/cache.ts).
 *
 * Consistency: each cache's generation is taken before the read, and a cache that forgot
 * anything since (a change made in this isolate) is not filled, so this isolate never answers
 * from before its own change; primed entries age like any other (10 s, re-read after 5 s).
 * A missing row primes nothing: the route reads it and answers 404 as before.
 */
import { and, asc, eq, sql } from 'drizzle-orm';
import type { EngineName } from '../engines/engine.ts';
import type { MetaDb, OrgRef, Preload } from '../lib/preload.ts';
import { builtinConnectionState, connections } from '../meta/connections.ts';
import { querySettings } from '../meta/queries.ts';
import { schemaHeads, schemaSnapshots } from '../meta/schema-sync.ts';
import { primeQuerySettings, settingsGeneration } from '../queries/cache.ts';
import { headGeneration, primeHead } from '../schema/cache.ts';
import type { Head } from '../schema/head.ts';
import { findBuiltin, isBuiltinId } from './builtins.ts';
import { connectionGeneration, primeConnection } from './connection-cache.ts';
import { connectionList } from './crud.ts';
import { dashboardGeneration, type PrereadList } from './dashboard.ts';
import { openSecret } from './secrets.ts';

/** Routes under this path work on one connection, named by its first segment. */
const CONNECTION_PATH = /^\/api\/connections\/([^/]+)(?:\/|$)/;

/** The connection a request path names, if any (`/api/connections/:id/…`). */
export function connectionOfPath(path: string): string | undefined {
  const raw = CONNECTION_PATH.exec(path)?.[1];
  if (!raw) return undefined;
  try {
    return decodeURIComponent(raw);
  } catch {
    return undefined;
  }
}

function queries(db: MetaDb, connectionId: string, org: OrgRef) {
  const row = db
    .select()
    .from(connections)
    .where(and(eq(connections.id, connectionId), eq(connections.orgId, org)))
    .limit(1);
  const settings = db
    .select()
    .from(querySettings)
    .where(and(eq(querySettings.connectionId, connectionId), eq(querySettings.orgId, org)))
    .limit(1);
  const head = db
    .select({
      snapshotId: schemaHeads.snapshotId,
      syncedAt: sql<number>`${schemaHeads.syncedAt}`,
      staleAt: sql<number | null>`${schemaHeads.staleAt}`,
      version: schemaHeads.version,
      engine: sql<EngineName>`${schemaSnapshots.engine}`,
      serverVersion: schemaSnapshots.serverVersion,
      tableCount: schemaSnapshots.tableCount,
      columnCount: schemaSnapshots.columnCount,
      queryCount: schemaSnapshots.queryCount,
      introspectMs: schemaSnapshots.introspectMs,
      structureHash: schemaSnapshots.structureHash,
    })
    .from(schemaHeads)
    .innerJoin(schemaSnapshots, eq(schemaSnapshots.id, schemaHeads.snapshotId))
    .where(and(eq(schemaHeads.orgId, org), eq(schemaHeads.connectionId, connectionId)))
    .limit(1);
  return [row, settings, head];
}

type Results = [(typeof connections.$inferSelect)[], (typeof querySettings.$inferSelect)[], Head[]];

/** The preload for connection `connectionId`, or undefined when it is not one Atrium stores (a bad id). */
export function connectionPreload(connectionId: string): Preload | undefined {
  const builtin = findBuiltin(connectionId);
  if (!builtin && isBuiltinId(connectionId)) return undefined;
  // Before the read: a change in this isolate after this point keeps the result out.
  const readAt = {
    connection: connectionGeneration(),
    settings: settingsGeneration(),
    head: headGeneration(),
  };
  return {
    queries: (db, org) => queries(db, connectionId, org),
    async prime(env, results, orgId) {
      const [[row], [settings], [head]] = results as Results;
      primeQuerySettings(orgId, connectionId, settings, readAt.settings);
      const name = builtin?.name ?? row?.name;
      if (name !== undefined)
        primeHead(orgId, connectionId, { connectionName: name, head: head ?? null }, readAt.head);
      if (builtin || !row) return;
      // Opening the secret is local crypto, not a round trip; a vault failure is the route's to report.
      const stored = row.active ? await openSecret(env, row.id, row.secret).catch(() => undefined) : null;
      if (stored !== undefined) primeConnection(orgId, connectionId, { row, stored }, readAt.connection);
    },
  };
}

/** Dashboard lists read with the caller's auth, by request (gone with it). */
const lists = new WeakMap<Request, { orgId: string; list: PrereadList }>();

/**
 * `GET /api/dashboard`'s list of connections, read with the caller's auth: a cold dashboard then
 * waits for that one batch and the recent connections' metrics (read together), nothing else.
 */
export function dashboardPreload(request: Request): Preload {
  const readAt = dashboardGeneration();
  return {
    queries: (db, org) => [
      db.select().from(connections).where(eq(connections.orgId, org)).orderBy(asc(connections.name)),
      db.select().from(builtinConnectionState).where(eq(builtinConnectionState.orgId, org)),
    ],
    async prime(_env, results, orgId) {
      const [rows, states] = results as Parameters<typeof connectionList>;
      lists.set(request, { orgId, list: { connections: connectionList(rows, states), readAt } });
    },
  };
}

/** The list `dashboardPreload` read for this request, when it read it for `orgId`. */
export function prereadList(request: Request, orgId: string): PrereadList | undefined {
  const hit = lists.get(request);
  return hit?.orgId === orgId ? hit.list : undefined;
}
