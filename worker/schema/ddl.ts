/**
 * A snapshot as DDL in its engine's dialect, meant to re-create the schema in an empty
 * database of the same engine: schemas, enums, domains and sequences; tables (columns,
 * primary key, unique and check constraints), partitions, indexes; views in dependency
 * order; then sequence ownership and foreign keys last, so tables may reference each
 * other in any order. Identifiers and literals are quoted by Kysely's compilers for the
 * dialect, never by hand. Extensions, types, routines, triggers and events are not in a
 * snapshot: the route reads them live (`Engine.schemaObjects`) and passes them in; without
 * them a Postgres view that calls a non-built-in function is skipped with a note.
 */
import type {
  ColumnInfo,
  IndexInfo,
  SchemaObjects,
  SchemaSnapshot,
  TableInfo,
} from '../engines/schema-model.ts';
import { constraintName, list, nameKey, ordered, type Quoting, quoting } from './ddl-common.ts';
import { mysqlDdl } from './ddl-mysql.ts';
import { type DdlOptions, extensionLines, notExported, objectLines } from './ddl-objects.ts';

/** `objects` is what the live database holds beyond the snapshot, or null when it could not be read. */
export function toDdl(
  snapshot: SchemaSnapshot,
  objects: SchemaObjects | null = null,
  options: DdlOptions = {},
): string {
  const q = quoting(snapshot.engine);
  const out: string[] = [
    `-- ${snapshot.engine} schema exported by Atrium`,
    ...notExported(snapshot.engine, objects, options),
  ];
  const writers = { postgres: postgresDdl, mysql: mysqlDdl, sqlite: sqliteDdl } as const;
  writers[snapshot.engine](snapshot, q, out, objects);
  // Last, once every object a GRANT names exists.
  if (options.grants) {
    out.push(...objectLines(snapshot.engine, q, objects, 'grants', snapshot.namespaces.length > 1));
  }
  return `${out.join('\n')}\n`;
}

function postgresDdl(snapshot: SchemaSnapshot, q: Quoting, out: string[], objects: SchemaObjects | null) {
  for (const ns of snapshot.namespaces) {
    if (ns.name !== 'public') out.push(`CREATE SCHEMA IF NOT EXISTS ${q.id(ns.name)};`);
  }
  out.push(...extensionLines(q, objects));
  for (const e of snapshot.enums) {
    out.push(`CREATE TYPE ${q.id(e.schema, e.name)} AS ENUM (${e.values.map(q.lit).join(', ')});`);
  }
  out.push(...objectLines('postgres', q, objects, 'types'));
  for (const d of snapshot.domains ?? []) {
    let s = `CREATE DOMAIN ${q.id(d.schema, d.name)} AS ${d.baseType}`;
    if (d.default !== null) s += ` DEFAULT ${d.default}`;
    if (d.notNull) s += ' NOT NULL';
    for (const c of d.checks) s += ` ${constraintName(q, c.name)}CHECK ${parenthesized(c.expression)}`;
    out.push(`${s};`);
  }
  for (const seq of snapshot.sequences ?? []) {
    out.push(
      `CREATE SEQUENCE ${q.id(seq.schema, seq.name)} AS ${seq.dataType} INCREMENT BY ${seq.increment} ` +
        `MINVALUE ${seq.min} MAXVALUE ${seq.max} START WITH ${seq.start} CACHE ${seq.cache}${seq.cycle ? ' CYCLE' : ''};`,
    );
  }
  out.push(...objectLines('postgres', q, objects, 'beforeTables'));
  const { roots, partitions, views } = ordered(snapshot, (v) => v.dependsOn?.relations ?? []);
  const parents = new Map(roots.map((t) => [`${t.schema}.${t.name}`, t]));
  for (const t of roots) {
    const lines = [...t.columns.map((c) => `  ${postgresColumn(q, c)}`), ...tableConstraints(q, t)];
    const partitionBy = t.kind === 'partitioned_table' && t.definition ? ` PARTITION BY ${t.definition}` : '';
    out.push('', `CREATE TABLE ${q.id(t.schema, t.name)} (\n${lines.join(',\n')}\n)${partitionBy};`);
    comments(q, t, out);
  }
  for (const t of partitions) {
    const parent = t.partitionOf!;
    out.push(
      '',
      `CREATE TABLE ${q.id(t.schema, t.name)} PARTITION OF ${q.id(parent.schema, parent.name)} ${parent.bound ?? 'DEFAULT'};`,
    );
    // The parent's primary key is cloned onto each partition; only extra constraints are declared.
    const inherited = parents.get(`${parent.schema}.${parent.name}`)?.primaryKey;
    const own = tableConstraints(q, { ...t, primaryKey: inherited ? null : t.primaryKey });
    for (const c of own) out.push(`ALTER TABLE ${q.id(t.schema, t.name)} ADD ${c.trim()};`);
  }
  for (const t of [...roots, ...partitions]) {
    for (const i of standaloneIndexes(t)) out.push(`${i.definition ?? postgresIndex(q, t, i)};`);
  }
  out.push(...objectLines('postgres', q, objects, 'afterTables'));
  const skipped = new Set<string>();
  for (const v of views) {
    const kind = v.kind === 'materialized_view' ? 'MATERIALIZED VIEW' : 'VIEW';
    const reason = objects ? null : skipReason(v, skipped);
    if (reason) {
      skipped.add(nameKey(v));
      out.push('', `-- Skipped ${kind.toLowerCase()} ${q.id(v.schema, v.name)}: ${reason}.`);
      continue;
    }
    const body = (v.definition ?? '').trim().replace(/;$/, '');
    out.push(
      '',
      `CREATE ${kind} ${q.id(v.schema, v.name)} AS\n${body}${v.kind === 'materialized_view' ? '\nWITH NO DATA' : ''};`,
    );
    for (const i of standaloneIndexes(v)) out.push(`${i.definition ?? postgresIndex(q, v, i)};`);
    comments(q, v, out);
  }
  const owned = (snapshot.sequences ?? []).filter((seq) => seq.ownedBy);
  if (owned.length) out.push('');
  for (const seq of owned) {
    const by = seq.ownedBy!;
    out.push(
      `ALTER SEQUENCE ${q.id(seq.schema, seq.name)} OWNED BY ${q.id(by.schema, by.table, by.column)};`,
    );
  }
  foreignKeys(q, [...roots, ...partitions], out);
  out.push(...objectLines('postgres', q, objects, 'last'));
}

