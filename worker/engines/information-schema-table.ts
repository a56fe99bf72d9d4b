/**
 * One table's columns and primary key from information_schema (Postgres and MySQL), names bound
 * as parameters, in one round trip.
 */
import { sql } from 'kysely';
import type { Engine } from './engine.ts';
import type { LiveTable } from './schema-model.ts';
import { rowObjects, sqlBuilder } from './sql-builder.ts';

export async function describeInformationSchemaTable(
  engine: Pick<Engine, 'query' | 'dialect'>,
  schema: string,
  table: string,
  /** Postgres names arrays and enums in `udt_name`; MySQL's information_schema has no udt_name, and its `column_type` is the full type instead. */
  typeColumn: 'udt_name' | 'column_type',
): Promise<LiveTable | null> {
  const db = sqlBuilder(engine.dialect);
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
  const udt = typeColumn === 'column_type' ? sql<string>`c.column_type` : sql<string>`c.udt_name`;
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
