/**
 * Snapshots in D1: staged writes, the atomic flip, and the reads the API serves.
 *
 * D1 limits shape the writes: at most 100 bound parameters per statement, 100 KB of
 * SQL text, 2 MB per value, and a cap on statements per Worker invocation. So rows
 * travel as JSON arrays in one bound parameter per statement, expanded by
 * `json_each` (a 2,000-table schema is a few dozen statements, not 40,000), and a
 * snapshot may span several batches. Each batch is a transaction; the snapshot
 * becomes visible only when the final batch moves `schema_head` to it.
 */

import { and, eq, inArray } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import { type DrizzleD1Database, drizzle } from 'drizzle-orm/d1';
import type { EngineName } from '../engines/engine.ts';
import {
  type ColumnInfo,
  cmp,
  type DomainInfo,
  type EnumInfo,
  type ForeignKeyInfo,
  type IndexInfo,
  type IndexPart,
  type KeyInfo,
  type NamespaceInfo,
  type ReferentialAction,
  type RelationKind,
  type SchemaSnapshot,
  type SequenceInfo,
  sortTables,
  type TableInfo,
} from '../engines/introspection.ts';
import {
  schemaChanges,
  schemaColumns,
  schemaConstraints,
  schemaEnums,
  schemaHeads,
  schemaIndexes,
  schemaNamespaces,
  schemaSnapshots,
  schemaTables,
} from '../meta/schema-sync.ts';
import type { DiffSummary, SchemaDiff } from './diff.ts';

/** Characters of row JSON per statement: far under D1's 2 MB value cap even if every char is 3 bytes. */
const CHUNK_CHARS = 300_000;
/** Statements per D1 batch (each batch is one transaction). */
const STATEMENTS_PER_BATCH = 8;

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

/* ---------- writing ---------- */

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

/* ---------- reading ---------- */

export interface NamespaceSummary {
  name: string;
  comment: string | null;
  tableCount: number;
  viewCount: number;
}

export interface TableSummary {
  schema: string;
  name: string;
  kind: RelationKind;
  comment: string | null;
  rowEstimate: number | null;
  columnCount: number;
  primaryKey: string[] | null;
  foreignKeyCount: number;
  indexCount: number;
  partitionOf: { schema: string; name: string } | null;
}

export interface ColumnSummary extends ColumnInfo {
  isPrimaryKey: boolean;
  isForeignKey: boolean;
}

const parse = <T>(v: unknown): T => (typeof v === 'string' ? JSON.parse(v) : v) as T;

export async function listNamespaces(
  db: D1Database,
  snapshotId: string,
  after: string | null,
  limit: number,
): Promise<NamespaceSummary[]> {
  const { results } = await db
    .prepare(
      `select name, comment, table_count as tableCount, view_count as viewCount from schema_namespace
      where snapshot_id = ?1 ${after === null ? '' : 'and name > ?3'} order by name limit ?2`,
    )
    .bind(snapshotId, limit, ...(after === null ? [] : [after]))
    .all<NamespaceSummary>();
  return results;
}

interface TableRow {
  schema: string;
  name: string;
  kind: RelationKind;
  comment: string | null;
  rowEstimate: number | null;
  partitionOf: string | null;
  definition: string | null;
  columnCount: number;
  primaryKey: string | null;
  foreignKeyCount: number;
  indexCount: number;
  dependsOn: string | null;
}

const TABLE_SELECT = `select schema_name as schema, name, kind, comment, row_estimate as rowEstimate,
  partition_of as partitionOf, definition, column_count as columnCount, primary_key as primaryKey,
  foreign_key_count as foreignKeyCount, index_count as indexCount, depends_on as dependsOn from schema_table`;

const toSummary = (r: TableRow): TableSummary => {
  const parent = parse<{ schema: string; name: string } | null>(r.partitionOf);
  return {
    schema: r.schema,
    name: r.name,
    kind: r.kind,
    comment: r.comment,
    rowEstimate: r.rowEstimate,
    columnCount: r.columnCount,
    primaryKey: parse<KeyInfo | null>(r.primaryKey)?.columns ?? null,
    foreignKeyCount: r.foreignKeyCount,
    indexCount: r.indexCount,
    partitionOf: parent ? { schema: parent.schema, name: parent.name } : null,
  };
};

/**
 * One page of a schema's tables in name order. Keyset pagination (`name > cursor`, a range
 * on the primary key) keeps page 50 as cheap as page 1.
 */
