import { z } from '@hono/zod-openapi';
import { PROGRAM_KINDS } from '../engines/schema-model.ts';

/** What the browser lists beside tables: its object groups, in their order. */
const LISTED_OBJECT_KINDS = ['sequence', 'domain', 'partition', ...PROGRAM_KINDS] as const;

/** Shapes of the schema routes' responses and parameters (and so of the OpenAPI document). */

const RelationKindSchema = z.enum([
  'table',
  'partitioned_table',
  'view',
  'materialized_view',
  'foreign_table',
]);
const ActionSchema = z.enum(['NO ACTION', 'RESTRICT', 'CASCADE', 'SET NULL', 'SET DEFAULT']);

const SnapshotMetaSchema = z
  .object({
    id: z.string(),
    version: z.number().int(),
    syncedAt: z.string().openapi({ description: 'ISO-8601' }),
    stale: z.boolean().openapi({ description: 'A refresh was due but the database did not answer' }),
    engine: z.enum(['postgres', 'mysql', 'sqlite']),
    serverVersion: z.string().nullable(),
    tableCount: z.number().int(),
    columnCount: z.number().int(),
    queryCount: z.number().int().openapi({ description: 'Catalog queries the sync cost' }),
  })
  .openapi('SchemaSnapshotMeta');

const NamespaceSchema = z.object({
  name: z.string(),
  comment: z.string().nullable(),
  tableCount: z.number().int(),
  viewCount: z.number().int(),
});

const SqliteTableSchema = z
  .object({
    withoutRowid: z.literal(true).optional(),
    strict: z.literal(true).optional(),
    virtual: z.object({ module: z.string(), definition: z.string() }).optional(),
    shadowOf: z.string().optional(),
  })
  .openapi('SchemaSqliteTable', {
    description:
      "SQLite: WITHOUT ROWID, STRICT, a virtual table's module, or the virtual table a shadow table stores",
  });

const TableSummarySchema = z
  .object({
    schema: z.string(),
    name: z.string(),
    kind: RelationKindSchema,
    comment: z.string().nullable(),
    rowEstimate: z.number().nullable().openapi({ description: 'Planner estimate, never a count(*)' }),
    columnCount: z.number().int(),
    primaryKey: z.array(z.string()).nullable(),
    foreignKeyCount: z.number().int(),
    indexCount: z.number().int(),
    partitionOf: z.object({ schema: z.string(), name: z.string() }).nullable(),
    sqlite: SqliteTableSchema.optional(),
  })
  .openapi('SchemaTableSummary');

const ColumnSchema = z
  .object({
    name: z.string(),
    position: z.number().int(),
    dataType: z.string().openapi({ description: 'As declared, e.g. character varying(45)' }),
    normalizedType: z
      .string()
      .openapi({ description: 'integer, bigint, decimal, text, timestamptz, json, ...' }),
    nullable: z.boolean(),
    default: z.string().nullable().openapi({ description: 'SQL expression' }),
    generated: z.object({ kind: z.enum(['stored', 'virtual']), expression: z.string() }).nullable(),
    identity: z.enum(['always', 'by_default', 'auto_increment']).nullable(),
    onUpdate: z.string().nullable().openapi({ description: "MySQL's ON UPDATE expression" }),
    comment: z.string().nullable(),
    invisible: z.literal(true).optional().openapi({ description: 'MySQL/MariaDB INVISIBLE column' }),
    rowPeriod: z
      .enum(['start', 'end'])
      .optional()
      .openapi({ description: 'A system-versioned table’s ROW START / ROW END column' }),
    isPrimaryKey: z.boolean(),
    isForeignKey: z.boolean(),
  })
  .openapi('SchemaColumn');

const KeySchema = z.object({ name: z.string().nullable(), columns: z.array(z.string()) });
const ForeignKeySchema = KeySchema.extend({
  refSchema: z.string(),
  refTable: z.string(),
  refColumns: z.array(z.string()),
  onUpdate: ActionSchema,
  onDelete: ActionSchema,
}).openapi('SchemaForeignKey');
const IndexSchema = z
  .object({
    name: z.string(),
    unique: z.boolean(),
    primary: z.boolean(),
    method: z.string().nullable(),
    parts: z.array(
      z.object({ column: z.string().nullable(), expression: z.string().nullable(), descending: z.boolean() }),
    ),
    predicate: z.string().nullable().openapi({ description: "A partial index's condition" }),
    definition: z.string().nullable(),
  })
  .openapi('SchemaIndex');

