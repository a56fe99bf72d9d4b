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
import { programRows, tableExtras } from './snapshot-rows.ts';

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
function bulkInsert(db: D1Database, table: string, columns: string[], snapshotId: string, rows: unknown[][]) {
  const select = columns.map((_, i) => `value ->> ${i}`).join(', ');
  const sql = `insert into ${table} (snapshot_id, ${columns.join(', ')}) select ?1, ${select} from json_each(?2)`;
  const statements: D1PreparedStatement[] = [];
  let chunk: string[] = [];
  let size = 0;
  const flush = () => {
    if (chunk.length) statements.push(db.prepare(sql).bind(snapshotId, `[${chunk.join(',')}]`));
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
  return statements;
}

const json = (v: unknown) => (v === null || v === undefined ? null : JSON.stringify(v));

/** Every row of a snapshot as insert statements, in dependency-free order. */
function snapshotStatements(db: D1Database, stage: Stage): D1PreparedStatement[] {
  const { snapshot, snapshotId } = stage;
  const namespaces = snapshot.namespaces.map((n) => {
    const inSchema = snapshot.tables.filter((t) => t.schema === n.name);
    const views = inSchema.filter((t) => t.kind === 'view' || t.kind === 'materialized_view').length;
    return [n.name, n.comment, inSchema.length - views, views];
  });
  const tables: unknown[][] = [];
  const columns: unknown[][] = [];
  const constraints: unknown[][] = [];
  const indexes: unknown[][] = [];
  for (const t of snapshot.tables) {
    tables.push([
      t.schema,
      t.name,
      t.kind,
      t.comment,
      t.rowEstimate,
      json(t.partitionOf),
      t.definition,
      t.columns.length,
      json(t.primaryKey),
      t.foreignKeys.length,
      t.indexes.length,
      json(t.dependsOn),
    ]);
    const pk = new Set(t.primaryKey?.columns ?? []);
    const fk = new Set(t.foreignKeys.flatMap((f) => f.columns));
    for (const c of t.columns) {
      columns.push([
        t.schema,
        t.name,
        c.position,
        c.name,
        c.dataType,
        c.normalizedType,
        c.nullable,
        c.default,
        json(c.generated),
        c.identity,
        c.comment,
        c.onUpdate,
        pk.has(c.name),
        fk.has(c.name),
      ]);
    }
    const base = [t.schema, t.name];
    if (t.primaryKey) constraints.push([...base, 'p', 0, t.primaryKey.name, json(t.primaryKey.columns)]);
    t.foreignKeys.forEach((f, i) => {
      constraints.push([
        ...base,
        'f',
        i,
        f.name,
        json(f.columns),
        f.refSchema,
        f.refTable,
        json(f.refColumns),
        f.onUpdate,
        f.onDelete,
      ]);
    });
    t.uniques.forEach((u, i) => {
      constraints.push([...base, 'u', i, u.name, json(u.columns)]);
    });
    t.checks.forEach((c, i) => {
      constraints.push([...base, 'c', i, c.name, null, null, null, null, null, null, c.expression]);
    });
    for (const i of t.indexes) {
      indexes.push([
        ...base,
        i.name,
        i.unique,
        i.primary,
        i.method,
        json(i.parts),
        i.predicate,
        i.definition,
      ]);
    }
  }
  const enums = snapshot.enums.map((e) => [e.schema, e.name, json(e.values)]);
  const objects = [
    ...(snapshot.sequences ?? []).map((o, i) => ['sequence', i, o.schema, o.name, json(o)]),
    ...(snapshot.domains ?? []).map((o, i) => ['domain', i, o.schema, o.name, json(o)]),
    ...tableExtras(snapshot.tables).map((o, i) => ['table', i, o.schema, o.name, json(o)]),
    ...programRows(snapshot.programs),
  ];
  return [
    ...bulkInsert(
      db,
      'schema_namespace',
      ['name', 'comment', 'table_count', 'view_count'],
      snapshotId,
      namespaces,
    ),
    ...bulkInsert(
      db,
      'schema_table',
      [
        'schema_name',
        'name',
        'kind',
        'comment',
        'row_estimate',
        'partition_of',
        'definition',
        'column_count',
        'primary_key',
        'foreign_key_count',
        'index_count',
        'depends_on',
      ],
      snapshotId,
      tables,
    ),
    ...bulkInsert(
      db,
      'schema_column',
      [
        'schema_name',
        'table_name',
        'position',
        'name',
        'data_type',
        'normalized_type',
        'nullable',
        'default_value',
        'generated',
        'identity',
        'comment',
        'on_update',
        'is_primary_key',
        'is_foreign_key',
      ],
      snapshotId,
      columns,
    ),
    ...bulkInsert(
      db,
      'schema_constraint',
      [
        'schema_name',
        'table_name',
        'type',
        'ordinal',
        'name',
        'columns',
        'ref_schema',
        'ref_table',
        'ref_columns',
        'on_update',
        'on_delete',
        'expression',
      ],
      snapshotId,
      constraints,
    ),
    ...bulkInsert(
      db,
      'schema_index',
      [
        'schema_name',
        'table_name',
        'name',
        'is_unique',
        'is_primary',
        'method',
        'parts',
        'predicate',
        'definition',
      ],
      snapshotId,
      indexes,
    ),
    ...bulkInsert(db, 'schema_enum', ['schema_name', 'name', 'enum_values'], snapshotId, enums),
    ...bulkInsert(
      db,
      'schema_object',
      ['kind', 'ordinal', 'schema_name', 'name', 'body'],
      snapshotId,
      objects,
    ),
  ];
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