export async function listTables(
  db: D1Database,
  snapshotId: string,
  schema: string,
  after: string | null,
  limit: number,
): Promise<TableSummary[]> {
  const { results } = await db
    .prepare(
      `${TABLE_SELECT} where snapshot_id = ?1 and schema_name = ?2 ${after === null ? '' : 'and name > ?4'}
      order by name limit ?3`,
    )
    .bind(snapshotId, schema, limit, ...(after === null ? [] : [after]))
    .all<TableRow>();
  return results.map(toSummary);
}

interface ColumnRow {
  schema: string;
  table: string;
  position: number;
  name: string;
  dataType: string;
  normalizedType: ColumnInfo['normalizedType'];
  nullable: number;
  default: string | null;
  generated: string | null;
  identity: ColumnInfo['identity'];
  onUpdate: string | null;
  comment: string | null;
  isPrimaryKey: number;
  isForeignKey: number;
}

const COLUMN_SELECT = `select schema_name as schema, table_name as "table", position, name, data_type as dataType,
  normalized_type as normalizedType, nullable, default_value as "default", generated, identity, on_update as onUpdate, comment,
  is_primary_key as isPrimaryKey, is_foreign_key as isForeignKey from schema_column`;

const toColumn = (r: ColumnRow): ColumnSummary => ({
  name: r.name,
  position: r.position,
  dataType: r.dataType,
  normalizedType: r.normalizedType,
  nullable: r.nullable === 1,
  default: r.default,
  generated: parse<ColumnInfo['generated']>(r.generated),
  identity: r.identity,
  onUpdate: r.onUpdate,
  comment: r.comment,
  isPrimaryKey: r.isPrimaryKey === 1,
  isForeignKey: r.isForeignKey === 1,
});

export async function listColumns(
  db: D1Database,
  snapshotId: string,
  schema: string,
  table: string,
): Promise<ColumnSummary[]> {
  const { results } = await db
    .prepare(
      `${COLUMN_SELECT} where snapshot_id = ? and schema_name = ? and table_name = ? order by position`,
    )
    .bind(snapshotId, schema, table)
    .all<ColumnRow>();
  return results.map(toColumn);
}

/** Postgres allows tables without columns, so an empty column list alone does not mean "no such table". */
export async function tableExists(db: D1Database, snapshotId: string, schema: string, table: string) {
  const row = await db
    .prepare('select 1 as found from schema_table where snapshot_id = ? and schema_name = ? and name = ?')
    .bind(snapshotId, schema, table)
    .first<{ found: number }>();
  return row !== null;
}

interface ConstraintRow {
  schema: string;
  table: string;
  type: 'p' | 'f' | 'u' | 'c';
  ordinal: number;
  name: string | null;
  columns: string | null;
  refSchema: string | null;
  refTable: string | null;
  refColumns: string | null;
  onUpdate: ReferentialAction | null;
  onDelete: ReferentialAction | null;
  expression: string | null;
}

const CONSTRAINT_SELECT = `select schema_name as schema, table_name as "table", type, ordinal, name, columns,
  ref_schema as refSchema, ref_table as refTable, ref_columns as refColumns, on_update as onUpdate,
  on_delete as onDelete, expression from schema_constraint`;

interface IndexRow {
  schema: string;
  table: string;
  name: string;
  unique: number;
  primary: number;
  method: string | null;
  parts: string;
  predicate: string | null;
  definition: string | null;
}

const INDEX_SELECT = `select schema_name as schema, table_name as "table", name, is_unique as "unique",
  is_primary as "primary", method, parts, predicate, definition from schema_index`;

const toIndex = (r: IndexRow): IndexInfo => ({
  name: r.name,
  unique: r.unique === 1,
  primary: r.primary === 1,
  method: r.method,
  parts: parse<IndexPart[]>(r.parts),
  predicate: r.predicate,
  definition: r.definition,
});

const toForeignKey = (r: ConstraintRow): ForeignKeyInfo & { schema: string; table: string } => ({
  schema: r.schema,
  table: r.table,
  name: r.name,
  columns: parse<string[]>(r.columns) ?? [],
  refSchema: r.refSchema ?? '',
  refTable: r.refTable ?? '',
  refColumns: parse<string[]>(r.refColumns) ?? [],
  onUpdate: r.onUpdate ?? 'NO ACTION',
  onDelete: r.onDelete ?? 'NO ACTION',
});