/** Why a view cannot be re-created from the snapshot alone, if it cannot. */
function skipReason(v: TableInfo, skipped: ReadonlySet<string>): string | null {
  const functions = v.dependsOn?.functions ?? [];
  if (functions.length) return `it calls ${functions.join(', ')}, and functions could not be read`;
  const on = (v.dependsOn?.relations ?? []).find((r) => skipped.has(nameKey(r)));
  return on ? `it reads ${on.schema}.${on.name}, which is skipped` : null;
}

const parenthesized = (expression: string) => (expression.startsWith('(') ? expression : `(${expression})`);

function postgresColumn(q: Quoting, c: ColumnInfo): string {
  let s = `${q.id(c.name)} ${c.dataType}`;
  if (c.generated) s += ` GENERATED ALWAYS AS (${c.generated.expression}) STORED`;
  if (c.identity === 'always' || c.identity === 'by_default') {
    s += ` GENERATED ${c.identity === 'always' ? 'ALWAYS' : 'BY DEFAULT'} AS IDENTITY`;
  }
  if (c.default !== null) s += ` DEFAULT ${c.default}`;
  if (!c.nullable) s += ' NOT NULL';
  return s;
}

function postgresIndex(q: Quoting, t: TableInfo, i: IndexInfo): string {
  const parts = i.parts.map(
    (p) => `${p.column ? q.id(p.column) : `(${p.expression})`}${p.descending ? ' DESC' : ''}`,
  );
  const where = i.predicate ? ` WHERE ${i.predicate}` : '';
  return `CREATE ${i.unique ? 'UNIQUE ' : ''}INDEX ${q.id(i.name)} ON ${q.id(t.schema, t.name)} (${parts.join(', ')})${where}`;
}

function comments(q: Quoting, t: TableInfo, out: string[]) {
  const kind = t.kind === 'view' ? 'VIEW' : t.kind === 'materialized_view' ? 'MATERIALIZED VIEW' : 'TABLE';
  if (t.comment) out.push(`COMMENT ON ${kind} ${q.id(t.schema, t.name)} IS ${q.lit(t.comment)};`);
  for (const c of t.columns) {
    if (c.comment) out.push(`COMMENT ON COLUMN ${q.id(t.schema, t.name, c.name)} IS ${q.lit(c.comment)};`);
  }
}

