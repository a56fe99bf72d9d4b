/**
 * Postgres catalog reader: ten queries over pg_catalog, run side by side, whatever the
 * number of tables. Objects owned by an extension (pg_depend deptype 'e') are left out,
 * so PostGIS's spatial_ref_sys or pg_stat_statements' views never clutter a schema.
 */

import { bool, jsonValue, num, numOrNull, type Row, records, str, strOrNull } from '../catalog-rows.ts';
import type { Engine } from '../engine.ts';
import {
  type ColumnInfo,
  type DomainInfo,
  type EnumInfo,
  emptyTable,
  type IndexPart,
  type NamespaceInfo,
  type NormalizedType,
  type RelationKind,
  referentialAction,
  type SchemaSnapshot,
  type SequenceInfo,
  sortTables,
  type TableInfo,
  tableKey,
} from '../schema-model.ts';
import { sortPrograms, toProgram } from '../schema-programs.ts';

import { POSTGRES_QUERIES } from './postgres-catalog.ts';
import { POSTGRES_PROGRAMS } from './schema-objects.ts';

const KINDS: Record<string, RelationKind> = {
  r: 'table',
  p: 'partitioned_table',
  v: 'view',
  m: 'materialized_view',
  f: 'foreign_table',
};

export async function introspectPostgres(engine: Engine): Promise<SchemaSnapshot> {
  let queries = 0;
  const run = (sql: string) => {
    queries++;
    return engine.query(sql, { readOnly: true }).then(records);
  };
  const [
    schemas,
    relations,
    columns,
    constraints,
    indexes,
    enums,
    sequenceRows,
    domainRows,
    viewDependencies,
    programs,
  ] = await Promise.all([
    run(POSTGRES_QUERIES.schemas),
    run(POSTGRES_QUERIES.relations),
    run(POSTGRES_QUERIES.columns),
    run(POSTGRES_QUERIES.constraints),
    run(POSTGRES_QUERIES.indexes),
    run(POSTGRES_QUERIES.enums),
    run(POSTGRES_QUERIES.sequences),
    run(POSTGRES_QUERIES.domains),
    run(POSTGRES_QUERIES.viewDependencies),
    run(POSTGRES_PROGRAMS),
  ]);

  // Rows of the other queries name their relation by OID.
  const tables = new Map<string, TableInfo>();
  const byOid = new Map<string, TableInfo>();
  for (const r of relations) {
    const table = emptyTable(str(r.schema), str(r.name), KINDS[str(r.kind)] ?? 'table');
    table.comment = strOrNull(r.comment);
    table.rowEstimate = numOrNull(r.rows);
    table.definition = strOrNull(r.definition);
    if (r.parentName !== null && r.parentName !== undefined) {
      table.partitionOf = { schema: str(r.parentSchema), name: str(r.parentName), bound: strOrNull(r.bound) };
    }
    tables.set(tableKey(table.schema, table.name), table);
    byOid.set(str(r.oid), table);
  }
  // A partitioned parent holds no rows itself (reltuples -1 or 0); its estimate is its partitions'.
  for (const t of tables.values()) {
    if (t.partitionOf && t.rowEstimate !== null) {
      const parent = tables.get(tableKey(t.partitionOf.schema, t.partitionOf.name));
      if (parent?.kind === 'partitioned_table')
        parent.rowEstimate = (parent.rowEstimate ?? 0) + t.rowEstimate;
    }
  }
  const enumValues = new Map(enums.map((e) => [tableKey(str(e.schema), str(e.name)), e]));

  // Column names by relation and attribute number, for the keys that name columns by number.
  const names = new Map<TableInfo, Map<number, string>>();
  for (const r of columns) {
    const table = byOid.get(str(r.table));
    if (!table) continue;
    const column = toColumn(r, table.kind);
    table.columns.push(column);
    const numbered = names.get(table) ?? new Map<number, string>();
    names.set(table, numbered.set(column.position, column.name));
  }
  const columnNames = (table: TableInfo | undefined, numbers: unknown): string[] =>
    (jsonValue<number[] | null>(numbers) ?? []).flatMap((n) => (table && names.get(table)?.get(n)) ?? []);
  for (const r of constraints) {
    const table = byOid.get(str(r.table));
    if (!table) continue;
    const name = str(r.name);
    const cols = columnNames(table, r.columnNumbers);
    switch (str(r.type)) {
      case 'p':
        table.primaryKey = { name, columns: cols };
        break;
      case 'u':
        table.uniques.push({ name, columns: cols });
        break;
      case 'c':
        table.checks.push({ name, expression: checkExpression(str(r.definition)) });
        break;
      case 'f':
        table.foreignKeys.push({
          name,
          columns: cols,
          refSchema: str(r.refSchema),
          refTable: str(r.refTable),
          refColumns:
            jsonValue<string[] | null>(r.refColumns) ??
            columnNames(byOid.get(str(r.refOid)), r.refColumnNumbers),
          onUpdate: referentialAction(r.onUpdate),
          onDelete: referentialAction(r.onDelete),
        });
        break;
    }
  }
  for (const r of indexes) {
    const table = byOid.get(str(r.table));
    if (!table) continue;
    table.indexes.push({
      name: str(r.name),
      unique: bool(r.unique),
      primary: bool(r.primary),
      method: strOrNull(r.method),
      parts: indexParts(r, names.get(table)),
      predicate: strOrNull(r.predicate),
      definition: strOrNull(r.definition),
    });
  }
  for (const r of viewDependencies) {
    const view = tables.get(tableKey(str(r.schema), str(r.name)));
    if (!view) continue;
    view.dependsOn ??= { relations: [], functions: [] };
    if (str(r.kind) === 'f') view.dependsOn.functions.push(`${str(r.refSchema)}.${str(r.ref)}`);
    else view.dependsOn.relations.push({ schema: str(r.refSchema), name: str(r.ref) });
  }
  for (const t of tables.values()) {
    if ((t.kind === 'view' || t.kind === 'materialized_view') && !t.dependsOn) {
      t.dependsOn = { relations: [], functions: [] };
    }
    t.columns.sort((a, b) => a.position - b.position);
    t.foreignKeys.sort(byName);
    t.uniques.sort(byName);
    t.checks.sort(byName);
    t.indexes.sort(byName);
  }

  const namespaces: NamespaceInfo[] = schemas
    .filter((r) => r.name !== null && r.name !== undefined)
    .map((r) => ({
      name: str(r.name),
      comment: strOrNull(r.comment),
    }));
  const enumList: EnumInfo[] = [...enumValues.values()].map((e) => ({
    schema: str(e.schema),
    name: str(e.name),
    values: jsonValue<string[]>(e.values),
  }));
  return {
    engine: 'postgres',
    serverVersion: strOrNull(schemas[0]?.version),
    namespaces,
    tables: sortTables([...tables.values()]),
    enums: enumList,
    sequences: sequenceRows.map(toSequence),
    domains: domainRows.map(
      (r): DomainInfo => ({
        schema: str(r.schema),
        name: str(r.name),
        baseType: str(r.baseType),
        default: strOrNull(r.default),
        notNull: bool(r.notNull),
        checks: (jsonValue<{ name: string; definition: string }[] | null>(r.checks) ?? []).map((c) => ({
          name: c.name,
          expression: checkExpression(c.definition),
        })),
      }),
    ),
    programs: sortPrograms(programs.map(toProgram)),
    queryCount: queries,
  };
}

