/**
 * MySQL / MariaDB catalog reader over information_schema: one query to learn the
 * server flavour and current database, then five side by side. MariaDB and MySQL
 * disagree on a few catalog columns (defaults, CHECK and expression indexes), handled here.
 */

import { bool, num, numOrNull, type Row, records, str, strOrNull } from '../catalog-rows.ts';
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
  tableKey,
} from '../schema-model.ts';
import { sortPrograms, toProgram } from '../schema-programs.ts';
import {
  attachPartitions,
  markSystemVersioned,
  partitionsQuery,
  readSequences,
  readSystemTimeClauses,
} from './mysql-extras-introspector.ts';
import { MYSQL_PROGRAMS } from './schema-objects.ts';

const SYSTEM_SCHEMAS = "('mysql', 'information_schema', 'performance_schema', 'sys')";

/**
 * Name equality byte for byte. information_schema compares names with a case-insensitive
 * collation, so on a case-sensitive server (`lower_case_table_names=0`) `MixedCase` and
 * `mixedcase` would match each other; the plain `=` stays beside the binary one because
 * MariaDB and MySQL only narrow an information_schema scan on plain equality.
 */
const same = (a: string, b: string) => `${a} = ${b} and cast(${a} as binary) = cast(${b} as binary)`;

/** Scope: the connection's database, or every user database when none is selected. */
const scope = (column: string) =>
  `((${same(column, 'database()')}) or (database() is null and ${column} not in ${SYSTEM_SCHEMAS}))`;

export const MYSQL_QUERIES = {
  server: 'select version() as `version`, database() as `database`',
  schemas: `select schema_name as \`name\` from information_schema.schemata where ${scope('schema_name')} order by 1`,
  tables: `select t.table_schema as \`schema\`, t.table_name as \`name\`, t.table_type as \`type\`,
      t.table_rows as \`rows\`, t.table_comment as \`comment\`, v.view_definition as \`definition\`
    from information_schema.tables t
    left join information_schema.views v on ${same('v.table_schema', 't.table_schema')}
      and ${same('v.table_name', 't.table_name')}
    where ${scope('t.table_schema')}`,
  columns: `select table_schema as \`schema\`, table_name as \`table\`, ordinal_position as \`position\`,
      column_name as \`name\`, column_type as \`columnType\`, data_type as \`dataType\`,
      is_nullable as \`nullable\`, column_default as \`default\`, extra as \`extra\`,
      column_comment as \`comment\`, generation_expression as \`generation\`
    from information_schema.columns where ${scope('table_schema')}`,
  keys: `select k.table_schema as \`schema\`, k.table_name as \`table\`, k.constraint_name as \`name\`,
      tc.constraint_type as \`type\`, k.column_name as \`column\`, k.ordinal_position as \`ord\`,
      k.referenced_table_schema as \`refSchema\`, k.referenced_table_name as \`refTable\`,
      k.referenced_column_name as \`refColumn\`, rc.update_rule as \`onUpdate\`, rc.delete_rule as \`onDelete\`
    from information_schema.key_column_usage k
    join information_schema.table_constraints tc on ${same('tc.constraint_schema', 'k.constraint_schema')}
      and ${same('tc.table_name', 'k.table_name')} and ${same('tc.constraint_name', 'k.constraint_name')}
    left join information_schema.referential_constraints rc on ${same('rc.constraint_schema', 'k.constraint_schema')}
      and ${same('rc.table_name', 'k.table_name')} and ${same('rc.constraint_name', 'k.constraint_name')}
    where ${scope('k.table_schema')} and tc.constraint_type in ('PRIMARY KEY', 'UNIQUE', 'FOREIGN KEY')
    order by k.table_schema, k.table_name, k.constraint_name, k.ordinal_position`,
  checksMariadb: `select constraint_schema as \`schema\`, table_name as \`table\`, constraint_name as \`name\`,
      check_clause as \`expression\`
    from information_schema.check_constraints where ${scope('constraint_schema')}`,
  checksMysql: `select tc.table_schema as \`schema\`, tc.table_name as \`table\`, cc.constraint_name as \`name\`,
      cc.check_clause as \`expression\`
    from information_schema.table_constraints tc join information_schema.check_constraints cc
      on ${same('cc.constraint_schema', 'tc.constraint_schema')} and ${same('cc.constraint_name', 'tc.constraint_name')}
    where ${scope('tc.table_schema')} and tc.constraint_type = 'CHECK'`,
  indexesMariadb: `select table_schema as \`schema\`, table_name as \`table\`, index_name as \`name\`,
      non_unique as \`nonUnique\`, seq_in_index as \`seq\`, column_name as \`column\`, sub_part as \`subPart\`,
      collation as \`collation\`, index_type as \`method\`, null as \`expression\`
    from information_schema.statistics where ${scope('table_schema')}
    order by table_schema, table_name, index_name, seq_in_index`,
  indexesMysql: `select table_schema as \`schema\`, table_name as \`table\`, index_name as \`name\`,
      non_unique as \`nonUnique\`, seq_in_index as \`seq\`, column_name as \`column\`, sub_part as \`subPart\`,
      collation as \`collation\`, index_type as \`method\`, expression as \`expression\`
    from information_schema.statistics where ${scope('table_schema')}
    order by table_schema, table_name, index_name, seq_in_index`,
  partitions: partitionsQuery(scope),
} as const;

