/**
 * The Postgres catalog queries the introspector runs: one per kind of object for the whole
 * database (never one per table), scoped to user schemas. Rows name their relation by OID and
 * key columns by number (the introspector maps them to names from the columns it already read),
 * and comments come from one join to pg_description: per-row subqueries and `col_description`
 * calls cost more than the rest of the query on a schema of thousands of tables.
 */
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

/** The comment on an object (`classid`, `objoid`, `subid`): one join, not one function call per row. */
const comment = (alias: string, catalog: string, oid: string, subid = '0') =>
  `left join pg_catalog.pg_description ${alias} on ${alias}.classoid = '${catalog}'::regclass
    and ${alias}.objoid = ${oid} and ${alias}.objsubid = ${subid}`;

export const POSTGRES_QUERIES = {
  /** The server version beside each schema; one row with a null name when there is no schema. */
  schemas: `${WITH}
    select current_setting('server_version') as "version", s.nspname as "name", d.description as "comment"
    from (select 1) one left join s on true ${comment('d', 'pg_catalog.pg_namespace', 's.oid')}
    order by 2`,
  relations: `${WITH}
    select rel.oid::text as "oid", rel.nspname as "schema", rel.relname as "name", rel.relkind::text as "kind",
      pn.nspname as "parentSchema", pc.relname as "parentName",
      pg_catalog.pg_get_expr(rel.relpartbound, rel.oid) as "bound",
      case when rel.reltuples < 0 or rel.relkind in ('v', 'f') then null else rel.reltuples::float8 end as "rows",
      d.description as "comment",
      case when rel.relkind in ('v', 'm') then pg_catalog.pg_get_viewdef(rel.oid, true)
        when rel.relkind = 'p' then pg_catalog.pg_get_partkeydef(rel.oid) end as "definition"
    from rel ${comment('d', 'pg_catalog.pg_class', 'rel.oid')}
    left join pg_catalog.pg_inherits i on rel.relispartition and i.inhrelid = rel.oid
    left join pg_catalog.pg_class pc on pc.oid = i.inhparent
    left join pg_catalog.pg_namespace pn on pn.oid = pc.relnamespace`,
  columns: `${WITH}
    select rel.oid::text as "table", a.attnum::int as "position", a.attname as "name",
      pg_catalog.format_type(a.atttypid, a.atttypmod) as "dataType",
      coalesce(bt.typname, t.typname)::text as "baseType",
      coalesce(bt.typtype, t.typtype)::text as "typtype",
      coalesce(bt.typcategory, t.typcategory)::text as "category",
      a.attnotnull as "notNull",
      pg_catalog.pg_get_expr(ad.adbin, ad.adrelid) as "default",
      a.attidentity::text as "identity", a.attgenerated::text as "generated",
      d.description as "comment"
    from rel
    join pg_catalog.pg_attribute a on a.attrelid = rel.oid and a.attnum > 0 and not a.attisdropped
    join pg_catalog.pg_type t on t.oid = a.atttypid
    left join pg_catalog.pg_type bt on t.typtype = 'd' and bt.oid = t.typbasetype
    left join pg_catalog.pg_attrdef ad on ad.adrelid = a.attrelid and ad.adnum = a.attnum
    ${comment('d', 'pg_catalog.pg_class', 'a.attrelid', 'a.attnum')}`,
  /** A foreign key's referenced columns by name only when its table is not one of `rel` (an extension's). */
  constraints: `${WITH}
    select rel.oid::text as "table", k.conname as "name", k.contype::text as "type",
      pg_catalog.array_to_json(k.conkey) as "columnNumbers",
      fn.nspname as "refSchema", fc.relname as "refTable", k.confrelid::text as "refOid",
      pg_catalog.array_to_json(k.confkey) as "refColumnNumbers",
      case when k.contype = 'f' and not exists (select 1 from rel r where r.oid = k.confrelid) then
        (select json_agg(a.attname order by u.ord) from unnest(k.confkey) with ordinality u(attnum, ord)
          join pg_catalog.pg_attribute a on a.attrelid = k.confrelid and a.attnum = u.attnum) end as "refColumns",
      k.confupdtype::text as "onUpdate", k.confdeltype::text as "onDelete",
      case when k.contype = 'c' then pg_catalog.pg_get_constraintdef(k.oid, true) end as "definition"
    from rel join pg_catalog.pg_constraint k on k.conrelid = rel.oid
    left join pg_catalog.pg_class fc on fc.oid = k.confrelid
    left join pg_catalog.pg_namespace fn on fn.oid = fc.relnamespace
    where k.contype in ('p', 'f', 'u', 'c')`,
  /**
   * Key columns as numbers (0 for an expression) with their options, up to `indnkeyatts` (the
   * INCLUDE columns follow); the expressions' text only for the indexes that have any.
   */
  indexes: `${WITH}
    select rel.oid::text as "table", ic.relname as "name",
      x.indisunique as "unique", x.indisprimary as "primary", am.amname::text as "method",
      pg_catalog.pg_get_expr(x.indpred, x.indrelid, true) as "predicate",
      pg_catalog.pg_get_indexdef(x.indexrelid) as "definition",
      pg_catalog.array_to_json(x.indkey::int2[]) as "keys", pg_catalog.array_to_json(x.indoption::int2[]) as "options",
      x.indnkeyatts as "keyCount",
      case when x.indexprs is not null then
        (select json_agg(pg_catalog.pg_get_indexdef(x.indexrelid, k.ord::int, true) order by k.ord)
          from unnest(x.indkey::int2[]) with ordinality k(attnum, ord)
          where k.attnum = 0 and k.ord <= x.indnkeyatts) end as "expressions"
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
