/**
 * SQLite / D1 catalog reader. sqlite_schema joined to the table-valued pragmas gives
 * columns, foreign keys and indexes for every table in one query each. What SQLite
 * keeps only in the CREATE text (constraint names, CHECK and generated expressions,
 * partial-index predicates) is read from that text by a small tokenizer.
 */
import type { Engine } from './engine.ts';
import {
  bool,
  type CheckInfo,
  type ColumnInfo,
  emptyTable,
  type IndexInfo,
  type NormalizedType,
  num,
  numOrNull,
  records,
  referentialAction,
  type SchemaSnapshot,
  sortTables,
  str,
  strOrNull,
  type TableInfo,
} from './introspection.ts';

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
    if (type === 'view') table.definition = viewQuery(sql);
    else parsed.set(name, parseCreateTable(sql));
    tables.set(name, table);
  }

  const pkColumns = new Map<string, { pk: number; name: string }[]>();
  for (const r of columns) {
    const table = tables.get(str(r.table));
    if (!table) continue;
    const name = str(r.name);
    const hidden = num(r.hidden);
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

/* ---------- reading what only the CREATE text keeps ---------- */

interface Token {
  /** `word`, `ident` (quoted identifier), `string`, or the punctuation itself. */
  kind: string;
  /** Unquoted identifier or the raw text. */
  value: string;
  start: number;
  end: number;
}

/** Splits SQL into tokens, knowing SQLite's four identifier quotes and '' escapes. */
export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const closers: Record<string, string> = { '"': '"', '`': '`', '[': ']', "'": "'" };
  while (i < sql.length) {
    const ch = sql[i]!;
    if (/\s/.test(ch)) {
      i++;
    } else if (ch === '-' && sql[i + 1] === '-') {
      while (i < sql.length && sql[i] !== '\n') i++;
    } else if (ch === '/' && sql[i + 1] === '*') {
      const close = sql.indexOf('*/', i + 2);
      i = close < 0 ? sql.length : close + 2;
    } else if (ch in closers) {
      const close = closers[ch]!;
      let j = i + 1;
      let value = '';
      while (j < sql.length) {
        if (sql[j] === close) {
          if (close !== ']' && sql[j + 1] === close) {
            value += close;
            j += 2;
            continue;
          }
          break;
        }
        value += sql[j];
        j++;
      }
      tokens.push({ kind: ch === "'" ? 'string' : 'ident', value, start: i, end: j + 1 });
      i = j + 1;
    } else if (/[A-Za-z0-9_$\u0080-\uffff]/.test(ch)) {
      let j = i;
      while (j < sql.length && /[A-Za-z0-9_$\u0080-\uffff]/.test(sql[j]!)) j++;
      tokens.push({ kind: 'word', value: sql.slice(i, j), start: i, end: j });
      i = j;
    } else {
      tokens.push({ kind: ch, value: ch, start: i, end: i + 1 });
      i++;
    }
  }
  return tokens;
}

const isWord = (t: Token | undefined, word: string) => t?.kind === 'word' && t.value.toUpperCase() === word;
const nameOf = (t: Token | undefined) => (t && (t.kind === 'ident' || t.kind === 'word') ? t.value : '');

/** The token index just past the parenthesis group that opens at `open`. */
function skipGroup(tokens: Token[], open: number): number {
  let depth = 0;
  for (let i = open; i < tokens.length; i++) {
    if (tokens[i]!.kind === '(') depth++;
    else if (tokens[i]!.kind === ')' && --depth === 0) return i + 1;
  }
  return tokens.length;
}

/** Items of the first parenthesised list, split at top-level commas. */
function topLevelItems(tokens: Token[], open: number): Token[][] {
  const items: Token[][] = [];
  let current: Token[] = [];
  let depth = 0;
  for (let i = open; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind === '(' && depth++ === 0) continue;
    if (t.kind === ')' && --depth === 0) break;
    if (t.kind === ',' && depth === 1) {
      items.push(current);
      current = [];
      continue;
    }
    current.push(t);
  }
  if (current.length) items.push(current);
  return items;
}

interface ParsedTable {
  primaryKeyName: string | null;
  foreignKeyNames: Map<string, string>;
  checks: CheckInfo[];
  columns: Map<string, { generated: string | null; autoIncrement: boolean }>;
}

