import { index, integer, primaryKey, real, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { organizations } from './auth.ts';

/**
 * The synced copy of each connection's schema, so browsing is instant and works while
 * the user's database sleeps. A sync writes a whole new snapshot under a fresh id
 * (status 'staging', possibly over several D1 batches), then one batch flips
 * `schema_head` to it; readers only ever follow the head, so a failed sync never shows
 * half a schema. Rows of a snapshot are keyed by `snapshot_id` and dropped with it.
 *
 * `connection_id` is not a foreign key: built-in connections (`builtin:demo`) have no
 * `connection` row, and each organization keeps its own copy of their schema.
 */
export const schemaSnapshots = sqliteTable(
  'schema_snapshot',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    connectionId: text('connection_id').notNull(),
    engine: text('engine').notNull(),
    status: text('status', { enum: ['staging', 'ready'] }).notNull(),
    serverVersion: text('server_version'),
    tableCount: integer('table_count').notNull(),
    columnCount: integer('column_count').notNull(),
    /** Catalog queries the introspection took. */
    queryCount: integer('query_count').notNull(),
    introspectMs: integer('introspect_ms').notNull(),
    /** Hash of the structure (row estimates excluded): equal hashes mean nothing to diff. */
    structureHash: text('structure_hash').notNull(),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [index('schema_snapshot_conn_idx').on(t.orgId, t.connectionId, t.createdAt)],
);

/** The snapshot readers see, per organization and connection. */
export const schemaHeads = sqliteTable(
  'schema_head',
  {
    orgId: text('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    connectionId: text('connection_id').notNull(),
    snapshotId: text('snapshot_id').notNull(),
    syncedAt: integer('synced_at', { mode: 'timestamp_ms' }).notNull(),
    /** Set by `invalidateSchema` (a DDL ran through Atrium); the next read re-syncs. */
    staleAt: integer('stale_at', { mode: 'timestamp_ms' }),
    /** Bumped by every sync and invalidation; part of every cache key. */
    version: integer('version').notNull(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.connectionId] })],
);

export const schemaNamespaces = sqliteTable(
  'schema_namespace',
  {
    snapshotId: text('snapshot_id').notNull(),
    name: text('name').notNull(),
    comment: text('comment'),
    tableCount: integer('table_count').notNull(),
    viewCount: integer('view_count').notNull(),
  },
  (t) => [primaryKey({ columns: [t.snapshotId, t.name] })],
);

export const schemaTables = sqliteTable(
  'schema_table',
  {
    snapshotId: text('snapshot_id').notNull(),
    schemaName: text('schema_name').notNull(),
    name: text('name').notNull(),
    kind: text('kind').notNull(),
    comment: text('comment'),
    rowEstimate: real('row_estimate'),
    /** `{schema, name, bound}` of the parent when this is a partition. */
    partitionOf: text('partition_of', { mode: 'json' }),
    definition: text('definition'),
    columnCount: integer('column_count').notNull(),
    primaryKey: text('primary_key', { mode: 'json' }),
    foreignKeyCount: integer('foreign_key_count').notNull(),
    indexCount: integer('index_count').notNull(),
    /** A view's `{relations, functions}` (Postgres); null for tables and older snapshots. */
    dependsOn: text('depends_on', { mode: 'json' }),
  },
  (t) => [primaryKey({ columns: [t.snapshotId, t.schemaName, t.name] })],
);

export const schemaColumns = sqliteTable(
  'schema_column',
  {
    snapshotId: text('snapshot_id').notNull(),
    schemaName: text('schema_name').notNull(),
    tableName: text('table_name').notNull(),
    position: integer('position').notNull(),
    name: text('name').notNull(),
    dataType: text('data_type').notNull(),
    normalizedType: text('normalized_type').notNull(),
    nullable: integer('nullable', { mode: 'boolean' }).notNull(),
    defaultValue: text('default_value'),
    /** `{kind, expression}` for generated columns. */
    generated: text('generated', { mode: 'json' }),
    identity: text('identity'),
    comment: text('comment'),
    /** MySQL `ON UPDATE` expression. */
    onUpdate: text('on_update'),
    isPrimaryKey: integer('is_primary_key', { mode: 'boolean' }).notNull(),
    isForeignKey: integer('is_foreign_key', { mode: 'boolean' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.snapshotId, t.schemaName, t.tableName, t.position] })],
);

