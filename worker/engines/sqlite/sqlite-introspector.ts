/**
 * SQLite / D1 catalog reader. sqlite_schema joined to the table-valued pragmas gives
 * columns, foreign keys and indexes for every table in one query each. What SQLite
 * keeps only in the CREATE text (constraint names, CHECK and generated expressions,
 * partial-index predicates) is read from that text by a small tokenizer.
 */

import { bool, num, numOrNull, records, str, strOrNull } from '../catalog-rows.ts';
import type { Engine } from '../engine.ts';
import {
  type ColumnInfo,
  emptyTable,
  type IndexInfo,
  type NormalizedType,
  referentialAction,
  type SchemaSnapshot,
  sortTables,
  type TableInfo,
} from '../schema-model.ts';
import {
  indexExpressions,
  indexPredicate,
  type ParsedTable,
  parseCreateTable,
  tokenize,
  viewQuery,
} from './create-table-parser.ts';
import { sqliteTableInfo } from './sqlite-quirks.ts';

/** SQLite internals, D1's own `_cf_` tables and wrangler's migration ledger are not user schema. */
const USER_OBJECT = `m.name not like 'sqlite\\_%' escape '\\' and m.name not like '\\_cf\\_%' escape '\\'
  and m.name <> 'd1_migrations'`;

export const SQLITE_QUERIES = {
  objects: `select m.type as "type", m.name as "name", m.tbl_name as "table", m.sql as "sql"
    from sqlite_schema m where ${USER_OBJECT} or m.name = 'sqlite_stat1'`,
  columns: `select m.name as "table", p.cid as "cid", p.name as "name", p.type as "type",
      p."notnull" as "notNull", p.dflt_value as "default", p.pk as "pk", p.hidden as "hidden"
    from sqlite_schema m join pragma_table_xinfo(m.name) p
    where m.type in ('table', 'view') and ${USER_OBJECT}`,
  foreignKeys: `select m.name as "table", p.id as "id", p.seq as "seq", p."table" as "refTable",
      p."from" as "from", p."to" as "to", p.on_update as "onUpdate", p.on_delete as "onDelete"
    from sqlite_schema m join pragma_foreign_key_list(m.name) p
    where m.type = 'table' and ${USER_OBJECT}`,
  indexes: `select m.name as "table", il.name as "name", il."unique" as "unique", il.origin as "origin",
      ii.seqno as "seq", ii.cid as "cid", ii.name as "column", ii."desc" as "desc"
    from sqlite_schema m join pragma_index_list(m.name) il join pragma_index_xinfo(il.name) ii
    where m.type = 'table' and ${USER_OBJECT} and ii.key = 1`,
  stats: 'select tbl as "table", stat as "stat" from sqlite_stat1',
} as const;

const SCHEMA = 'main';

