import { sql } from 'kysely';
import type { Engine } from '../engines/engine.ts';
import { ApiError, badRequest, notFound } from '../errors.ts';
import { builderFor, rowObjects } from './sql.ts';

export interface CatalogColumn {
  name: string;
  type: string;
  nullable: boolean;
}

export interface TableInfo {
  schema: string;
  table: string;
  kind: 'table' | 'view';
  columns: CatalogColumn[];
  /** Primary-key columns in key order; empty for views and tables without one. */
  primaryKey: string[];
}

/**
 * Reads a table's columns and primary key from the database's own catalog
 * (information_schema, or pragma_table_info on SQLite), with the names as bound
 * parameters. Every identifier a request names is checked against this before
 * any SQL is built from it.
 */
export async function loadTable(engine: Engine, schema: string, table: string): Promise<TableInfo> {
  const info =
    engine.name === 'sqlite'
      ? await loadSqlite(engine, schema, table)
      : await loadInfoSchema(engine, schema, table);
  if (!info || info.columns.length === 0) throw notFound(`Table ${schema}.${table}`);
  return info;
}

async function loadInfoSchema(engine: Engine, schema: string, table: string): Promise<TableInfo | null> {
  const db = builderFor(engine.name);
  // One round trip (each engine call may be its own session on serverless drivers):
  // columns, the table's kind, and each column's place in the primary key.
  const primaryKey = db
    .selectFrom('information_schema.table_constraints as tc')
    .innerJoin('information_schema.key_column_usage as k', (join) =>
      join
        .onRef('k.constraint_name', '=', 'tc.constraint_name')
        .onRef('k.table_schema', '=', 'tc.table_schema')
        .onRef('k.table_name', '=', 'tc.table_name'),
    )
    .select([sql<string>`k.column_name`.as('column_name'), sql<number>`k.ordinal_position`.as('position')])
    .where('tc.constraint_type', '=', 'PRIMARY KEY')
    .where('tc.table_schema', '=', schema)
    .where('tc.table_name', '=', table)
    .as('pk');
  // MySQL's information_schema has no udt_name; its column_type is the full type instead.
  const udt = engine.name === 'mysql' ? sql<string>`c.column_type` : sql<string>`c.udt_name`;
  const compiled = db
    .selectFrom('information_schema.columns as c')
    .innerJoin('information_schema.tables as t', (join) =>
      join.onRef('t.table_schema', '=', 'c.table_schema').onRef('t.table_name', '=', 'c.table_name'),
    )
    .leftJoin(primaryKey, (join) => join.onRef('pk.column_name', '=', 'c.column_name'))
    .select([
      sql<string>`c.column_name`.as('name'),
      sql<string>`c.data_type`.as('data_type'),
      udt.as('udt_name'),
      sql<string>`c.is_nullable`.as('is_nullable'),
      sql<string>`t.table_type`.as('table_type'),
      sql<number | null>`pk.position`.as('pk_position'),
    ])
    .where('c.table_schema', '=', schema)
    .where('c.table_name', '=', table)
    .orderBy('c.ordinal_position')
    .compile();
  const result = await engine.query(compiled.sql, { params: compiled.parameters, readOnly: true });
  const rows = rowObjects(result);
  const first = rows[0];
  if (!first) return null;
  return {
    schema,
    table,
    kind: String(first.table_type).toUpperCase().includes('VIEW') ? 'view' : 'table',
    columns: rows.map((r) => ({
      name: String(r.name),
      type: pgType(String(r.data_type), String(r.udt_name)),
      nullable: String(r.is_nullable).toUpperCase() === 'YES',
    })),
    primaryKey: rows
      .filter((r) => r.pk_position !== null && r.pk_position !== undefined)
      .sort((a, b) => Number(a.pk_position) - Number(b.pk_position))
      .map((r) => String(r.name)),
  };
}

/** Postgres reports arrays and enums as ARRAY / USER-DEFINED; the udt name says which. */
function pgType(dataType: string, udtName: string): string {
  return dataType === 'ARRAY' || dataType === 'USER-DEFINED' ? udtName : dataType;
}

async function loadSqlite(engine: Engine, schema: string, table: string): Promise<TableInfo | null> {
  if (schema !== 'main') throw badRequest('invalid_schema', 'SQLite databases have one schema, "main"');
  const db = builderFor('sqlite');
  const kindQuery = db
    .selectFrom('sqlite_master')
    .select('type')
    .where('name', '=', table)
    .where('type', 'in', ['table', 'view'])
    .compile();
  const columnsQuery = db
    .selectFrom(sql<Record<string, unknown>>`pragma_table_info(${table})`.as('p'))
    .select(['name', 'type', 'notnull', 'pk'])
    .orderBy('cid')
    .compile();
  const [kind, columns] = await Promise.all([
    engine.query(kindQuery.sql, { params: kindQuery.parameters, readOnly: true }),
    engine.query(columnsQuery.sql, { params: columnsQuery.parameters, readOnly: true }),
  ]);
  const kindRow = rowObjects(kind)[0];
  if (!kindRow) return null;
  const rows = rowObjects(columns);
  return {
    schema,
    table,
    kind: kindRow.type === 'view' ? 'view' : 'table',
    columns: rows.map((r) => ({
      name: String(r.name),
      type: String(r.type),
      nullable: Number(r.notnull) === 0,
    })),
    primaryKey: rows
      .filter((r) => Number(r.pk) > 0)
      .sort((a, b) => Number(a.pk) - Number(b.pk))
      .map((r) => String(r.name)),
  };
}

/** 400 unless every name is a column of the table. */
export function requireColumns(info: TableInfo, names: Iterable<string>): void {
  const known = new Set(info.columns.map((c) => c.name));
  for (const name of names) {
    if (!known.has(name)) {
      throw new ApiError(400, 'unknown_column', `No column "${name}" in ${info.schema}.${info.table}`, {
        details: { column: name },
      });
    }
  }
}

export function columnOf(info: TableInfo, name: string): CatalogColumn {
  requireColumns(info, [name]);
  return info.columns.find((c) => c.name === name)!;
}