/**
 * An index's key parts from its column numbers (0 for an expression, whose text comes in order
 * in `expressions`) and per-column options (bit 1: DESC); INCLUDE columns are not parts.
 */
function indexParts(r: Row, names: Map<number, string> | undefined): IndexPart[] {
  const keys = jsonValue<number[] | null>(r.keys) ?? [];
  const options = jsonValue<number[] | null>(r.options) ?? [];
  const expressions = jsonValue<string[] | null>(r.expressions) ?? [];
  let nextExpression = 0;
  return keys.slice(0, num(r.keyCount)).map((n, i) => ({
    column: n === 0 ? null : (names?.get(n) ?? null),
    expression: n === 0 ? (expressions[nextExpression++] ?? null) : null,
    descending: ((options[i] ?? 0) & 1) === 1,
  }));
}

function toSequence(r: Row): SequenceInfo {
  return {
    schema: str(r.schema),
    name: str(r.name),
    dataType: str(r.dataType),
    start: str(r.start),
    increment: str(r.increment),
    min: str(r.min),
    max: str(r.max),
    cache: str(r.cache),
    cycle: bool(r.cycle),
    ownedBy:
      r.ownedTable === null || r.ownedTable === undefined
        ? null
        : { schema: str(r.ownedSchema), table: str(r.ownedTable), column: str(r.ownedColumn) },
  };
}

const byName = (a: { name: string | null }, b: { name: string | null }) =>
  (a.name ?? '') < (b.name ?? '') ? -1 : (a.name ?? '') > (b.name ?? '') ? 1 : 0;

function toColumn(r: Row, kind: RelationKind): ColumnInfo {
  const generatedFlag = str(r.generated);
  const identityFlag = str(r.identity);
  const expression = strOrNull(r.default);
  return {
    name: str(r.name),
    position: num(r.position),
    dataType: str(r.dataType),
    normalizedType: normalizePostgresType(str(r.baseType), str(r.typtype), str(r.category)),
    // Views report no NOT NULL; information_schema calls their columns nullable too.
    nullable: kind === 'view' ? true : !bool(r.notNull),
    default: generatedFlag === 's' ? null : expression,
    generated: generatedFlag === 's' && expression ? { kind: 'stored', expression } : null,
    identity: identityFlag === 'a' ? 'always' : identityFlag === 'd' ? 'by_default' : null,
    onUpdate: null,
    comment: strOrNull(r.comment),
  };
}

/** `CHECK ((x > 0))` → `(x > 0)`; NOT VALID and NO INHERIT stay visible in the definition. */
function checkExpression(definition: string): string {
  return definition.replace(/^CHECK\s*/, '');
}

const TYPE_FAMILIES: Record<string, NormalizedType> = {
  int2: 'integer',
  int4: 'integer',
  int8: 'bigint',
  oid: 'integer',
  numeric: 'decimal',
  money: 'decimal',
  float4: 'float',
  float8: 'float',
  bool: 'boolean',
  text: 'text',
  varchar: 'text',
  bpchar: 'text',
  char: 'text',
  name: 'text',
  citext: 'text',
  uuid: 'uuid',
  date: 'date',
  time: 'time',
  timetz: 'time',
  timestamp: 'timestamp',
  timestamptz: 'timestamptz',
  interval: 'interval',
  json: 'json',
  jsonb: 'json',
  bytea: 'binary',
  inet: 'network',
  cidr: 'network',
  macaddr: 'network',
  macaddr8: 'network',
  point: 'geometry',
  line: 'geometry',
  lseg: 'geometry',
  box: 'geometry',
  path: 'geometry',
  polygon: 'geometry',
  circle: 'geometry',
  geometry: 'geometry',
  geography: 'geometry',
};

function normalizePostgresType(base: string, typtype: string, category: string): NormalizedType {
  if (category === 'A') return 'array';
  if (typtype === 'e') return 'enum';
  return TYPE_FAMILIES[base] ?? 'other';
}
