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
import { sql } from 'kysely';
import type { EngineName } from '../engines/engine.ts';
import type {
  ColumnInfo,
  IndexInfo,
  QualifiedName,
  SchemaObjects,
  SchemaSnapshot,
  TableInfo,
} from '../engines/schema-model.ts';
import { sqlBuilder } from '../engines/sql-builder.ts';
import { extensionLines, notExported, objectLines } from './ddl-objects.ts';

/** `objects` is what the live database holds beyond the snapshot, or null when it could not be read. */
export function toDdl(snapshot: SchemaSnapshot, objects: SchemaObjects | null = null): string {
  const q = quoting(snapshot.engine);
  const out: string[] = [
    `-- ${snapshot.engine} schema exported by Atrium`,
    ...notExported(snapshot.engine, objects),
  ];
  const writers = { postgres: postgresDdl, mysql: mysqlDdl, sqlite: sqliteDdl } as const;
  writers[snapshot.engine](snapshot, q, out, objects);
  return `${out.join('\n')}\n`;
}

interface Quoting {
  id: (...names: string[]) => string;
  lit: (value: string) => string;
}

function quoting(engine: EngineName): Quoting {
  const db = sqlBuilder(engine);
  return {
    id: (...names) => sql.id(...names).compile(db).sql,
    lit: (value) => sql.lit(value).compile(db).sql,
  };
}

const constraintName = (q: Quoting, name: string | null) => (name ? `CONSTRAINT ${q.id(name)} ` : '');
const list = (q: Quoting, names: string[]) => names.map((n) => q.id(n)).join(', ');

/** Parents before partitions, views after tables and after the views they read. */
function ordered(snapshot: SchemaSnapshot, viewDependencies: (v: TableInfo) => QualifiedName[] = () => []) {
  const tables = snapshot.tables.filter((t) => t.kind === 'table' || t.kind === 'partitioned_table');
  const views = snapshot.tables.filter((t) => t.kind === 'view' || t.kind === 'materialized_view');
  return {
    roots: tables.filter((t) => !t.partitionOf),
    partitions: tables.filter((t) => t.partitionOf),
    views: dependencyOrder(views, viewDependencies),
  };
}

const nameKey = (n: QualifiedName) => `${n.schema}\u0000${n.name}`;

