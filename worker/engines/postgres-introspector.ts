/**
 * Postgres catalog reader: ten queries over pg_catalog, run side by side, whatever the
 * number of tables. Objects owned by an extension (pg_depend deptype 'e') are left out,
 * so PostGIS's spatial_ref_sys or pg_stat_statements' views never clutter a schema.
 */
import type { Engine } from './engine.ts';
import {
  bool,
  type ColumnInfo,
  type DomainInfo,
  type EnumInfo,
  emptyTable,
  type IndexPart,
  jsonValue,
  type NamespaceInfo,
  type NormalizedType,
  num,
  numOrNull,
  type RelationKind,
  type Row,
  records,
  referentialAction,
  type SchemaSnapshot,
  type SequenceInfo,
  sortTables,
  str,
  strOrNull,
  type TableInfo,
  tableKey,
} from './introspection.ts';

const SCHEMAS = `
  select n.oid, n.nspname from pg_catalog.pg_namespace n
  where n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast')
    and n.nspname !~ '^pg_(toast_)?temp_'
    and not exists (select 1 from pg_catalog.pg_depend d
      where d.classid = 'pg_catalog.pg_namespace'::regclass and d.objid = n.oid and d.deptype = 'e')`;

const RELATIONS = `
  select c.oid, c.relname, c.relkind, c.relispartition, c.reltuples, c.relpartbound, s.nspname
  from pg_catalog.pg_class c join s on s.oid = c.relnamespace
  where c.relkind in ('r', 'p', 'v', 'm', 'f')
    and not exists (select 1 from pg_catalog.pg_depend d
      where d.classid = 'pg_catalog.pg_class'::regclass and d.objid = c.oid and d.deptype = 'e')`;

/** Every query starts from the same two CTEs so they agree on what exists. */
const WITH = `with s as (${SCHEMAS}), rel as (${RELATIONS})`;

