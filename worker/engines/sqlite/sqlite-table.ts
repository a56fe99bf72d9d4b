/** One SQLite table's columns and primary key from sqlite_master and pragma_table_info. */
import { sql } from 'kysely';
import type { Engine } from '../engine.ts';
import type { LiveTable } from '../schema-model.ts';
import { rowObjects, sqlBuilder } from '../sql-builder.ts';
import { sqliteDialect } from './sqlite-dialect.ts';

export async function describeSqliteTable(
  engine: Pick<Engine, 'query'>,
  schema: string,
  table: string,
): Promise<LiveTable | null> {
  const db = sqlBuilder(sqliteDialect);
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
