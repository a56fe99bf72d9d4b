/** Reads of a published snapshot: the tree the API pages through, one table, search, the whole. */

import { capabilitiesOf } from '../engines/dialects.ts';
import {
  type EnumInfo,
  type ForeignKeyInfo,
  type NamespaceInfo,
  PROGRAM_KINDS,
  type ProgramInfo,
  type SchemaSnapshot,
  sortTables,
  type TableInfo,
} from '../engines/schema-model.ts';
import type { Head } from './head.ts';
import {
  applyExtras,
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
  type TableExtras,
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
  const [tables, sqlite] = await db.batch([
    db
      .prepare(
        `${TABLE_SELECT} where snapshot_id = ?1 and schema_name = ?2 ${after === null ? '' : 'and name > ?4'}
      order by name limit ?3`,
      )
      .bind(snapshotId, schema, limit, ...(after === null ? [] : [after])),
    // SQLite tables that are virtual, shadow storage or have options, so the tree shows them as such.
    db
      .prepare(
        `select name, body from schema_object where snapshot_id = ?1 and kind = 'table' and schema_name = ?2
      and body like '%"sqlite":%'`,
      )
      .bind(snapshotId, schema),
  ]);
  const extras = new Map(
    ((sqlite?.results ?? []) as { name: string; body: string }[]).map((r) => [r.name, r.body]),
  );
  return ((tables?.results ?? []) as TableRow[]).map((r) => {
    const summary = toSummary(r);
    const body = extras.get(r.name);
    if (body) summary.sqlite = parse<TableExtras>(body).sqlite;
    return summary;
  });
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
  const [tables, columns, constraints, indexes, incoming, extras] = await db.batch([
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
    db
      .prepare(
        "select body from schema_object where snapshot_id = ? and kind = 'table' and schema_name = ? and name = ?",
      )
      .bind(snapshotId, schema, name),
  ]);
  const row = tables?.results[0] as TableRow | undefined;
  if (!row) return null;
  const table = tableFromRow(row);
  attach(table, (constraints?.results ?? []) as ConstraintRow[], (indexes?.results ?? []) as IndexRow[]);
  const detail = { ...table, columns: ((columns?.results ?? []) as ColumnRow[]).map(toColumn) };
  const stored = extras?.results[0] as { body: string } | undefined;
  if (stored) applyExtras(detail, parse<TableExtras>(stored.body));
  return {
    table: detail,
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
    const group = groupedConstraints.get(k);
    if (group) group.push(c);
    else groupedConstraints.set(k, [c]);
  }
  const groupedIndexes = new Map<string, IndexRow[]>();
  for (const i of (indexes?.results ?? []) as IndexRow[]) {
    const k = key(i.schema, i.table);
    const group = groupedIndexes.get(k);
    if (group) group.push(i);
    else groupedIndexes.set(k, [i]);
  }
  for (const [k, t] of byTable) attach(t, groupedConstraints.get(k) ?? [], groupedIndexes.get(k) ?? []);
  const stored = objectsOf(
    (objects?.results ?? []) as ObjectRow[],
    capabilitiesOf(head.engine).sequencesAndDomains,
  );
  for (const e of stored.extras) {
    const t = byTable.get(key(e.schema, e.name));
    if (t) applyExtras(t, e);
  }
  return {
    engine: head.engine,
    serverVersion: head.serverVersion,
    namespaces: (namespaces?.results ?? []) as unknown as NamespaceInfo[],
    tables: list,
    enums: ((enums?.results ?? []) as { schema: string; name: string; values: string }[]).map(
      (e): EnumInfo => ({ schema: e.schema, name: e.name, values: parse<string[]>(e.values) }),
    ),
    // Postgres snapshots stored before sequences and domains were introspected load with none.
    ...stored.objects,
    queryCount: head.queryCount,
  };
}