/** Adds a table's constraints and indexes to `table`, in their stored order. */
function attach(table: TableInfo, constraints: ConstraintRow[], indexes: IndexRow[]) {
  for (const r of constraints.sort((a, b) => a.ordinal - b.ordinal)) {
    if (r.type === 'p') table.primaryKey = { name: r.name, columns: parse<string[]>(r.columns) ?? [] };
    else if (r.type === 'u') table.uniques.push({ name: r.name, columns: parse<string[]>(r.columns) ?? [] });
    else if (r.type === 'c') table.checks.push({ name: r.name, expression: r.expression ?? '' });
    else {
      const { schema: _s, table: _t, ...fk } = toForeignKey(r);
      table.foreignKeys.push(fk);
    }
  }
  table.indexes.push(...indexes.map(toIndex).sort((a, b) => cmp(a.name, b.name)));
}

function tableFromRow(r: TableRow): TableInfo {
  const table: TableInfo = {
    schema: r.schema,
    name: r.name,
    kind: r.kind,
    comment: r.comment,
    rowEstimate: r.rowEstimate,
    partitionOf: parse<TableInfo['partitionOf']>(r.partitionOf),
    definition: r.definition,
    columns: [],
    primaryKey: null,
    foreignKeys: [],
    uniques: [],
    checks: [],
    indexes: [],
  };
  if (r.dependsOn !== null) table.dependsOn = parse<NonNullable<TableInfo['dependsOn']>>(r.dependsOn);
  return table;
}

const stripColumn = ({ isPrimaryKey: _p, isForeignKey: _f, ...c }: ColumnSummary): ColumnInfo => c;

export interface TableDetail {
  table: Omit<TableInfo, 'columns'> & { columns: ColumnSummary[] };
  /** Foreign keys of other tables that point at this one. */
  referencedBy: (ForeignKeyInfo & { schema: string; table: string })[];
}

export async function tableDetail(
  db: D1Database,
  snapshotId: string,
  schema: string,
  name: string,
): Promise<TableDetail | null> {
  const [tables, columns, constraints, indexes, incoming] = await db.batch([
    db
      .prepare(`${TABLE_SELECT} where snapshot_id = ? and schema_name = ? and name = ?`)
      .bind(snapshotId, schema, name),
    db
      .prepare(
        `${COLUMN_SELECT} where snapshot_id = ? and schema_name = ? and table_name = ? order by position`,
      )
      .bind(snapshotId, schema, name),
    db
      .prepare(`${CONSTRAINT_SELECT} where snapshot_id = ? and schema_name = ? and table_name = ?`)
      .bind(snapshotId, schema, name),
    db
      .prepare(`${INDEX_SELECT} where snapshot_id = ? and schema_name = ? and table_name = ? order by name`)
      .bind(snapshotId, schema, name),
    db
      .prepare(
        `${CONSTRAINT_SELECT} where snapshot_id = ? and ref_schema = ? and ref_table = ? and type = 'f'
        order by schema_name, table_name, ordinal`,
      )
      .bind(snapshotId, schema, name),
  ]);
  const row = tables?.results[0] as TableRow | undefined;
  if (!row) return null;
  const table = tableFromRow(row);
  attach(table, (constraints?.results ?? []) as ConstraintRow[], (indexes?.results ?? []) as IndexRow[]);
  return {
    table: { ...table, columns: ((columns?.results ?? []) as ColumnRow[]).map(toColumn) },
    referencedBy: ((incoming?.results ?? []) as ConstraintRow[]).map(toForeignKey),
  };
}

