/** A snapshot as the rows of its D1 tables: one set per table, with its columns in insert order. */

import type { SchemaSnapshot, TableInfo } from '../engines/schema-model.ts';
import { programRows, tableExtras } from './snapshot-rows.ts';

/**
 * What the rows below hold, in `structureHash`: change it with anything a row is made of, so that
 * no re-sync keeps a head's rows of the old shape because its structure is the same.
 */
export const SNAPSHOT_ROWS_VERSION = 1;

export interface RowSet {
  table: string;
  /** The columns after `snapshot_id`, in the order of each row's values. */
  columns: readonly string[];
  rows: () => unknown[][];
}

const json = (v: unknown) => (v === null || v === undefined ? null : JSON.stringify(v));

/** Per schema: its tables and its views, in one pass over the tables. */
function namespaceRows(snapshot: SchemaSnapshot): unknown[][] {
  const counts = new Map<string, { tables: number; views: number }>();
  for (const t of snapshot.tables) {
    const c = counts.get(t.schema) ?? { tables: 0, views: 0 };
    if (t.kind === 'view' || t.kind === 'materialized_view') c.views++;
    else c.tables++;
    counts.set(t.schema, c);
  }
  return snapshot.namespaces.map((n) => {
    const c = counts.get(n.name);
    return [n.name, n.comment, c?.tables ?? 0, c?.views ?? 0];
  });
}

const tableRow = (t: TableInfo) => [
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
];

function columnRows(tables: TableInfo[]): unknown[][] {
  const rows: unknown[][] = [];
  for (const t of tables) {
    const pk = new Set(t.primaryKey?.columns ?? []);
    const fk = new Set(t.foreignKeys.flatMap((f) => f.columns));
    for (const c of t.columns) {
      rows.push([
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
  }
  return rows;
}

function constraintRows(tables: TableInfo[]): unknown[][] {
  const rows: unknown[][] = [];
  for (const t of tables) {
    const base = [t.schema, t.name];
    if (t.primaryKey) rows.push([...base, 'p', 0, t.primaryKey.name, json(t.primaryKey.columns)]);
    t.foreignKeys.forEach((f, i) => {
      rows.push([
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
      rows.push([...base, 'u', i, u.name, json(u.columns)]);
    });
    t.checks.forEach((c, i) => {
      rows.push([...base, 'c', i, c.name, null, null, null, null, null, null, c.expression]);
    });
  }
  return rows;
}

const indexRows = (tables: TableInfo[]) =>
  tables.flatMap((t) =>
    t.indexes.map((i) => [
      t.schema,
      t.name,
      i.name,
      i.unique,
      i.primary,
      i.method,
      json(i.parts),
      i.predicate,
      i.definition,
    ]),
  );

/**
 * Every row set of a snapshot, in dependency-free order. What a row holds must come from the
 * snapshot's structure (`structureHash`), or be refreshed by `refreshSnapshot` (row estimates):
 * a re-sync of the same structure keeps the head's rows.
 */
export function snapshotRowSets(snapshot: SchemaSnapshot): RowSet[] {
  const { tables } = snapshot;
  return [
    {
      table: 'schema_namespace',
      columns: ['name', 'comment', 'table_count', 'view_count'],
      rows: () => namespaceRows(snapshot),
    },
    {
      table: 'schema_table',
      columns: [
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
      rows: () => tables.map(tableRow),
    },
    {
      table: 'schema_column',
      columns: [
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
      rows: () => columnRows(tables),
    },
    {
      table: 'schema_constraint',
      columns: [
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
      rows: () => constraintRows(tables),
    },
    {
      table: 'schema_index',
      columns: [
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
      rows: () => indexRows(tables),
    },
    {
      table: 'schema_enum',
      columns: ['schema_name', 'name', 'enum_values'],
      rows: () => snapshot.enums.map((e) => [e.schema, e.name, json(e.values)]),
    },
    {
      table: 'schema_object',
      columns: ['kind', 'ordinal', 'schema_name', 'name', 'body'],
      rows: () => [
        ...(snapshot.sequences ?? []).map((o, i) => ['sequence', i, o.schema, o.name, json(o)]),
        ...(snapshot.domains ?? []).map((o, i) => ['domain', i, o.schema, o.name, json(o)]),
        ...tableExtras(tables).map((o, i) => ['table', i, o.schema, o.name, json(o)]),
        ...programRows(snapshot.programs),
      ],
    },
  ];
}