function tableConstraints(q: Quoting, t: TableInfo): string[] {
  const lines: string[] = [];
  if (t.primaryKey) {
    lines.push(`  ${constraintName(q, t.primaryKey.name)}PRIMARY KEY (${list(q, t.primaryKey.columns)})`);
  }
  for (const u of t.uniques) lines.push(`  ${constraintName(q, u.name)}UNIQUE (${list(q, u.columns)})`);
  for (const c of t.checks) lines.push(`  ${constraintName(q, c.name)}CHECK ${parenthesized(c.expression)}`);
  return lines;
}

/** Indexes not created by a primary key or unique constraint. */
function standaloneIndexes(t: TableInfo): IndexInfo[] {
  const constraintNames = new Set([t.primaryKey?.name, ...t.uniques.map((u) => u.name)].filter(Boolean));
  return t.indexes.filter((i) => !i.primary && !constraintNames.has(i.name));
}

function foreignKeys(q: Quoting, tables: TableInfo[], out: string[]) {
  const lines: string[] = [];
  for (const t of tables) {
    for (const fk of t.foreignKeys) {
      lines.push(
        `ALTER TABLE ${q.id(t.schema, t.name)} ADD ${constraintName(q, fk.name)}FOREIGN KEY (${list(q, fk.columns)}) ` +
          `REFERENCES ${q.id(fk.refSchema, fk.refTable)} (${list(q, fk.refColumns)}) ` +
          `ON UPDATE ${fk.onUpdate} ON DELETE ${fk.onDelete};`,
      );
    }
  }
  if (lines.length) out.push('', ...lines);
}

function sqliteDdl(snapshot: SchemaSnapshot, q: Quoting, out: string[], objects: SchemaObjects | null) {
  const { roots, views } = ordered(snapshot, (v) => v.dependsOn?.relations ?? []);
  for (const t of roots) {
    // A shadow table is its virtual table's storage: creating the virtual table creates it.
    if (t.sqlite?.shadowOf) continue;
    if (t.sqlite?.virtual) {
      out.push('', `${t.sqlite.virtual.definition};`);
      continue;
    }
    const singleIntegerPk =
      t.primaryKey?.columns.length === 1 &&
      t.columns.find((c) => c.name === t.primaryKey?.columns[0])?.identity;
    const lines = t.columns.map((c) => {
      let s = `  ${q.id(c.name)}${c.dataType ? ` ${c.dataType}` : ''}`;
      if (singleIntegerPk && c.name === t.primaryKey?.columns[0]) s += ' PRIMARY KEY AUTOINCREMENT';
      if (!c.nullable && !(singleIntegerPk && c.name === t.primaryKey?.columns[0])) s += ' NOT NULL';
      if (c.default !== null) s += ` DEFAULT ${c.default}`;
      if (c.generated)
        s += ` GENERATED ALWAYS AS (${c.generated.expression}) ${c.generated.kind.toUpperCase()}`;
      return s;
    });
    const constraints = tableConstraints(q, singleIntegerPk ? { ...t, primaryKey: null } : t);
    for (const fk of t.foreignKeys) {
      constraints.push(
        `  ${constraintName(q, fk.name)}FOREIGN KEY (${list(q, fk.columns)}) REFERENCES ${q.id(fk.refTable)} ` +
          `(${list(q, fk.refColumns)}) ON UPDATE ${fk.onUpdate} ON DELETE ${fk.onDelete}`,
      );
    }
    const options = [t.sqlite?.withoutRowid && 'WITHOUT ROWID', t.sqlite?.strict && 'STRICT'].filter(Boolean);
    const tail = options.length ? ` ${options.join(', ')}` : '';
    out.push('', `CREATE TABLE ${q.id(t.name)} (\n${[...lines, ...constraints].join(',\n')}\n)${tail};`);
    for (const i of t.indexes) if (i.definition) out.push(`${i.definition};`);
  }
  for (const v of views) out.push('', `CREATE VIEW ${q.id(v.name)} AS ${v.definition ?? ''};`);
  out.push(...objectLines('sqlite', q, objects, 'last'));
}
