/** Removing synced snapshots: one superseded or abandoned snapshot, or all of a connection's. */

import { and, eq, inArray } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import type { DrizzleD1Database } from 'drizzle-orm/d1';
import {
  schemaChanges,
  schemaColumns,
  schemaConstraints,
  schemaEnums,
  schemaHeads,
  schemaIndexes,
  schemaNamespaces,
  schemaObjects,
  schemaSnapshots,
  schemaTables,
} from '../meta/schema-sync.ts';

const SNAPSHOT_TABLES = [
  'schema_namespace',
  'schema_table',
  'schema_column',
  'schema_constraint',
  'schema_index',
  'schema_enum',
  'schema_object',
] as const;

/** Drops a snapshot's rows (the superseded one, or a staged one that lost or failed). */
export async function deleteSnapshot(db: D1Database, snapshotId: string): Promise<void> {
  await db.batch([
    ...SNAPSHOT_TABLES.map((t) => db.prepare(`delete from ${t} where snapshot_id = ?`).bind(snapshotId)),
    db.prepare('delete from schema_snapshot where id = ?').bind(snapshotId),
  ]);
}

/**
 * Snapshots of a connection to drop: not the head, not in `keep`, and either ready
 * (superseded) or staged before `before` (a sync that died). The caller keeps the
 * snapshot just replaced so that reads which started on it can finish.
 */
export async function orphanSnapshots(
  db: D1Database,
  orgId: string,
  connectionId: string,
  keep: readonly string[],
  before: number,
): Promise<string[]> {
  const { results } = await db
    .prepare(
      `select id from schema_snapshot where org_id = ?1 and connection_id = ?2
        and id not in (select value from json_each(?3))
        and id not in (select snapshot_id from schema_head where org_id = ?1 and connection_id = ?2)
        and (status = 'ready' or created_at < ?4)`,
    )
    .bind(orgId, connectionId, JSON.stringify(keep), before)
    .all<{ id: string }>();
  return results.map((r) => r.id);
}

/**
 * The deletes that remove everything synced for a connection, as drizzle queries so a
 * caller can put them in its own batch (deleting a connection drops its schema in the
 * same transaction as its row). A fixed count however many snapshots exist; each finds
 * its rows through the snapshot ids that the last delete removes, so that stays last.
 * (Query builders, not `db.run(sql)`: drizzle's D1 batch cannot bind parameters of raw SQL.)
 */
export function dropConnectionSchemaQueries(
  d1: DrizzleD1Database,
  orgId: string,
  connectionId: string,
): BatchItem<'sqlite'>[] {
  const ofConnection = d1
    .select({ id: schemaSnapshots.id })
    .from(schemaSnapshots)
    .where(and(eq(schemaSnapshots.orgId, orgId), eq(schemaSnapshots.connectionId, connectionId)));
  const rowTables = [
    schemaNamespaces,
    schemaTables,
    schemaColumns,
    schemaConstraints,
    schemaIndexes,
    schemaEnums,
    schemaObjects,
  ] as const;
  return [
    ...rowTables.map((t) => d1.delete(t).where(inArray(t.snapshotId, ofConnection))),
    d1
      .delete(schemaHeads)
      .where(and(eq(schemaHeads.orgId, orgId), eq(schemaHeads.connectionId, connectionId))),
    d1
      .delete(schemaChanges)
      .where(and(eq(schemaChanges.orgId, orgId), eq(schemaChanges.connectionId, connectionId))),
    d1
      .delete(schemaSnapshots)
      .where(and(eq(schemaSnapshots.orgId, orgId), eq(schemaSnapshots.connectionId, connectionId))),
  ];
}