export const POSTGRES_QUERIES = {
  version: 'select current_setting(\'server_version\') as "version"',
  schemas: `${WITH} select s.nspname as "name", pg_catalog.obj_description(s.oid, 'pg_namespace') as "comment"
    from s order by 1`,
  relations: `${WITH}
    select rel.nspname as "schema", rel.relname as "name", rel.relkind::text as "kind",
      pn.nspname as "parentSchema", pc.relname as "parentName",
      pg_catalog.pg_get_expr(rel.relpartbound, rel.oid) as "bound",
      case when rel.reltuples < 0 or rel.relkind in ('v', 'f') then null else rel.reltuples::float8 end as "rows",
      pg_catalog.obj_description(rel.oid, 'pg_class') as "comment",
      case when rel.relkind in ('v', 'm') then pg_catalog.pg_get_viewdef(rel.oid, true)
        when rel.relkind = 'p' then pg_catalog.pg_get_partkeydef(rel.oid) end as "definition"
    from rel
    left join pg_catalog.pg_inherits i on rel.relispartition and i.inhrelid = rel.oid
    left join pg_catalog.pg_class pc on pc.oid = i.inhparent
    left join pg_catalog.pg_namespace pn on pn.oid = pc.relnamespace`,
  columns: `${WITH}
    select rel.nspname as "schema", rel.relname as "table", a.attnum::int as "position", a.attname as "name",
      pg_catalog.format_type(a.atttypid, a.atttypmod) as "dataType",
      coalesce(bt.typname, t.typname)::text as "baseType",
      coalesce(bt.typtype, t.typtype)::text as "typtype",
      coalesce(bt.typcategory, t.typcategory)::text as "category",
      a.attnotnull as "notNull",
      pg_catalog.pg_get_expr(ad.adbin, ad.adrelid) as "default",
      a.attidentity::text as "identity", a.attgenerated::text as "generated",
      pg_catalog.col_description(rel.oid, a.attnum) as "comment"
    from rel
    join pg_catalog.pg_attribute a on a.attrelid = rel.oid and a.attnum > 0 and not a.attisdropped
    join pg_catalog.pg_type t on t.oid = a.atttypid
    left join pg_catalog.pg_type bt on t.typtype = 'd' and bt.oid = t.typbasetype
    left join pg_catalog.pg_attrdef ad on ad.adrelid = a.attrelid and ad.adnum = a.attnum`,
  constraints: `${WITH}
    select rel.nspname as "schema", rel.relname as "table", k.conname as "name", k.contype::text as "type",
      (select json_agg(a.attname order by u.ord) from unnest(k.conkey) with ordinality u(attnum, ord)
        join pg_catalog.pg_attribute a on a.attrelid = k.conrelid and a.attnum = u.attnum) as "columns",
      fn.nspname as "refSchema", fc.relname as "refTable",
      (select json_agg(a.attname order by u.ord) from unnest(k.confkey) with ordinality u(attnum, ord)
        join pg_catalog.pg_attribute a on a.attrelid = k.confrelid and a.attnum = u.attnum) as "refColumns",
      k.confupdtype::text as "onUpdate", k.confdeltype::text as "onDelete",
      case when k.contype = 'c' then pg_catalog.pg_get_constraintdef(k.oid, true) end as "definition"
    from rel join pg_catalog.pg_constraint k on k.conrelid = rel.oid
    left join pg_catalog.pg_class fc on fc.oid = k.confrelid
    left join pg_catalog.pg_namespace fn on fn.oid = fc.relnamespace
    where k.contype in ('p', 'f', 'u', 'c')`,
  indexes: `${WITH}
    select rel.nspname as "schema", rel.relname as "table", ic.relname as "name",
      x.indisunique as "unique", x.indisprimary as "primary", am.amname::text as "method",
      pg_catalog.pg_get_expr(x.indpred, x.indrelid, true) as "predicate",
      pg_catalog.pg_get_indexdef(x.indexrelid) as "definition",
      (select json_agg(json_build_object(
          'column', a.attname,
          'expression', case when k.attnum = 0 then pg_catalog.pg_get_indexdef(x.indexrelid, k.ord::int, true) end,
          'descending', (x.indoption[k.ord - 1] & 1) = 1) order by k.ord)
        from unnest(x.indkey::int2[]) with ordinality k(attnum, ord)
        left join pg_catalog.pg_attribute a on a.attrelid = x.indrelid and a.attnum = k.attnum
        where k.ord <= x.indnkeyatts) as "parts"
    from rel join pg_catalog.pg_index x on x.indrelid = rel.oid
    join pg_catalog.pg_class ic on ic.oid = x.indexrelid
    join pg_catalog.pg_am am on am.oid = ic.relam`,
  enums: `with s as (${SCHEMAS})
    select s.nspname as "schema", t.typname as "name", json_agg(e.enumlabel order by e.enumsortorder) as "values"
    from pg_catalog.pg_type t join s on s.oid = t.typnamespace
    join pg_catalog.pg_enum e on e.enumtypid = t.oid
    where not exists (select 1 from pg_catalog.pg_depend d
      where d.classid = 'pg_catalog.pg_type'::regclass and d.objid = t.oid and d.deptype = 'e')
    group by s.nspname, t.typname order by 1, 2`,
  /** Identity sequences (deptype 'i') belong to their column's definition and are left out. */
  sequences: `with s as (${SCHEMAS})
    select s.nspname as "schema", c.relname as "name", pg_catalog.format_type(q.seqtypid, null) as "dataType",
      q.seqstart::text as "start", q.seqincrement::text as "increment", q.seqmin::text as "min",
      q.seqmax::text as "max", q.seqcache::text as "cache", q.seqcycle as "cycle",
      tn.nspname as "ownedSchema", tc.relname as "ownedTable", a.attname as "ownedColumn"
    from pg_catalog.pg_sequence q
    join pg_catalog.pg_class c on c.oid = q.seqrelid
    join s on s.oid = c.relnamespace
    left join pg_catalog.pg_depend d on d.classid = 'pg_catalog.pg_class'::regclass and d.objid = c.oid
      and d.refclassid = 'pg_catalog.pg_class'::regclass and d.deptype in ('a', 'i')
    left join pg_catalog.pg_class tc on tc.oid = d.refobjid
    left join pg_catalog.pg_namespace tn on tn.oid = tc.relnamespace
    left join pg_catalog.pg_attribute a on a.attrelid = d.refobjid and a.attnum = d.refobjsubid
    where (d.deptype is null or d.deptype = 'a')
      and not exists (select 1 from pg_catalog.pg_depend e
        where e.classid = 'pg_catalog.pg_class'::regclass and e.objid = c.oid and e.deptype = 'e')
    order by 1, 2`,
  domains: `with s as (${SCHEMAS})
    select s.nspname as "schema", t.typname as "name",
      pg_catalog.format_type(t.typbasetype, t.typtypmod) as "baseType",
      t.typdefault as "default", t.typnotnull as "notNull",
      (select json_agg(json_build_object('name', k.conname, 'definition', pg_catalog.pg_get_constraintdef(k.oid, true))
          order by k.conname)
        from pg_catalog.pg_constraint k where k.contypid = t.oid and k.contype = 'c') as "checks"
    from pg_catalog.pg_type t join s on s.oid = t.typnamespace
    where t.typtype = 'd'
      and not exists (select 1 from pg_catalog.pg_depend d
        where d.classid = 'pg_catalog.pg_type'::regclass and d.objid = t.oid and d.deptype = 'e')
    order by t.oid`,
  /** What each view's rewrite rule depends on: other relations ('r') and non-built-in functions ('f'). */
  viewDependencies: `${WITH}
    select v.nspname as "schema", v.relname as "name", 'r' as "kind", dn.nspname as "refSchema", dc.relname as "ref"
    from rel v join pg_catalog.pg_rewrite r on r.ev_class = v.oid
    join pg_catalog.pg_depend d on d.classid = 'pg_catalog.pg_rewrite'::regclass and d.objid = r.oid
      and d.refclassid = 'pg_catalog.pg_class'::regclass and d.refobjid <> v.oid
    join pg_catalog.pg_class dc on dc.oid = d.refobjid
    join pg_catalog.pg_namespace dn on dn.oid = dc.relnamespace
    where v.relkind in ('v', 'm')
    union
    select v.nspname, v.relname, 'f', pn.nspname,
      p.proname || '(' || pg_catalog.pg_get_function_identity_arguments(p.oid) || ')'
    from rel v join pg_catalog.pg_rewrite r on r.ev_class = v.oid
    join pg_catalog.pg_depend d on d.classid = 'pg_catalog.pg_rewrite'::regclass and d.objid = r.oid
      and d.refclassid = 'pg_catalog.pg_proc'::regclass
    join pg_catalog.pg_proc p on p.oid = d.refobjid
    join pg_catalog.pg_namespace pn on pn.oid = p.pronamespace
    where v.relkind in ('v', 'm') and pn.nspname not in ('pg_catalog', 'information_schema')
    order by 1, 2, 3, 4, 5`,
} as const;