export async function introspectSqlite(engine: Engine): Promise<SchemaSnapshot> {
  const run = (sql: string) => engine.query(sql, { readOnly: true }).then(records);
  const [objects, columns, foreignKeys, indexes] = await Promise.all([
    run(SQLITE_QUERIES.objects),
    run(SQLITE_QUERIES.columns),
    run(SQLITE_QUERIES.foreignKeys),
    run(SQLITE_QUERIES.indexes),
  ]);
  let queryCount = 4;
  const estimates = new Map<string, number>();
  if (objects.some((o) => o.name === 'sqlite_stat1')) {
    queryCount++;
    for (const r of await run(SQLITE_QUERIES.stats)) {
      const rows = numOrNull(str(r.stat).split(' ')[0]);
      if (rows !== null) estimates.set(str(r.table), Math.max(rows, estimates.get(str(r.table)) ?? 0));
    }
  }

  const tables = new Map<string, TableInfo>();
  const parsed = new Map<string, ParsedTable>();
  const quirks = sqliteTableInfo(
    objects.map((o) => ({ type: str(o.type), name: str(o.name), sql: str(o.sql) })),
  );
  const indexSql = new Map<string, string>();
  for (const o of objects) {
    const type = str(o.type);
    const name = str(o.name);
    if (type === 'index') {
      if (o.sql) indexSql.set(name, str(o.sql));
      continue;
    }
    if ((type !== 'table' && type !== 'view') || name === 'sqlite_stat1') continue;
    const table = emptyTable(SCHEMA, name, type === 'view' ? 'view' : 'table');
    table.rowEstimate = type === 'table' ? (estimates.get(name) ?? null) : null;
    const sql = str(o.sql);
    const info = quirks.get(name);
    if (info) table.sqlite = info;
    if (type === 'view') table.definition = viewQuery(sql);
    else if (!info?.virtual) parsed.set(name, parseCreateTable(sql));
    tables.set(name, table);
  }

  const pkColumns = new Map<string, { pk: number; name: string }[]>();
  for (const r of columns) {
    const table = tables.get(str(r.table));
    if (!table) continue;
    const name = str(r.name);
    const hidden = num(r.hidden);
    // 1: a virtual table's hidden column (fts5's own-name and `rank` columns), not part of its shape.
    if (hidden === 1) continue;
    const declared = str(r.type);
    const def = parsed.get(table.name)?.columns.get(name);
    const column: ColumnInfo = {
      name,
      position: num(r.cid) + 1,
      dataType: declared,
      normalizedType: normalizeSqliteType(declared),
      // SQLite lets NULL into a primary key unless the column is the rowid alias (INTEGER PRIMARY KEY).
      nullable: !bool(r.notNull) && !(num(r.pk) > 0 && declared.toUpperCase() === 'INTEGER'),
      default: strOrNull(r.default),
      generated:
        hidden === 2 || hidden === 3
          ? { kind: hidden === 3 ? 'stored' : 'virtual', expression: def?.generated ?? '' }
          : null,
      identity: def?.autoIncrement ? 'auto_increment' : null,
      onUpdate: null,
      comment: null,
    };
    table.columns.push(column);
    if (num(r.pk) > 0) {
      const list = pkColumns.get(table.name) ?? [];
      list.push({ pk: num(r.pk), name });
      pkColumns.set(table.name, list);
    }
  }
  for (const [tableName, list] of pkColumns) {
    const table = tables.get(tableName);
    if (table?.kind !== 'table') continue;
    table.primaryKey = {
      name: parsed.get(tableName)?.primaryKeyName ?? null,
      columns: list.sort((a, b) => a.pk - b.pk).map((c) => c.name),
    };
  }

  const fkGroups = new Map<string, typeof foreignKeys>();
  for (const r of foreignKeys) {
    const key = `${str(r.table)}\u0000${str(r.id)}`;
    fkGroups.set(key, [...(fkGroups.get(key) ?? []), r]);
  }
  // pragma_foreign_key_list numbers keys from the last declared; reversed, they read in declaration order.
  const groups = [...fkGroups.values()].sort((a, b) => num(b[0]?.id) - num(a[0]?.id));
  for (const rows of groups) {
    rows.sort((a, b) => num(a.seq) - num(b.seq));
    const first = rows[0]!;
    const table = tables.get(str(first.table));
    if (!table) continue;
    const refTable = str(first.refTable);
    const cols = rows.map((r) => str(r.from));
    // A REFERENCES without a column list points at the parent's primary key.
    const refColumns = rows.some((r) => r.to === null)
      ? (pkColumns
          .get(refTable)
          ?.sort((a, b) => a.pk - b.pk)
          .map((c) => c.name) ?? [])
      : rows.map((r) => str(r.to));
    table.foreignKeys.push({
      name: parsed.get(table.name)?.foreignKeyNames.get(cols.join('\u0000')) ?? null,
      columns: cols,
      refSchema: SCHEMA,
      refTable,
      refColumns,
      onUpdate: referentialAction(first.onUpdate),
      onDelete: referentialAction(first.onDelete),
    });
  }

  const indexMap = new Map<string, IndexInfo>();
  for (const r of indexes) {
    const table = tables.get(str(r.table));
    if (!table) continue;
    const name = str(r.name);
    let index = indexMap.get(name);
    if (!index) {
      const sql = indexSql.get(name) ?? null;
      index = {
        name,
        unique: bool(r.unique),
        primary: str(r.origin) === 'pk',
        method: null,
        parts: [],
        predicate: sql ? indexPredicate(sql) : null,
        definition: sql,
      };
      indexMap.set(name, index);
      table.indexes.push(index);
    }
    const cid = num(r.cid);
    index.parts.push({
      column: cid === -2 ? null : strOrNull(r.column),
      expression: cid === -2 ? (indexExpressions(index.definition)[num(r.seq)] ?? null) : null,
      descending: bool(r.desc),
    });
  }
  for (const view of tables.values()) {
    if (view.kind !== 'view' || view.definition === null) continue;
    // Views built on views: the DDL export creates a view after the relations its query names.
    const named = new Set(tokenize(view.definition).map((t) => t.value));
    const relations = [...tables.keys()].filter((n) => n !== view.name && named.has(n));
    view.dependsOn = { relations: relations.map((name) => ({ schema: SCHEMA, name })), functions: [] };
  }
  for (const table of tables.values()) {
    // Unique constraints are the auto-indexes with origin 'u'; fill their columns from the index.
    const uniqueIndexes = table.indexes.filter((i) => i.unique && !i.primary && i.definition === null);
    table.uniques = uniqueIndexes.map((i) => ({ name: null, columns: i.parts.map((p) => p.column ?? '') }));
    table.checks = parsed.get(table.name)?.checks ?? [];
    table.columns.sort((a, b) => a.position - b.position);
    table.indexes.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  return {
    engine: 'sqlite',
    serverVersion: null,
    namespaces: [{ name: SCHEMA, comment: null }],
    tables: sortTables([...tables.values()]),
    enums: [],
    queryCount,
  };
}

function normalizeSqliteType(declared: string): NormalizedType {
  const t = declared.toUpperCase();
  if (t === '') return 'other';
  if (t.includes('BOOL')) return 'boolean';
  if (t.includes('BIGINT') || t.includes('INT8')) return 'bigint';
  if (t.includes('INT')) return 'integer';
  if (t.includes('UUID')) return 'uuid';
  if (t.includes('JSON')) return 'json';
  if (t.includes('TIMESTAMP') || t.includes('DATETIME')) return 'timestamp';
  if (t.includes('DATE')) return 'date';
  if (t.includes('TIME')) return 'time';
  if (t.includes('CHAR') || t.includes('CLOB') || t.includes('TEXT')) return 'text';
  if (t.includes('BLOB')) return 'binary';
  if (t.includes('REAL') || t.includes('FLOA') || t.includes('DOUB')) return 'float';
  if (t.includes('NUMERIC') || t.includes('DECIMAL')) return 'decimal';
  return 'other';
}