export interface SearchHit {
  /** What matched: a schema, table or column, or an object of that kind. */
  type: 'schema' | 'table' | 'column' | 'sequence' | 'domain' | 'partition' | ProgramInfo['kind'];
  schema: string;
  table: string | null;
  column: string | null;
  /** A sequence's, domain's, routine's, trigger's, event's or MySQL partition's name (`table` is its table). */
  object: string | null;
  /** Table kind, the column's declared type, or a routine's arguments (a trigger's table). */
  detail: string | null;
}

/** Object kinds the tree lists and a search looks at (the `table` and `programs` rows are not named objects). */
const NAMED_OBJECTS = ['sequence', 'domain', ...PROGRAM_KINDS].map((k) => `'${k}'`).join(', ');

export interface ObjectSummary {
  kind: 'sequence' | 'domain' | 'partition' | ProgramInfo['kind'];
  schema: string;
  name: string;
  /**
   * A partition's table and bound (`of sales: 2021`), a routine's arguments, a trigger's timing
   * and table, an event's schedule, a domain's base type, a sequence's type.
   */
  detail: string | null;
}

/**
 * A schema's sequences, domains, partitions (MySQL's, declared on their table, and Postgres's,
 * which are tables too), routines, triggers and events, for the tree's own groups.
 * Bodies stay out: a schema's functions may hold megabytes of source the tree never shows.
 */
export async function listObjects(
  db: D1Database,
  snapshotId: string,
  schema: string,
): Promise<ObjectSummary[]> {
  const { results } = await db
    .prepare(
      `select kind, schema_name as schema, name,
        coalesce(body ->> '$.signature', body ->> '$.baseType', body ->> '$.dataType') as detail
      from schema_object where snapshot_id = ?1 and schema_name = ?2 and kind in (${NAMED_OBJECTS})
      union all
      select 'partition', o.schema_name, p.value ->> '$.name',
        'of ' || o.name || coalesce(': ' || (p.value ->> '$.bound'), '')
      from schema_object o, json_each(o.body, '$.partitioning.partitions') p
      where o.snapshot_id = ?1 and o.schema_name = ?2 and o.kind = 'table'
      union all
      select 'partition', schema_name, name,
        'of ' || (partition_of ->> '$.name') || coalesce(': ' || (partition_of ->> '$.bound'), '')
      from schema_table where snapshot_id = ?1 and schema_name = ?2 and partition_of is not null
      order by 1, 3, 4`,
    )
    .bind(snapshotId, schema)
    .all<ObjectSummary>();
  return results;
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
        select 'schema' as type, name as schema, null as "table", null as "column", null as object,
            null as detail, ${rank('name')} as rank
          from schema_namespace where snapshot_id = ?1 and instr(lower(name), lower(?2)) > 0
        union all
        select 'table', schema_name, name, null, null, kind, ${rank('name')}
          from schema_table where snapshot_id = ?1 and instr(lower(name), lower(?2)) > 0
        union all
        select 'column', schema_name, table_name, name, null, data_type, ${rank('name')}
          from schema_column where snapshot_id = ?1 and instr(lower(name), lower(?2)) > 0
        union all
        select kind, schema_name, null, null, name, body ->> '$.signature', ${rank('name')}
          from schema_object where snapshot_id = ?1 and kind in (${NAMED_OBJECTS})
            and instr(lower(name), lower(?2)) > 0
        union all
        select 'partition', o.schema_name, o.name, null, p.value ->> '$.name', p.value ->> '$.bound',
            ${rank("(p.value ->> '$.name')")}
          from schema_object o, json_each(o.body, '$.partitioning.partitions') p
          where o.snapshot_id = ?1 and o.kind = 'table' and instr(lower(p.value ->> '$.name'), lower(?2)) > 0
      ) order by rank, case type when 'schema' then 0 when 'table' then 1 when 'column' then 2 else 3 end,
        schema, "table", "column", object
      limit ?3`,
    )
    .bind(snapshotId, q, limit)
    .all<SearchHit & { rank: number }>();
  return results.map(({ rank: _r, ...hit }) => hit);
}