const PartitioningSchema = z
  .object({
    method: z.string().openapi({ description: 'RANGE, LIST COLUMNS, HASH, LINEAR KEY…' }),
    expression: z.string(),
    subMethod: z.string().nullable(),
    subExpression: z.string().nullable(),
    systemTime: z
      .string()
      .optional()
      .openapi({ description: 'MariaDB SYSTEM_TIME rotation: INTERVAL 1 DAY STARTS … AUTO, LIMIT 1000' }),
    partitions: z.array(
      z.object({
        name: z.string(),
        bound: z.string().nullable().openapi({ description: 'VALUES LESS THAN / VALUES IN values' }),
        subpartitions: z.array(z.string()),
        comment: z.string().nullable(),
      }),
    ),
  })
  .openapi('SchemaPartitioning', { description: 'MySQL/MariaDB partitioning declared on the table' });

export const TableDetailSchema = z
  .object({
    snapshot: SnapshotMetaSchema,
    table: z.object({
      schema: z.string(),
      name: z.string(),
      kind: RelationKindSchema,
      comment: z.string().nullable(),
      rowEstimate: z.number().nullable(),
      partitionOf: z
        .object({ schema: z.string(), name: z.string(), bound: z.string().nullable() })
        .nullable(),
      definition: z.string().nullable(),
      columns: z.array(ColumnSchema),
      primaryKey: KeySchema.nullable(),
      foreignKeys: z.array(ForeignKeySchema),
      uniques: z.array(KeySchema),
      checks: z.array(z.object({ name: z.string().nullable(), expression: z.string() })),
      indexes: z.array(IndexSchema),
      partitioning: PartitioningSchema.optional(),
      systemVersioned: z.literal(true).optional(),
      sqlite: SqliteTableSchema.optional(),
    }),
    referencedBy: z.array(ForeignKeySchema.extend({ schema: z.string(), table: z.string() })),
  })
  .openapi('SchemaTableDetail');

export const TreeSchema = z
  .discriminatedUnion('level', [
    z.object({
      level: z.literal('schemas'),
      snapshot: SnapshotMetaSchema,
      items: z.array(NamespaceSchema),
      nextCursor: z.string().nullable(),
    }),
    z.object({
      level: z.literal('tables'),
      snapshot: SnapshotMetaSchema,
      schema: z.string(),
      items: z.array(TableSummarySchema),
      nextCursor: z.string().nullable(),
    }),
    z.object({
      level: z.literal('columns'),
      snapshot: SnapshotMetaSchema,
      schema: z.string(),
      table: z.string(),
      items: z.array(ColumnSchema),
      nextCursor: z.null(),
    }),
  ])
  .openapi('SchemaTree');

const SummarySchema = z.object({
  tablesAdded: z.number().int(),
  tablesRemoved: z.number().int(),
  tablesChanged: z.number().int(),
  columnsAdded: z.number().int(),
  columnsRemoved: z.number().int(),
  columnsChanged: z.number().int(),
  keysAdded: z.number().int(),
  keysRemoved: z.number().int(),
  indexesAdded: z.number().int(),
  indexesRemoved: z.number().int(),
  indexesChanged: z.number().int(),
  enumsChanged: z.number().int(),
  objectsChanged: z.number().int().optional().openapi({
    description: 'Sequences and domains added, removed or changed (absent before they were diffed)',
  }),
});

export const SyncResultSchema = z
  .object({
    snapshotId: z.string(),
    syncedAt: z.string().openapi({ format: 'date-time' }),
    changed: z.boolean().openapi({ description: 'The structure differs from the previous sync' }),
    changeId: z.string().nullable(),
    summary: SummarySchema.nullable(),
    tableCount: z.number().int(),
    columnCount: z.number().int(),
    queryCount: z.number().int(),
    d1Statements: z.number().int(),
    d1Batches: z.number().int(),
    introspectMs: z.number(),
    storeMs: z.number(),
    totalMs: z.number(),
  })
  .openapi('SchemaSyncResult');