const KINDS: Record<string, RelationKind> = {
  r: 'table',
  p: 'partitioned_table',
  v: 'view',
  m: 'materialized_view',
  f: 'foreign_table',
};

export async function introspectPostgres(engine: Engine): Promise<SchemaSnapshot> {
  const run = (sql: string) => engine.query(sql, { readOnly: true }).then(records);
  const [
    version,
    schemas,
    relations,
    columns,
    constraints,
    indexes,
    enums,
    sequenceRows,
    domainRows,
    viewDependencies,
  ] = await Promise.all([
    run(POSTGRES_QUERIES.version),
    run(POSTGRES_QUERIES.schemas),
    run(POSTGRES_QUERIES.relations),
    run(POSTGRES_QUERIES.columns),
    run(POSTGRES_QUERIES.constraints),
    run(POSTGRES_QUERIES.indexes),
    run(POSTGRES_QUERIES.enums),
    run(POSTGRES_QUERIES.sequences),
    run(POSTGRES_QUERIES.domains),
    run(POSTGRES_QUERIES.viewDependencies),
  ]);

  const tables = new Map<string, TableInfo>();
  for (const r of relations) {
    const table = emptyTable(str(r.schema), str(r.name), KINDS[str(r.kind)] ?? 'table');
    table.comment = strOrNull(r.comment);
    table.rowEstimate = numOrNull(r.rows);
    table.definition = strOrNull(r.definition);
    if (r.parentName !== null && r.parentName !== undefined) {
      table.partitionOf = { schema: str(r.parentSchema), name: str(r.parentName), bound: strOrNull(r.bound) };
    }
    tables.set(tableKey(table.schema, table.name), table);
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

  for (const r of columns) {
    const table = tables.get(tableKey(str(r.schema), str(r.table)));
    if (!table) continue;
    table.columns.push(toColumn(r, table.kind));
  }
  for (const r of constraints) {
    const table = tables.get(tableKey(str(r.schema), str(r.table)));
    if (!table) continue;
    const name = str(r.name);
    const cols = jsonValue<string[] | null>(r.columns) ?? [];
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
          refColumns: jsonValue<string[] | null>(r.refColumns) ?? [],
          onUpdate: referentialAction(r.onUpdate),
          onDelete: referentialAction(r.onDelete),
        });
        break;
    }
  }
  for (const r of indexes) {
    const table = tables.get(tableKey(str(r.schema), str(r.table)));
    if (!table) continue;
    table.indexes.push({
      name: str(r.name),
      unique: bool(r.unique),
      primary: bool(r.primary),
      method: strOrNull(r.method),
      parts: jsonValue<IndexPart[] | null>(r.parts) ?? [],
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

  const namespaces: NamespaceInfo[] = schemas.map((r) => ({
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
    serverVersion: strOrNull(version[0]?.version),
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
    queryCount: 10,
  };
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
