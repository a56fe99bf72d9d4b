/**
 * Writing a snapshot to D1: staged batches, then the atomic flip of the head.
 *
 * D1 limits shape the writes: at most 100 bound parameters per statement, 100 KB of
 * SQL text, 2 MB per value, and a cap on statements per Worker invocation. So rows
 * travel as JSON arrays in one bound parameter per statement, expanded by
 * `json_each` (a 2,000-table schema is a few dozen statements, not 40,000), and a
 * snapshot may span several batches. Each batch is a transaction; the snapshot
 * becomes visible only when the final batch moves `schema_head` to it.
 */

import type { SchemaSnapshot } from '../engines/schema-model.ts';
import type { DiffSummary, SchemaDiff } from './diff.ts';
import { snapshotRowSets } from './snapshot-sets.ts';

/** Characters of row JSON per statement: far under D1's 2 MB value cap even if every char is 3 bytes. */
const CHUNK_CHARS = 300_000;
/** Statements per D1 batch (each batch is one transaction). */
const STATEMENTS_PER_BATCH = 8;

interface Stage {
  orgId: string;
  connectionId: string;
  snapshotId: string;
  snapshot: SchemaSnapshot;
  introspectMs: number;
  structureHash: string;
  now: number;
}

/** Builds `insert ... select from json_each(?)` statements, `CHUNK_CHARS` of rows each. */
function bulkInsert(
  db: D1Database,
  table: string,
  columns: readonly string[],
  snapshotId: string,
  rows: unknown[][],
) {
  const select = columns.map((_, i) => `value ->> ${i}`).join(', ');
  const sql = `insert into ${table} (snapshot_id, ${columns.join(', ')}) select ?1, ${select} from json_each(?2)`;
  return chunked(rows).map((chunk) => db.prepare(sql).bind(snapshotId, chunk));
}

/** `rows` as JSON arrays of at most `CHUNK_CHARS` each, one bound parameter per statement. */
function chunked(rows: unknown[][]): string[] {
  const chunks: string[] = [];
  let chunk: string[] = [];
  let size = 0;
  const flush = () => {
    if (chunk.length) chunks.push(`[${chunk.join(',')}]`);
    chunk = [];
    size = 0;
  };
  for (const row of rows) {
    const json = JSON.stringify(row);
    if (size + json.length > CHUNK_CHARS) flush();
    chunk.push(json);
    size += json.length + 1;
  }
  flush();
  return chunks;
}

/** Every row of a snapshot as insert statements, in dependency-free order. */
function snapshotStatements(db: D1Database, stage: Stage): D1PreparedStatement[] {
  return snapshotRowSets(stage.snapshot).flatMap((set) =>
    bulkInsert(db, set.table, set.columns, stage.snapshotId, set.rows()),
  );
}

export interface StageResult {
  /** D1 statements written, for the benchmark's "queries per sync". */
  statements: number;
  batches: number;
}

/** Writes a whole snapshot as 'staging'; invisible to readers until `publishSnapshot`. */
export async function stageSnapshot(db: D1Database, stage: Stage): Promise<StageResult> {
  const { snapshot } = stage;
  const header = db
    .prepare(
      `insert into schema_snapshot (id, org_id, connection_id, engine, status, server_version, table_count,
        column_count, query_count, introspect_ms, structure_hash, created_at)
      values (?, ?, ?, ?, 'staging', ?, ?, ?, ?, ?, ?, ?)`,
    )
    .bind(
      stage.snapshotId,
      stage.orgId,
      stage.connectionId,
      snapshot.engine,
      snapshot.serverVersion,
      snapshot.tables.length,
      snapshot.tables.reduce((n, t) => n + t.columns.length, 0),
      snapshot.queryCount,
      Math.round(stage.introspectMs),
      stage.structureHash,
      stage.now,
    );
  const statements = [header, ...snapshotStatements(db, stage)];
  let batches = 0;
  for (let i = 0; i < statements.length; i += STATEMENTS_PER_BATCH) {
    await db.batch(statements.slice(i, i + STATEMENTS_PER_BATCH));
    batches++;
  }
  return { statements: statements.length, batches };
}

export interface PublishInput {
  orgId: string;
  connectionId: string;
  snapshotId: string;
  /** The head the diff was computed against; the flip only happens if it is still the head. */
  previousSnapshotId: string | null;
  change: { id: string; summary: DiffSummary; diff: SchemaDiff } | null;
  now: number;
}

