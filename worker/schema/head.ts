/**
 * The head: which snapshot of a connection readers see, since when, and whether a refresh
 * that was due failed (stale). `version` moves on every change so caches keyed on it expire.
 */

import type { EngineName } from '../engines/engine.ts';

export interface Head {
  snapshotId: string;
  syncedAt: number;
  staleAt: number | null;
  version: number;
  engine: EngineName;
  serverVersion: string | null;
  tableCount: number;
  columnCount: number;
  queryCount: number;
  introspectMs: number;
  structureHash: string;
}

export async function readHead(db: D1Database, orgId: string, connectionId: string): Promise<Head | null> {
  return db
    .prepare(
      `select h.snapshot_id as snapshotId, h.synced_at as syncedAt, h.stale_at as staleAt, h.version as version,
        s.engine as engine, s.server_version as serverVersion, s.table_count as tableCount,
        s.column_count as columnCount, s.query_count as queryCount, s.introspect_ms as introspectMs,
        s.structure_hash as structureHash
      from schema_head h join schema_snapshot s on s.id = h.snapshot_id
      where h.org_id = ? and h.connection_id = ?`,
    )
    .bind(orgId, connectionId)
    .first<Head>();
}

/** Marks every head of `connectionId` (one per organization for built-ins) stale. */
export async function markStale(
  db: D1Database,
  connectionId: string,
  orgId: string | undefined,
  now: number,
) {
  const where = orgId ? 'connection_id = ? and org_id = ?' : 'connection_id = ?';
  const binds = orgId ? [connectionId, orgId] : [connectionId];
  await db
    .prepare(`update schema_head set stale_at = ?, version = version + 1 where ${where}`)
    .bind(now, ...binds)
    .run();
}
