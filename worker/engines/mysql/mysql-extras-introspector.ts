/**
 * The MySQL / MariaDB structure information_schema keeps outside tables, columns and keys:
 * partitioning (method, expression, bounds, subpartitions), MariaDB sequences and system
 * versioning, and the column flags (`INVISIBLE`, `ROW START`/`ROW END`) the column reader
 * passes through. Kept apart from `mysql-introspector.ts`, which reads the common shape.
 */
import { sql } from 'kysely';
import { type Row, records, str, strOrNull } from '../catalog-rows.ts';
import type { Engine } from '../engine.ts';
import type { PartitioningInfo, SequenceInfo, TableInfo } from '../schema-model.ts';
import { tableKey } from '../schema-model.ts';
import { sqlBuilder } from '../sql-builder.ts';

/** Partitions in the server's order; information_schema lists unpartitioned tables with a null name. */
export const partitionsQuery = (scope: (column: string) => string) =>
  `select table_schema as \`schema\`, table_name as \`table\`, partition_name as \`name\`,
    subpartition_name as \`sub\`, partition_method as \`method\`, subpartition_method as \`subMethod\`,
    partition_expression as \`expression\`, subpartition_expression as \`subExpression\`,
    partition_description as \`bound\`, partition_comment as \`comment\`
  from information_schema.partitions where ${scope('table_schema')} and partition_name is not null
  order by table_schema, cast(table_name as binary), partition_ordinal_position, subpartition_ordinal_position`;

/** Attaches each partitioned table's scheme, marking it `partitioned_table` as Postgres does. */
export function attachPartitions(tables: Map<string, TableInfo>, rows: Row[]) {
  const schemes = new Map<string, PartitioningInfo>();
  for (const r of rows) {
    const key = tableKey(str(r.schema), str(r.table));
    const table = tables.get(key);
    if (!table) continue;
    let scheme = schemes.get(key);
    if (!scheme) {
      scheme = {
        method: str(r.method),
        expression: str(r.expression),
        subMethod: strOrNull(r.subMethod),
        subExpression: strOrNull(r.subExpression),
        partitions: [],
      };
      schemes.set(key, scheme);
      table.partitioning = scheme;
      table.kind = 'partitioned_table';
      table.definition = `${scheme.method} (${scheme.expression})`;
    }
    const name = str(r.name);
    let partition = scheme.partitions.at(-1);
    if (partition?.name !== name) {
      partition = { name, bound: strOrNull(r.bound), subpartitions: [], comment: str(r.comment) || null };
      scheme.partitions.push(partition);
    }
    const sub = strOrNull(r.sub);
    if (sub !== null) partition.subpartitions.push(sub);
  }
}

/** The rotation clause of `PARTITION BY SYSTEM_TIME …`, up to the partition list or count. */
const SYSTEM_TIME_CLAUSE = /\bPARTITION BY SYSTEM_TIME\b(.*?)(?:\n?\(PARTITION\b|\nPARTITIONS\b|$)/s;

/**
 * A `SYSTEM_TIME` partitioning's INTERVAL/LIMIT, STARTS and AUTO live only in SHOW CREATE TABLE,
 * so each such table (rare: one per history-rotated table) costs one statement. Returns how many ran.
 */
export async function readSystemTimeClauses(engine: Engine, tables: Iterable<TableInfo>): Promise<number> {
  const db = sqlBuilder('mysql');
  let count = 0;
  for (const t of tables) {
    if (t.partitioning?.method !== 'SYSTEM_TIME') continue;
    const target = sql.id(t.schema, t.name).compile(db).sql;
    const [row] = await engine.query(`show create table ${target}`, { readOnly: true }).then(records);
    count++;
    const create =
      Object.values(row ?? {})
        .map(String)
        .find((v) => /^CREATE TABLE/i.test(v)) ?? '';
    const clause = SYSTEM_TIME_CLAUSE.exec(create)?.[1]?.trim();
    if (clause) t.partitioning.systemTime = clause;
  }
  return count;
}

/**
 * A system-versioned table's key as information_schema gives it names the hidden `row_end`
 * column MariaDB adds to it; the table was declared without it, and re-declaring it that way
 * gets it back, so only the columns the table shows are kept.
 */
export function markSystemVersioned(table: TableInfo) {
  table.systemVersioned = true;
  const shown = new Set(table.columns.map((c) => c.name));
  if (table.primaryKey) table.primaryKey.columns = table.primaryKey.columns.filter((c) => shown.has(c));
  for (const u of table.uniques) u.columns = u.columns.filter((c) => shown.has(c));
}

/**
 * Every MariaDB sequence's settings in one round trip: a sequence reads as a one-row table
 * of them, and no catalog view holds them before MariaDB 11.5.
 */
export async function readSequences(engine: Engine, names: { schema: string; name: string }[]) {
  if (!names.length) return [];
  const db = sqlBuilder('mysql');
  const selects = names.map(
    (n, i) =>
      `select ${i} as \`i\`, start_value as \`start\`, increment as \`increment\`, minimum_value as \`min\`,
        maximum_value as \`max\`, cache_size as \`cache\`, cycle_option as \`cycle\`
      from ${sql.id(n.schema, n.name).compile(db).sql}`,
  );
  const rows = await engine.query(selects.join('\nunion all\n'), { readOnly: true }).then(records);
  return rows.map((r): SequenceInfo => {
    const n = names[Number(r.i)]!;
    return {
      schema: n.schema,
      name: n.name,
      // MariaDB before 11.5 has no `AS type`: every sequence counts in bigint.
      dataType: 'bigint',
      start: str(r.start),
      increment: str(r.increment),
      min: str(r.min),
      max: str(r.max),
      cache: str(r.cache),
      cycle: str(r.cycle) === '1',
      ownedBy: null,
    };
  });
}