const FieldChangeSchema = z.object({ field: z.string(), from: z.unknown(), to: z.unknown() });
const TableRefSchema = z.object({ schema: z.string(), name: z.string(), kind: z.string() });
const KeyRefSchema = z.object({
  type: z.enum(['primary_key', 'foreign_key', 'unique', 'check']),
  name: z.string().nullable(),
  definition: z.string(),
});
const IndexRefSchema = z.object({ name: z.string(), definition: z.string() });
const ObjectRefSchema = z.object({
  kind: z.enum(['sequence', 'domain', ...PROGRAM_KINDS]),
  schema: z.string(),
  name: z.string(),
  signature: z.string().optional(),
});
const DiffSchema = z
  .object({
    tablesAdded: z.array(TableRefSchema),
    tablesRemoved: z.array(TableRefSchema),
    tablesChanged: z.array(
      z.object({
        schema: z.string(),
        name: z.string(),
        changes: z.array(FieldChangeSchema),
        columnsAdded: z.array(z.object({ name: z.string(), dataType: z.string(), nullable: z.boolean() })),
        columnsRemoved: z.array(z.object({ name: z.string(), dataType: z.string() })),
        columnsChanged: z.array(z.object({ name: z.string(), changes: z.array(FieldChangeSchema) })),
        keysAdded: z.array(KeyRefSchema),
        keysRemoved: z.array(KeyRefSchema),
        indexesAdded: z.array(IndexRefSchema),
        indexesRemoved: z.array(IndexRefSchema),
        indexesChanged: z.array(z.object({ name: z.string(), from: z.string(), to: z.string() })),
      }),
    ),
    enumsAdded: z.array(z.string()),
    enumsRemoved: z.array(z.string()),
    enumsChanged: z.array(z.object({ name: z.string(), from: z.array(z.string()), to: z.array(z.string()) })),
    objectsAdded: z.array(ObjectRefSchema).optional(),
    objectsRemoved: z.array(ObjectRefSchema).optional(),
    objectsChanged: z.array(ObjectRefSchema.extend({ changes: z.array(FieldChangeSchema) })).optional(),
    truncated: z.boolean().optional(),
  })
  .openapi('SchemaDiff');

export const HistorySchema = z
  .object({
    items: z.array(
      z.object({
        id: z.string(),
        fromSnapshotId: z.string(),
        toSnapshotId: z.string(),
        createdAt: z.string(),
        summary: SummarySchema,
        diff: DiffSchema,
      }),
    ),
    nextCursor: z.string().nullable(),
  })
  .openapi('SchemaHistory');

export const SearchSchema = z
  .object({
    snapshot: SnapshotMetaSchema,
    items: z.array(
      z.object({
        type: z.enum(['schema', 'table', 'column', ...LISTED_OBJECT_KINDS]),
        schema: z.string(),
        table: z.string().nullable(),
        column: z.string().nullable(),
        object: z
          .string()
          .nullable()
          .openapi({ description: "A sequence's, domain's, routine's, trigger's or event's name" }),
        detail: z
          .string()
          .nullable()
          .openapi({ description: "Table kind, the column's type, or a routine's arguments" }),
      }),
    ),
  })
  .openapi('SchemaSearch');

export const ObjectListSchema = z
  .object({
    snapshot: SnapshotMetaSchema,
    schema: z.string(),
    items: z.array(
      z.object({
        kind: z.enum(LISTED_OBJECT_KINDS),
        schema: z.string(),
        name: z.string(),
        detail: z.string().nullable().openapi({
          description:
            "A routine's arguments, a trigger's timing and table, an event's schedule, a domain's base type",
        }),
      }),
    ),
  })
  .openapi('SchemaObjects', {
    description:
      "A schema's objects other than tables and views; a partition's detail names its table and bound",
  });

export const ErdSchema = z
  .object({
    snapshot: SnapshotMetaSchema,
    nodes: z.array(
      z.object({
        id: z.string(),
        schema: z.string(),
        name: z.string(),
        kind: RelationKindSchema,
        rowEstimate: z.number().nullable(),
        columns: z.array(
          z.object({
            name: z.string(),
            type: z.string(),
            nullable: z.boolean(),
            pk: z.boolean(),
            fk: z.boolean(),
          }),
        ),
      }),
    ),
    edges: z.array(
      z.object({
        id: z.string(),
        name: z.string().nullable(),
        from: z.string(),
        fromColumns: z.array(z.string()),
        to: z.string(),
        toColumns: z.array(z.string()),
        onUpdate: z.string(),
        onDelete: z.string(),
      }),
    ),
  })
  .openapi('SchemaErd');

export const id = z
  .string()
  .min(1)
  .max(100)
  .openapi({ param: { name: 'id', in: 'path' }, example: 'builtin:demo' });
export const name = (param: string) =>
  z
    .string()
    .min(1)
    .max(512)
    .openapi({ param: { name: param, in: 'path' } });
export const limit = (max: number, fallback: number) =>
  z.coerce.number().int().min(1).max(max).default(fallback);
export const cursor = z
  .string()
  .max(2048)
  .optional()
  .openapi({ description: 'nextCursor of the previous page' });