export async function introspectMysql(engine: Engine): Promise<SchemaSnapshot> {
  const run = (sql: string) => engine.query(sql, { readOnly: true }).then(records);
  const [server] = await run(MYSQL_QUERIES.server);
  const version = str(server?.version);
  const mariadb = /mariadb/i.test(version);
  const [schemas, relations, columns, keys, checks, indexes, partitions, programs] = await Promise.all([
    run(MYSQL_QUERIES.schemas),
    run(MYSQL_QUERIES.tables),
    run(MYSQL_QUERIES.columns),
    run(MYSQL_QUERIES.keys),
    run(mariadb ? MYSQL_QUERIES.checksMariadb : MYSQL_QUERIES.checksMysql),
    run(mariadb ? MYSQL_QUERIES.indexesMariadb : MYSQL_QUERIES.indexesMysql),
    run(MYSQL_QUERIES.partitions),
    run(MYSQL_PROGRAMS),
  ]);

  const tables = new Map<string, TableInfo>();
  const sequenceNames: { schema: string; name: string }[] = [];
  const versioned: TableInfo[] = [];
  for (const r of relations) {
    const type = str(r.type);
    if (type === 'SEQUENCE') {
      sequenceNames.push({ schema: str(r.schema), name: str(r.name) });
      continue;
    }
    const table = emptyTable(str(r.schema), str(r.name), type === 'VIEW' ? 'view' : 'table');
    table.comment = type === 'VIEW' ? null : str(r.comment) || null;
    table.rowEstimate = type === 'VIEW' ? null : numOrNull(r.rows);
    table.definition = strOrNull(r.definition);
    tables.set(tableKey(table.schema, table.name), table);
    if (type === 'SYSTEM VERSIONED') versioned.push(table);
  }
  for (const r of columns) {
    const table = tables.get(tableKey(str(r.schema), str(r.table)));
    if (table) table.columns.push(toColumn(r, mariadb));
  }

  const fks = new Map<string, { table: TableInfo; columns: string[]; refColumns: string[]; row: Row }>();
  for (const r of keys) {
    const table = tables.get(tableKey(str(r.schema), str(r.table)));
    if (!table) continue;
    const name = str(r.name);
    const column = str(r.column);
    switch (str(r.type)) {
      case 'PRIMARY KEY':
        table.primaryKey ??= { name, columns: [] };
        table.primaryKey.columns.push(column);
        break;
      case 'UNIQUE': {
        let unique = table.uniques.find((u) => u.name === name);
        if (!unique) {
          unique = { name, columns: [] };
          table.uniques.push(unique);
        }
        unique.columns.push(column);
        break;
      }
      case 'FOREIGN KEY': {
        const key = `${tableKey(table.schema, table.name)}\u0000${name}`;
        let fk = fks.get(key);
        if (!fk) {
          fk = { table, columns: [], refColumns: [], row: r };
          fks.set(key, fk);
        }
        fk.columns.push(column);
        fk.refColumns.push(str(r.refColumn));
        break;
      }
    }
  }
  for (const { table, columns: cols, refColumns, row } of fks.values()) {
    table.foreignKeys.push({
      name: str(row.name),
      columns: cols,
      refSchema: str(row.refSchema),
      refTable: str(row.refTable),
      refColumns,
      onUpdate: referentialAction(row.onUpdate),
      onDelete: referentialAction(row.onDelete),
    });
  }
  for (const r of checks) {
    const table = tables.get(tableKey(str(r.schema), str(r.table)));
    if (table) table.checks.push({ name: str(r.name), expression: str(r.expression) });
  }

  const indexMap = new Map<string, IndexInfo>();
  for (const r of indexes) {
    const table = tables.get(tableKey(str(r.schema), str(r.table)));
    if (!table) continue;
    const name = str(r.name);
    const key = `${tableKey(table.schema, table.name)}\u0000${name}`;
    let index = indexMap.get(key);
    if (!index) {
      index = {
        name,
        unique: !bool(r.nonUnique),
        primary: name === 'PRIMARY',
        method: strOrNull(r.method),
        parts: [],
        predicate: null,
        definition: null,
      };
      indexMap.set(key, index);
      table.indexes.push(index);
    }
    const column = strOrNull(r.column);
    // MariaDB reports a SPATIAL index's fixed key size as a prefix length (32), which no CREATE accepts.
    const subPart = index.method === 'SPATIAL' ? null : numOrNull(r.subPart);
    index.parts.push({
      column,
      expression:
        column === null ? strOrNull(r.expression) : subPart !== null ? `${column}(${subPart})` : null,
      descending: str(r.collation) === 'D',
    });
  }

  attachPartitions(tables, partitions);
  const systemTimeQueries = await readSystemTimeClauses(engine, tables.values());
  for (const t of versioned) markSystemVersioned(t);
  const sequences = await readSequences(engine, sequenceNames);

  for (const t of tables.values()) {
    t.columns.sort((a, b) => a.position - b.position);
    for (const list of [t.foreignKeys, t.uniques, t.checks, t.indexes] as { name: string | null }[][]) {
      list.sort((a, b) => ((a.name ?? '') < (b.name ?? '') ? -1 : (a.name ?? '') > (b.name ?? '') ? 1 : 0));
    }
  }

  return {
    engine: 'mysql',
    serverVersion: version || null,
    namespaces: schemas.map((r) => ({ name: str(r.name), comment: null })),
    tables: sortTables([...tables.values()]),
    enums: [],
    ...(sequences.length ? { sequences } : {}),
    programs: sortPrograms(programs.map(toProgram)),
    queryCount: 9 + (sequenceNames.length ? 1 : 0) + systemTimeQueries,
  };
}

