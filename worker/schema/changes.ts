/** The history of structural changes that syncs recorded (written by `publishSnapshot`). */

import type { DiffSummary, SchemaDiff } from './diff.ts';
import { parse } from './snapshot-rows.ts';

export interface ChangeEntry {
  id: string;
  fromSnapshotId: string;
  toSnapshotId: string;
  createdAt: number;
  summary: DiffSummary;
  diff: SchemaDiff;
}

/** Newest first; `before` is the (createdAt, id) of the last entry of the previous page. */
export async function listChanges(
  db: D1Database,
  orgId: string,
  connectionId: string,
  before: { createdAt: number; id: string } | null,
  limit: number,
): Promise<ChangeEntry[]> {
  const { results } = await db
    .prepare(
      `select id, from_snapshot_id as fromSnapshotId, to_snapshot_id as toSnapshotId, created_at as createdAt,
        summary, diff from schema_change
      where org_id = ?1 and connection_id = ?2 and (?3 is null or created_at < ?3 or (created_at = ?3 and id < ?4))
      order by created_at desc, id desc limit ?5`,
    )
    .bind(orgId, connectionId, before?.createdAt ?? null, before?.id ?? null, limit)
    .all<{
      id: string;
      fromSnapshotId: string;
      toSnapshotId: string;
      createdAt: number;
      summary: string;
      diff: string;
    }>();
  return results.map((r) => ({
    ...r,
    summary: parse<DiffSummary>(r.summary),
    diff: parse<SchemaDiff>(r.diff),
  }));
}
