/** Reads of a published snapshot: the tree the API pages through, one table, search, the whole. */

import { capabilitiesOf } from '../engines/dialects.ts';
import {
  type EnumInfo,
  type ForeignKeyInfo,
  type NamespaceInfo,
  type SchemaSnapshot,
  sortTables,
  type TableInfo,
} from '../engines/schema-model.ts';
import type { Head } from './head.ts';
import {
  attach,
  COLUMN_SELECT,
  CONSTRAINT_SELECT,
  type ColumnRow,
  type ColumnSummary,
  type ConstraintRow,
  INDEX_SELECT,
  type IndexRow,
  type NamespaceSummary,
  type ObjectRow,
  objectsOf,
  parse,
  stripColumn,
  TABLE_SELECT,
  type TableRow,
  type TableSummary,
  tableFromRow,
  toColumn,
  toForeignKey,
  toSummary,
} from './snapshot-rows.ts';

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
    ...(capabilitiesOf(head.engine).sequencesAndDomains
      ? objectsOf((objects?.results ?? []) as ObjectRow[])
      : {}),
    queryCount: head.queryCount,
  };
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
 * matches first, then prefixes, then the rest. `instr`, not LIKE: D1 refuses LIKE
 * patterns over 50 bytes ("pattern too complex"), shorter than a search may be.
 */
export async function search(
  db: D1Database,
  snapshotId: string,
  q: string,
  limit: number,
): Promise<SearchHit[]> {
  const rank = (col: string) =>
    `case when lower(${col}) = lower(?2) then 0 when instr(lower(${col}), lower(?2)) = 1 then 1 else 2 end`;
  const { results } = await db
    .prepare(
      `select * from (
        select 'schema' as type, name as schema, null as "table", null as "column", null as detail, ${rank('name')} as rank
          from schema_namespace where snapshot_id = ?1 and instr(lower(name), lower(?2)) > 0
        union all
        select 'table', schema_name, name, null, kind, ${rank('name')}
          from schema_table where snapshot_id = ?1 and instr(lower(name), lower(?2)) > 0
        union all
        select 'column', schema_name, table_name, name, data_type, ${rank('name')}
          from schema_column where snapshot_id = ?1 and instr(lower(name), lower(?2)) > 0
      ) order by rank, case type when 'schema' then 0 when 'table' then 1 else 2 end, schema, "table", "column"
      limit ?3`,
    )
    .bind(snapshotId, q, limit)
    .all<SearchHit & { rank: number }>();
  return results.map(({ rank: _r, ...hit }) => hit);
}