/** Depth-first, keeping the snapshot's order among independent views; a cycle cannot exist in a live catalog. */
function dependencyOrder(views: TableInfo[], dependencies: (v: TableInfo) => QualifiedName[]): TableInfo[] {
  const byKey = new Map(views.map((v) => [nameKey(v), v]));
  const done = new Set<string>();
  const out: TableInfo[] = [];
  const visit = (v: TableInfo) => {
    const key = nameKey(v);
    if (done.has(key)) return;
    done.add(key);
    for (const d of dependencies(v)) {
      const dep = byKey.get(nameKey(d));
      if (dep) visit(dep);
    }
    out.push(v);
  };
  for (const v of views) visit(v);
  return out;
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

function mysqlDdl(snapshot: SchemaSnapshot, q: Quoting, out: string[], objects: SchemaObjects | null) {
  const multiple = snapshot.namespaces.length > 1;
  // Routine bodies are not resolved at creation, so routines may precede the tables they read.
  out.push(...objectLines('mysql', q, objects, 'beforeTables', multiple));
  const name = (t: { schema: string; name: string }) => (multiple ? q.id(t.schema, t.name) : q.id(t.name));
  // MySQL stores view bodies with every name qualified (`sakila`.`film`), which is how one view is seen to read another.
  const { roots, views } = ordered(snapshot, (v) =>
    snapshot.tables.filter((o) => o !== v && v.definition?.includes(`${q.id(o.schema)}.${q.id(o.name)}`)),
  );
  for (const t of roots) {
    const lines = t.columns.map((c) => `  ${mysqlColumn(q, c)}`);
    if (t.primaryKey) lines.push(`  PRIMARY KEY (${list(q, t.primaryKey.columns)})`);
    const uniqueNames = new Set(t.uniques.map((u) => u.name));
    for (const u of t.uniques) lines.push(`  UNIQUE KEY ${q.id(u.name ?? '')} (${list(q, u.columns)})`);
    for (const i of t.indexes) {
      if (i.primary || uniqueNames.has(i.name)) continue;
      const kind =
        i.method === 'FULLTEXT'
          ? 'FULLTEXT KEY'
          : i.method === 'SPATIAL'
            ? 'SPATIAL KEY'
            : i.unique
              ? 'UNIQUE KEY'
              : 'KEY';
      const parts = i.parts.map((p) => {
        const part = p.column
          ? p.expression
            ? p.expression.replace(p.column, q.id(p.column))
            : q.id(p.column)
          : `(${p.expression})`;
        return `${part}${p.descending ? ' DESC' : ''}`;
      });
      lines.push(`  ${kind} ${q.id(i.name)} (${parts.join(', ')})`);
    }
    for (const c of t.checks) lines.push(`  ${constraintName(q, c.name)}CHECK (${c.expression})`);
    const comment = t.comment ? ` COMMENT=${q.lit(t.comment)}` : '';
    out.push('', `CREATE TABLE ${name(t)} (\n${lines.join(',\n')}\n)${comment};`);
  }
  out.push(...objectLines('mysql', q, objects, 'afterTables', multiple));
  for (const v of views) {
    const body = multiple ? (v.definition ?? '') : unqualify(v.definition ?? '', q.id(v.schema));
    out.push('', `CREATE VIEW ${name(v)} AS ${body};`);
  }
  const fks: string[] = [];
  for (const t of roots) {
    for (const fk of t.foreignKeys) {
      const ref = multiple || fk.refSchema !== t.schema ? q.id(fk.refSchema, fk.refTable) : q.id(fk.refTable);
      fks.push(
        `ALTER TABLE ${name(t)} ADD ${constraintName(q, fk.name)}FOREIGN KEY (${list(q, fk.columns)}) ` +
          `REFERENCES ${ref} (${list(q, fk.refColumns)}) ON UPDATE ${fk.onUpdate} ON DELETE ${fk.onDelete};`,
      );
    }
  }
  if (fks.length) out.push('', ...fks);
  out.push(...objectLines('mysql', q, objects, 'last', multiple));
}

/**
 * Drops the `schema`. qualifier from a MySQL view body so the view reads the tables of
 * whatever database it is created in; string literals and other identifiers are left alone.
 */
export function unqualify(body: string, quotedSchema: string): string {
  let out = '';
  let i = 0;
  while (i < body.length) {
    const ch = body[i]!;
    if (ch === "'" || ch === '"' || ch === '`') {
      let j = i + 1;
      while (j < body.length) {
        if (body[j] === '\\' && ch !== '`') j += 2;
        else if (body[j] === ch && body[j + 1] === ch) j += 2;
        else if (body[j] === ch) break;
        else j++;
      }
      const token = body.slice(i, j + 1);
      if (token === quotedSchema && body[j + 1] === '.' && body[j + 2] === '`') {
        i = j + 2;
        continue;
      }
      out += token;
      i = j + 1;
      continue;
    }
    out += ch;
    i++;
  }
  return out;
}

function mysqlColumn(q: Quoting, c: ColumnInfo): string {
  let s = `${q.id(c.name)} ${c.dataType}`;
  if (c.generated) s += ` GENERATED ALWAYS AS (${c.generated.expression}) ${c.generated.kind.toUpperCase()}`;
  s += c.nullable ? ' NULL' : ' NOT NULL';
  if (c.default !== null) s += ` DEFAULT ${c.default}`;
  if (c.onUpdate) s += ` ON UPDATE ${c.onUpdate}`;
  if (c.identity === 'auto_increment') s += ' AUTO_INCREMENT';
  if (c.comment) s += ` COMMENT ${q.lit(c.comment)}`;
  return s;
}

function sqliteDdl(snapshot: SchemaSnapshot, q: Quoting, out: string[], objects: SchemaObjects | null) {
  const { roots, views } = ordered(snapshot);
  for (const t of roots) {
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
    out.push('', `CREATE TABLE ${q.id(t.name)} (\n${[...lines, ...constraints].join(',\n')}\n);`);
    for (const i of t.indexes) if (i.definition) out.push(`${i.definition};`);
  }
  for (const v of views) out.push('', `CREATE VIEW ${q.id(v.name)} AS ${v.definition ?? ''};`);
  out.push(...objectLines('sqlite', q, objects, 'last'));
}