/**
 * The flip, in one batch (one transaction): mark the snapshot ready, record the diff,
 * point the head at it. Every statement is conditional on the head still being
 * `previousSnapshotId`, so of two concurrent syncs only one publishes.
 * Returns false when another sync got there first.
 */
export async function publishSnapshot(db: D1Database, input: PublishInput): Promise<boolean> {
  const stillHead = `(select snapshot_id from schema_head where org_id = ?1 and connection_id = ?2) is ?3`;
  const args = [input.orgId, input.connectionId, input.previousSnapshotId] as const;
  const statements = [
    db
      .prepare(`update schema_snapshot set status = 'ready' where id = ?4 and ${stillHead}`)
      .bind(...args, input.snapshotId),
  ];
  if (input.change) {
    statements.push(
      db
        .prepare(
          `insert into schema_change (id, org_id, connection_id, from_snapshot_id, to_snapshot_id, summary, diff, created_at)
          select ?4, ?1, ?2, ?3, ?5, ?6, ?7, ?8 where ${stillHead}`,
        )
        .bind(
          ...args,
          input.change.id,
          input.snapshotId,
          JSON.stringify(input.change.summary),
          JSON.stringify(input.change.diff),
          input.now,
        ),
    );
  }
  statements.push(
    db
      .prepare(
        `insert into schema_head (org_id, connection_id, snapshot_id, synced_at, stale_at, version)
        values (?1, ?2, ?4, ?5, null, 1)
        on conflict (org_id, connection_id) do update
          set snapshot_id = excluded.snapshot_id, synced_at = excluded.synced_at, stale_at = null,
            version = schema_head.version + 1
          where schema_head.snapshot_id is ?3`,
      )
      .bind(...args, input.snapshotId, input.now),
  );
  await db.batch(statements);
  const head = await db
    .prepare('select snapshot_id as id from schema_head where org_id = ? and connection_id = ?')
    .bind(input.orgId, input.connectionId)
    .first<{ id: string }>();
  return head?.id === input.snapshotId;
}

export interface RefreshInput {
  orgId: string;
  connectionId: string;
  /** The head, whose structure hash is the new snapshot's. */
  snapshotId: string;
  snapshot: SchemaSnapshot;
  introspectMs: number;
  now: number;
}

/**
 * A re-sync that found the head's structure: its rows stay, and one batch (one transaction)
 * refreshes what moves without a structural change — row estimates, the server version and
 * the sync's figures — and the head's sync time and version, so caches keyed on it expire.
 * Every statement is conditional on the snapshot still being the head. Returns the statements
 * written, or null when another sync moved the head first.
 */
export async function refreshSnapshot(db: D1Database, input: RefreshInput): Promise<number | null> {
  const isHead = `(select snapshot_id from schema_head where org_id = ?1 and connection_id = ?2) = ?3`;
  const args = [input.orgId, input.connectionId, input.snapshotId] as const;
  const { snapshot } = input;
  const estimates = snapshot.tables.map((t) => [t.schema, t.name, t.rowEstimate]);
  const statements = [
    ...chunked(estimates).map((rows) =>
      db
        .prepare(
          // Materialized, so each row is found by key: joined to json_each directly, SQLite
          // scans the estimates once per table row.
          `with e as materialized (select value ->> 0 as s, value ->> 1 as n, value ->> 2 as r from json_each(?4))
          update schema_table set row_estimate = e.r from e
          where snapshot_id = ?3 and schema_name = e.s and name = e.n and ${isHead}`,
        )
        .bind(...args, rows),
    ),
    db
      .prepare(
        `update schema_snapshot set server_version = ?4, query_count = ?5, introspect_ms = ?6 where id = ?3 and ${isHead}`,
      )
      .bind(...args, snapshot.serverVersion, snapshot.queryCount, Math.round(input.introspectMs)),
    db
      .prepare(
        `update schema_head set synced_at = ?4, stale_at = null, version = version + 1
        where org_id = ?1 and connection_id = ?2 and snapshot_id = ?3`,
      )
      .bind(...args, input.now),
  ];
  const results = await db.batch(statements);
  return results.at(-1)?.meta.changes === 1 ? statements.length : null;
}