function parseCreateTable(sql: string): ParsedTable {
  const result: ParsedTable = {
    primaryKeyName: null,
    foreignKeyNames: new Map(),
    checks: [],
    columns: new Map(),
  };
  const tokens = tokenize(sql);
  const open = tokens.findIndex((t) => t.kind === '(');
  if (open < 0) return result;
  const text = (from: Token, to: Token) => sql.slice(from.start, to.end);
  for (const item of topLevelItems(tokens, open)) {
    const head = item[0];
    if (!head) continue;
    let constraintName: string | null = null;
    let i = 0;
    const tableConstraint = ['CONSTRAINT', 'PRIMARY', 'UNIQUE', 'CHECK', 'FOREIGN'].some((w) =>
      isWord(head, w),
    );
    if (tableConstraint) {
      if (isWord(head, 'CONSTRAINT')) {
        constraintName = nameOf(item[1]);
        i = 2;
      }
      const kind = item[i];
      const paren = item.findIndex((t, k) => k > i && t.kind === '(');
      if (paren < 0) continue;
      const groupEnd = skipGroup(item, paren);
      if (isWord(kind, 'PRIMARY')) result.primaryKeyName = constraintName;
      else if (isWord(kind, 'CHECK')) {
        result.checks.push({ name: constraintName, expression: text(item[paren]!, item[groupEnd - 1]!) });
      } else if (isWord(kind, 'FOREIGN') && constraintName) {
        const cols = item.slice(paren + 1, groupEnd - 1).filter((t) => t.kind !== ',');
        result.foreignKeyNames.set(cols.map(nameOf).join('\u0000'), constraintName);
      }
      continue;
    }
    // A column definition: name, type words, then constraints.
    const columnName = nameOf(head);
    const info = { generated: null as string | null, autoIncrement: false };
    for (let k = 1; k < item.length; k++) {
      const t = item[k]!;
      if (isWord(t, 'AUTOINCREMENT')) info.autoIncrement = true;
      if (isWord(t, 'CONSTRAINT')) constraintName = nameOf(item[k + 1]);
      if (isWord(t, 'CHECK') && item[k + 1]?.kind === '(') {
        const end = skipGroup(item, k + 1);
        result.checks.push({ name: constraintName, expression: text(item[k + 1]!, item[end - 1]!) });
        constraintName = null;
        k = end - 1;
      } else if (isWord(t, 'AS') && item[k + 1]?.kind === '(') {
        const end = skipGroup(item, k + 1);
        info.generated = sql.slice(item[k + 2]!.start, item[end - 1]!.start).trim();
        k = end - 1;
      } else if (isWord(t, 'REFERENCES') && constraintName) {
        result.foreignKeyNames.set(columnName, constraintName);
      } else if (isWord(t, 'PRIMARY') && constraintName) {
        result.primaryKeyName = constraintName;
      }
    }
    result.columns.set(columnName, info);
  }
  return result;
}

/** `CREATE VIEW v AS SELECT ...` → `SELECT ...`. */
function viewQuery(sql: string): string {
  const tokens = tokenize(sql);
  const as = tokens.findIndex((t) => isWord(t, 'AS'));
  return as < 0 || !tokens[as + 1] ? sql : sql.slice(tokens[as + 1]!.start).trim();
}

function indexPredicate(sql: string): string | null {
  const tokens = tokenize(sql);
  const open = tokens.findIndex((t) => t.kind === '(');
  if (open < 0) return null;
  const after = skipGroup(tokens, open);
  const where = tokens.findIndex((t, k) => k >= after && isWord(t, 'WHERE'));
  return where < 0 || !tokens[where + 1] ? null : sql.slice(tokens[where + 1]!.start).trim();
}

/** The text of each part of an index's column list, by position. */
function indexExpressions(sql: string | null): string[] {
  if (!sql) return [];
  const tokens = tokenize(sql);
  const open = tokens.findIndex((t) => t.kind === '(');
  if (open < 0) return [];
  return topLevelItems(tokens, open).map((item) => {
    let end = item.length;
    while (end > 0 && (isWord(item[end - 1], 'ASC') || isWord(item[end - 1], 'DESC'))) end--;
    return end > 0 ? sql.slice(item[0]!.start, item[end - 1]!.end) : '';
  });
}