/** The whole snapshot, rebuilt exactly as it was introspected (for diffs, ERD and exports). */
export async function loadSnapshot(db: D1Database, head: Head): Promise<SchemaSnapshot> {
  const id = head.snapshotId;
  const [namespaces, tables, columns, constraints, indexes, enums, objects] = await db.batch([
    db.prepare('select name, comment from schema_namespace where snapshot_id = ? order by name').bind(id),
    db.prepare(`${TABLE_SELECT} where snapshot_id = ? order by schema_name, name`).bind(id),
    db.prepare(`${COLUMN_SELECT} where snapshot_id = ? order by schema_name, table_name, position`).bind(id),
    db.prepare(`${CONSTRAINT_SELECT} where snapshot_id = ?`).bind(id),
    db.prepare(`${INDEX_SELECT} where snapshot_id = ? order by name`).bind(id),
    db
      .prepare(
        'select schema_name as schema, name, enum_values as "values" from schema_enum where snapshot_id = ? order by schema_name, name',
      )
      .bind(id),
    db.prepare('select kind, body from schema_object where snapshot_id = ? order by kind, ordinal').bind(id),
  ]);
  const key = (schema: string, name: string) => `${schema}\u0000${name}`;
  const byTable = new Map<string, TableInfo>();
  const list = sortTables(
    ((tables?.results ?? []) as TableRow[]).map((r) => {
      const t = tableFromRow(r);
      byTable.set(key(t.schema, t.name), t);
      return t;
    }),
  );
  for (const c of (columns?.results ?? []) as ColumnRow[]) {
    byTable.get(key(c.schema, c.table))?.columns.push(stripColumn(toColumn(c)));
  }
  const groupedConstraints = new Map<string, ConstraintRow[]>();
  for (const c of (constraints?.results ?? []) as ConstraintRow[]) {
    const k = key(c.schema, c.table);
    groupedConstraints.set(k, [...(groupedConstraints.get(k) ?? []), c]);
  }
  const groupedIndexes = new Map<string, IndexRow[]>();
  for (const i of (indexes?.results ?? []) as IndexRow[]) {
    const k = key(i.schema, i.table);
    const group = groupedIndexes.get(k);
    if (group) group.push(i);
    else groupedIndexes.set(k, [i]);
  }
  for (const [k, t] of byTable) attach(t, groupedConstraints.get(k) ?? [], groupedIndexes.get(k) ?? []);
  return {
    engine: head.engine,
    serverVersion: head.serverVersion,
    namespaces: (namespaces?.results ?? []) as unknown as NamespaceInfo[],
    tables: list,
    enums: ((enums?.results ?? []) as { schema: string; name: string; values: string }[]).map(
      (e): EnumInfo => ({ schema: e.schema, name: e.name, values: parse<string[]>(e.values) }),
    ),
    // Postgres snapshots stored before sequences and domains were introspected load with none.
    ...(head.engine === 'postgres' ? objectsOf((objects?.results ?? []) as ObjectRow[]) : {}),
    queryCount: head.queryCount,
  };
}

interface ObjectRow {
  kind: 'sequence' | 'domain';
  body: string;
}

function objectsOf(rows: ObjectRow[]): Pick<SchemaSnapshot, 'sequences' | 'domains'> {
  const sequences: SequenceInfo[] = [];
  const domains: DomainInfo[] = [];
  for (const r of rows) {
    if (r.kind === 'sequence') sequences.push(parse<SequenceInfo>(r.body));
    else domains.push(parse<DomainInfo>(r.body));
  }
  return { sequences, domains };
}

export interface SearchHit {
  type: 'schema' | 'table' | 'column';
  schema: string;
  table: string | null;
  column: string | null;
  /** Table kind, or the column's declared type. */
  detail: string | null;
}

/**
 * Names containing `q` (case-insensitive for ASCII, as SQLite's LIKE is), exact
 * matches first, then prefixes, then the rest.
 */
export async function search(
  db: D1Database,
  snapshotId: string,
  q: string,
  limit: number,
): Promise<SearchHit[]> {
  const pattern = `%${q.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
  const prefix = `${q.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
  const rank = (col: string) =>
    `case when lower(${col}) = lower(?3) then 0 when ${col} like ?4 escape '\\' then 1 else 2 end`;
  const { results } = await db
    .prepare(
      `select * from (
        select 'schema' as type, name as schema, null as "table", null as "column", null as detail, ${rank('name')} as rank
          from schema_namespace where snapshot_id = ?1 and name like ?2 escape '\\'
        union all
        select 'table', schema_name, name, null, kind, ${rank('name')}
          from schema_table where snapshot_id = ?1 and name like ?2 escape '\\'
        union all
        select 'column', schema_name, table_name, name, data_type, ${rank('name')}
          from schema_column where snapshot_id = ?1 and name like ?2 escape '\\'
      ) order by rank, case type when 'schema' then 0 when 'table' then 1 else 2 end, schema, "table", "column"
      limit ?5`,
    )
    .bind(snapshotId, pattern, q, prefix, limit)
    .all<SearchHit & { rank: number }>();
  return results.map(({ rank: _r, ...hit }) => hit);
}

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

/** Removes everything synced for a connection, in one transaction. */
export async function dropConnectionSchema(
  db: D1Database,
  orgId: string,
  connectionId: string,
): Promise<void> {
  const d1 = drizzle(db);
  const [first, ...rest] = dropConnectionSchemaQueries(d1, orgId, connectionId);
  if (first) await d1.batch([first, ...rest]);
}
