/**
 * A MySQL / MariaDB snapshot as DDL: sequences, then tables with their indexes, checks,
 * partitions and system versioning, routines, views in dependency order, foreign keys,
 * then triggers and events. Exporting one database writes names unqualified (and drops the
 * database's own name from view bodies and defaults), so the script re-creates it in any database.
 */
import type { ColumnInfo, PartitioningInfo, SchemaObjects, SchemaSnapshot } from '../engines/schema-model.ts';
import { constraintName, list, ordered, type Quoting } from './ddl-common.ts';
import { objectLines } from './ddl-objects.ts';

export function mysqlDdl(snapshot: SchemaSnapshot, q: Quoting, out: string[], objects: SchemaObjects | null) {
  const multiple = snapshot.namespaces.length > 1;
  // Routine bodies are not resolved at creation, so routines may precede the tables they read.
  out.push(...objectLines('mysql', q, objects, 'beforeTables', multiple));
  const name = (t: { schema: string; name: string }) => (multiple ? q.id(t.schema, t.name) : q.id(t.name));
  const sequences = snapshot.sequences ?? [];
  if (sequences.length) out.push('');
  // Before the tables: a column default may call NEXTVAL on one.
  for (const s of sequences) {
    out.push(
      `CREATE SEQUENCE ${name(s)} START WITH ${s.start} MINVALUE ${s.min} MAXVALUE ${s.max} ` +
        `INCREMENT BY ${s.increment} CACHE ${s.cache} ${s.cycle ? 'CYCLE' : 'NOCYCLE'};`,
    );
  }
  // MySQL stores view bodies with every name qualified (`sakila`.`film`), which is how one view is seen to read another.
  const { roots, views } = ordered(snapshot, (v) =>
    snapshot.tables.filter((o) => o !== v && v.definition?.includes(`${q.id(o.schema)}.${q.id(o.name)}`)),
  );
  for (const t of roots) {
    // MariaDB qualifies a sequence a default calls with the database's name.
    const local = (text: string) => (multiple ? text : unqualify(text, q.id(t.schema)));
    const lines = t.columns.map((c) => `  ${mysqlColumn(q, c, local)}`);
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
    const start = t.columns.find((c) => c.rowPeriod === 'start');
    const end = t.columns.find((c) => c.rowPeriod === 'end');
    if (start && end) lines.push(`  PERIOD FOR SYSTEM_TIME (${list(q, [start.name, end.name])})`);
    let options = t.comment ? ` COMMENT=${q.lit(t.comment)}` : '';
    if (t.systemVersioned) options += ' WITH SYSTEM VERSIONING';
    if (t.partitioning) options += `\n${partitionClause(q, t.partitioning)}`;
    out.push('', `CREATE TABLE ${name(t)} (\n${lines.join(',\n')}\n)${options};`);
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

function mysqlColumn(q: Quoting, c: ColumnInfo, local: (text: string) => string): string {
  let s = `${q.id(c.name)} ${c.dataType}`;
  if (c.generated) s += ` GENERATED ALWAYS AS (${c.generated.expression}) ${c.generated.kind.toUpperCase()}`;
  // A period column is NOT NULL by definition; MariaDB refuses the clause on it.
  if (c.rowPeriod) s += ` GENERATED ALWAYS AS ROW ${c.rowPeriod.toUpperCase()}`;
  // MariaDB refuses NULL after a generated column (nullable is its only kind there).
  else if (!c.nullable) s += ' NOT NULL';
  else if (!c.generated) s += ' NULL';
  if (c.default !== null) s += ` DEFAULT ${local(c.default)}`;
  if (c.onUpdate) s += ` ON UPDATE ${c.onUpdate}`;
  if (c.identity === 'auto_increment') s += ' AUTO_INCREMENT';
  if (c.invisible) s += ' INVISIBLE';
  if (c.comment) s += ` COMMENT ${q.lit(c.comment)}`;
  return s;
}

/** `PARTITION BY …` with every partition named, as the server listed them. */
function partitionClause(q: Quoting, p: PartitioningInfo): string {
  if (p.method === 'SYSTEM_TIME') return systemTimeClause(q, p);
  let s = `PARTITION BY ${p.method} (${p.expression})`;
  if (p.subMethod) s += `\nSUBPARTITION BY ${p.subMethod} (${p.subExpression ?? ''})`;
  const range = p.method.startsWith('RANGE');
  const parts = p.partitions.map((part) => {
    let line = ` PARTITION ${q.id(part.name)}`;
    if (part.bound === 'DEFAULT') line += ' DEFAULT';
    else if (part.bound !== null && range) {
      // Plain RANGE writes MAXVALUE bare; RANGE COLUMNS lists it like any value.
      line +=
        part.bound === 'MAXVALUE' && p.method === 'RANGE'
          ? ' VALUES LESS THAN MAXVALUE'
          : ` VALUES LESS THAN (${part.bound})`;
    } else if (part.bound !== null) line += ` VALUES IN (${part.bound})`;
    if (part.comment) line += ` COMMENT = ${q.lit(part.comment)}`;
    if (part.subpartitions.length) {
      line += ` (${part.subpartitions.map((sub) => `SUBPARTITION ${q.id(sub)}`).join(', ')})`;
    }
    return line;
  });
  return `${s}\n(${parts.join(',\n').trimStart()})`;
}

/**
 * MariaDB history partitioning: its key is always the hidden row end (information_schema's
 * `unix_timestamp(row_end)` is not written), each partition is HISTORY but the last, CURRENT.
 */
function systemTimeClause(q: Quoting, p: PartitioningInfo): string {
  const parts = p.partitions.map((part) => {
    let line = ` PARTITION ${q.id(part.name)} ${part.bound === 'CURRENT' ? 'CURRENT' : 'HISTORY'}`;
    if (part.comment) line += ` COMMENT = ${q.lit(part.comment)}`;
    return line;
  });
  const rotation = p.systemTime ? ` ${p.systemTime}` : '';
  return `PARTITION BY SYSTEM_TIME${rotation}\n(${parts.join(',\n').trimStart()})`;
}