function toColumn(r: Row, mariadb: boolean): ColumnInfo {
  const extra = str(r.extra).toLowerCase();
  const dataType = str(r.dataType).toLowerCase();
  const generation = strOrNull(r.generation);
  // MariaDB spells a system-versioning period column as a stored column generated "AS ROW START".
  const rowPeriod = generation === 'ROW START' ? 'start' : generation === 'ROW END' ? 'end' : null;
  const generatedKind = rowPeriod
    ? null
    : /\bstored generated\b|\bpersistent\b|\bstored\b/.test(extra)
      ? 'stored'
      : /\bvirtual\b/.test(extra)
        ? 'virtual'
        : null;
  return {
    name: str(r.name),
    position: num(r.position),
    dataType: str(r.columnType),
    normalizedType: normalizeMysqlType(dataType, str(r.columnType).toLowerCase()),
    nullable: str(r.nullable) === 'YES',
    default: generatedKind ? null : columnDefault(r.default, extra, dataType, mariadb),
    generated: generatedKind && generation ? { kind: generatedKind, expression: generation } : null,
    identity: extra.includes('auto_increment') ? 'auto_increment' : null,
    onUpdate: /\bon update (\S+)/.exec(str(r.extra))?.[1] ?? null,
    comment: str(r.comment) || null,
    ...(/\binvisible\b/.test(extra) ? { invisible: true as const } : {}),
    ...(rowPeriod ? { rowPeriod } : {}),
  };
}

/**
 * Defaults as SQL expressions on both servers: MariaDB (10.2.7+) already quotes literals
 * and spells "no default" on a nullable column as the text NULL; MySQL gives the bare
 * literal and flags expression defaults with DEFAULT_GENERATED.
 */
function columnDefault(value: unknown, extra: string, dataType: string, mariadb: boolean): string | null {
  if (value === null || value === undefined) return null;
  const text = String(value);
  if (mariadb) return text === 'NULL' ? null : text;
  if (extra.includes('default_generated') || /^current_timestamp/i.test(text)) return text;
  if (NUMERIC.has(dataType) || dataType === 'bit') return text;
  return `'${text.replaceAll("'", "''")}'`;
}

const NUMERIC = new Set([
  'tinyint',
  'smallint',
  'mediumint',
  'int',
  'integer',
  'bigint',
  'decimal',
  'numeric',
  'float',
  'double',
  'real',
]);

const TYPE_FAMILIES: Record<string, NormalizedType> = {
  tinyint: 'integer',
  smallint: 'integer',
  mediumint: 'integer',
  int: 'integer',
  integer: 'integer',
  bigint: 'bigint',
  decimal: 'decimal',
  numeric: 'decimal',
  float: 'float',
  double: 'float',
  real: 'float',
  bit: 'integer',
  char: 'text',
  varchar: 'text',
  tinytext: 'text',
  text: 'text',
  mediumtext: 'text',
  longtext: 'text',
  uuid: 'uuid',
  date: 'date',
  time: 'time',
  year: 'integer',
  datetime: 'timestamp',
  timestamp: 'timestamp',
  json: 'json',
  binary: 'binary',
  varbinary: 'binary',
  tinyblob: 'binary',
  blob: 'binary',
  mediumblob: 'binary',
  longblob: 'binary',
  enum: 'enum',
  set: 'set',
  geometry: 'geometry',
  point: 'geometry',
  linestring: 'geometry',
  polygon: 'geometry',
  multipoint: 'geometry',
  multilinestring: 'geometry',
  multipolygon: 'geometry',
  geometrycollection: 'geometry',
  inet4: 'network',
  inet6: 'network',
};

function normalizeMysqlType(dataType: string, columnType: string): NormalizedType {
  // tinyint(1) is how MySQL spells BOOLEAN.
  if (columnType === 'tinyint(1)' || columnType === 'tinyint(1) unsigned') return 'boolean';
  // MariaDB stores JSON as longtext with a json_valid() CHECK; the type name is lost.
  return TYPE_FAMILIES[dataType] ?? 'other';
}