/** Primary keys ('p'), foreign keys ('f'), unique ('u') and check ('c') constraints. */
export const schemaConstraints = sqliteTable(
  'schema_constraint',
  {
    snapshotId: text('snapshot_id').notNull(),
    schemaName: text('schema_name').notNull(),
    tableName: text('table_name').notNull(),
    type: text('type', { enum: ['p', 'f', 'u', 'c'] }).notNull(),
    /** Order within the table and type; SQLite leaves many constraints unnamed. */
    ordinal: integer('ordinal').notNull(),
    name: text('name'),
    columns: text('columns', { mode: 'json' }).$type<string[]>(),
    refSchema: text('ref_schema'),
    refTable: text('ref_table'),
    refColumns: text('ref_columns', { mode: 'json' }).$type<string[]>(),
    onUpdate: text('on_update'),
    onDelete: text('on_delete'),
    expression: text('expression'),
  },
  (t) => [
    primaryKey({ columns: [t.snapshotId, t.schemaName, t.tableName, t.type, t.ordinal] }),
    index('schema_constraint_ref_idx').on(t.snapshotId, t.refSchema, t.refTable),
  ],
);

export const schemaIndexes = sqliteTable(
  'schema_index',
  {
    snapshotId: text('snapshot_id').notNull(),
    schemaName: text('schema_name').notNull(),
    tableName: text('table_name').notNull(),
    name: text('name').notNull(),
    isUnique: integer('is_unique', { mode: 'boolean' }).notNull(),
    isPrimary: integer('is_primary', { mode: 'boolean' }).notNull(),
    method: text('method'),
    /** `[{column, expression, descending}]`. */
    parts: text('parts', { mode: 'json' }).notNull(),
    predicate: text('predicate'),
    definition: text('definition'),
  },
  (t) => [primaryKey({ columns: [t.snapshotId, t.schemaName, t.tableName, t.name] })],
);

export const schemaEnums = sqliteTable(
  'schema_enum',
  {
    snapshotId: text('snapshot_id').notNull(),
    schemaName: text('schema_name').notNull(),
    name: text('name').notNull(),
    values: text('enum_values', { mode: 'json' }).$type<string[]>().notNull(),
  },
  (t) => [primaryKey({ columns: [t.snapshotId, t.schemaName, t.name] })],
);

/**
 * Schema-level objects other than tables and enums: Postgres sequences and domains,
 * each stored whole as JSON (`SequenceInfo` / `DomainInfo`); only exports read them.
 */
export const schemaObjects = sqliteTable(
  'schema_object',
  {
    snapshotId: text('snapshot_id').notNull(),
    // `table`: a table's extras (MySQL partitioning, system versioning, invisible columns), as `TableExtras`.
    kind: text('kind', { enum: ['sequence', 'domain', 'table'] }).notNull(),
    /** Creation order within the kind (a domain over another domain follows it). */
    ordinal: integer('ordinal').notNull(),
    schemaName: text('schema_name').notNull(),
    name: text('name').notNull(),
    body: text('body', { mode: 'json' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.snapshotId, t.kind, t.ordinal] })],
);

/** One row per sync whose structure differed from the one before. */
export const schemaChanges = sqliteTable(
  'schema_change',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    connectionId: text('connection_id').notNull(),
    fromSnapshotId: text('from_snapshot_id').notNull(),
    toSnapshotId: text('to_snapshot_id').notNull(),
    /** Counts per kind of change, for lists. */
    summary: text('summary', { mode: 'json' }).notNull(),
    /** The full diff (worker/schema/diff.ts `SchemaDiff`). */
    diff: text('diff', { mode: 'json' }).notNull(),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [index('schema_change_conn_idx').on(t.orgId, t.connectionId, t.createdAt)],
);
