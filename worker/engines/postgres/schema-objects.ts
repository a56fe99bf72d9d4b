/**
 * Postgres objects a snapshot leaves out, as the server prints them: extensions, standalone
 * composite and range types, functions, procedures and aggregates (`pg_get_functiondef`),
 * triggers (`pg_get_triggerdef`), row security, policies and rules, and grants (which the
 * export writes only when asked). Objects that belong to an extension are left out,
 * since `CREATE EXTENSION` re-creates them; so are a range type's constructors, which its
 * CREATE TYPE makes, and triggers cloned onto partitions, which the parent's trigger re-creates.
 */

import { records, str } from '../catalog-rows.ts';
import type { Engine } from '../engine.ts';
import type { ObjectDefinition, SchemaObjects } from '../schema-model.ts';

/** The same schemas the introspector reads: user schemas that no extension owns. */
const SCHEMAS = `with s as (
  select n.oid, n.nspname from pg_catalog.pg_namespace n
  where n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast')
    and n.nspname !~ '^pg_(toast_)?temp_'
    and not exists (select 1 from pg_catalog.pg_depend d
      where d.classid = 'pg_catalog.pg_namespace'::regclass and d.objid = n.oid and d.deptype = 'e'))`;

const notInExtension = (catalog: string, oid: string) =>
  `not exists (select 1 from pg_catalog.pg_depend x
    where x.classid = '${catalog}'::regclass and x.objid = ${oid} and x.deptype = 'e')`;

/** A routine's name as SQL, schema-qualified, for the parts of CREATE AGGREGATE that name one. */
const procName = (oid: string) =>
  `(select format('%I.%I', fn.nspname, f.proname) from pg_catalog.pg_proc f
    join pg_catalog.pg_namespace fn on fn.oid = f.pronamespace where f.oid = ${oid})`;

/** A routine as GRANT and REVOKE name it: schema-qualified, with its argument types. */
const routineTarget = `format('%I.%I(%s)', s.nspname, p.proname, pg_catalog.pg_get_function_identity_arguments(p.oid))`;
/** The grantee and grant option that end a GRANT, from an `aclexplode` row. */
const grantee = `case when grantee = 0 then 'PUBLIC' else quote_ident(pg_catalog.pg_get_userbyid(grantee)) end,
        case when is_grantable then ' WITH GRANT OPTION' else '' end`;

export const POSTGRES_OBJECT_QUERIES = {
  // plpgsql is in every database already, and pg_dump leaves it out as well.
  extensions: `select e.extname as "name", n.nspname as "schema", e.extversion as "version"
    from pg_catalog.pg_extension e join pg_catalog.pg_namespace n on n.oid = e.extnamespace
    where e.extname <> 'plpgsql' order by e.oid`,
  types: `${SCHEMAS}
    select s.nspname as "schema", t.typname as "name", case
      when t.typtype = 'c' then format('CREATE TYPE %I.%I AS (%s)', s.nspname, t.typname,
        (select string_agg(format('%I %s%s', a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod),
            case when a.attcollation <> 0 and a.attcollation <> ty.typcollation
              then ' COLLATE ' || a.attcollation::regcollation::text else '' end), ', ' order by a.attnum)
          from pg_catalog.pg_attribute a join pg_catalog.pg_type ty on ty.oid = a.atttypid
          where a.attrelid = t.typrelid and a.attnum > 0 and not a.attisdropped))
      when r.rngcanonical <> 0 then null
      else format('CREATE TYPE %I.%I AS RANGE (SUBTYPE = %s%s%s)', s.nspname, t.typname,
        pg_catalog.format_type(r.rngsubtype, null),
        case when r.rngsubdiff <> 0 then ', SUBTYPE_DIFF = ' || ${procName('r.rngsubdiff')} else '' end,
        case when r.rngcollation <> 0 then ', COLLATION = ' || r.rngcollation::regcollation::text else '' end)
      end as "definition"
    from pg_catalog.pg_type t join s on s.oid = t.typnamespace
    left join pg_catalog.pg_range r on r.rngtypid = t.oid
    where (t.typtype = 'r' or (t.typtype = 'c'
        and (select c.relkind from pg_catalog.pg_class c where c.oid = t.typrelid) = 'c'))
      and ${notInExtension('pg_catalog.pg_type', 't.oid')}
    order by t.oid`,
  routines: `${SCHEMAS}
    select s.nspname as "schema", p.proname as "name", p.prokind::text as "kind", case
      when p.prokind <> 'a' then pg_catalog.pg_get_functiondef(p.oid)
      when a.aggkind <> 'n' then null
      else format('CREATE AGGREGATE %I.%I(%s) (SFUNC = %s, STYPE = %s%s%s%s)', s.nspname, p.proname,
        pg_catalog.pg_get_function_identity_arguments(p.oid), ${procName('a.aggtransfn')},
        pg_catalog.format_type(a.aggtranstype, null),
        case when a.aggfinalfn <> 0 then ', FINALFUNC = ' || ${procName('a.aggfinalfn')} else '' end,
        case when a.aggcombinefn <> 0 then ', COMBINEFUNC = ' || ${procName('a.aggcombinefn')} else '' end,
        case when a.agginitval is not null then ', INITCOND = ' || quote_literal(a.agginitval) else '' end)
      end as "definition",
      -- A row type of a relation in the signature, or a SQL-standard body (checked at creation
      -- even when check_function_bodies is off), needs the tables to exist first.
      (to_jsonb(p) ->> 'prosqlbody' is not null or exists (
        select 1 from pg_catalog.pg_depend d join pg_catalog.pg_type t on t.oid = d.refobjid
        left join pg_catalog.pg_type e on e.oid = t.typelem
        join pg_catalog.pg_class c on c.oid = coalesce(nullif(t.typrelid, 0), e.typrelid)
        where d.classid = 'pg_catalog.pg_proc'::regclass and d.objid = p.oid
          and d.refclassid = 'pg_catalog.pg_type'::regclass and c.relkind <> 'c')) as "afterTables"
    from pg_catalog.pg_proc p join s on s.oid = p.pronamespace
    left join pg_catalog.pg_aggregate a on a.aggfnoid = p.oid
    where ${notInExtension('pg_catalog.pg_proc', 'p.oid')}
      -- A range type's constructors belong to it (an internal dependency): CREATE TYPE makes them.
      and not exists (select 1 from pg_catalog.pg_depend i
        where i.classid = 'pg_catalog.pg_proc'::regclass and i.objid = p.oid and i.deptype = 'i')
    order by p.oid`,
  triggers: `${SCHEMAS}
    select s.nspname as "schema", t.tgname as "name", pg_catalog.pg_get_triggerdef(t.oid) as "definition"
    from pg_catalog.pg_trigger t join pg_catalog.pg_class c on c.oid = t.tgrelid
    join s on s.oid = c.relnamespace
    where not t.tgisinternal and t.tgparentid = 0 and ${notInExtension('pg_catalog.pg_class', 'c.oid')}
    order by s.nspname, c.relname, t.tgname`,
  // Row security switched on (and forced) per table, then its policies, then rules: all after the tables.
  security: `${SCHEMAS}
    select s.nspname as "schema", c.relname as "name", 'row_security' as "kind",
      format('ALTER TABLE %I.%I %s ROW LEVEL SECURITY', s.nspname, c.relname, f.verb) as "definition"
    from pg_catalog.pg_class c join s on s.oid = c.relnamespace
    cross join lateral (values ('ENABLE', c.relrowsecurity), ('FORCE', c.relforcerowsecurity)) f(verb, active)
    where f.active and ${notInExtension('pg_catalog.pg_class', 'c.oid')}
    union all
    select s.nspname, p.polname, 'policy',
      format('CREATE POLICY %I ON %I.%I AS %s FOR %s TO %s%s%s', p.polname, s.nspname, c.relname,
        case when p.polpermissive then 'PERMISSIVE' else 'RESTRICTIVE' end,
        case p.polcmd when 'r' then 'SELECT' when 'a' then 'INSERT' when 'w' then 'UPDATE'
          when 'd' then 'DELETE' else 'ALL' end,
        (select string_agg(case when r = 0 then 'PUBLIC' else quote_ident(pg_catalog.pg_get_userbyid(r)) end, ', ')
          from unnest(p.polroles) r),
        case when p.polqual is not null then ' USING (' || pg_catalog.pg_get_expr(p.polqual, p.polrelid) || ')' else '' end,
        case when p.polwithcheck is not null
          then ' WITH CHECK (' || pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid) || ')' else '' end)
    from pg_catalog.pg_policy p join pg_catalog.pg_class c on c.oid = p.polrelid
    join s on s.oid = c.relnamespace where ${notInExtension('pg_catalog.pg_class', 'c.oid')}
    union all
    select s.nspname, r.rulename, 'rule', pg_catalog.pg_get_ruledef(r.oid)
    from pg_catalog.pg_rewrite r join pg_catalog.pg_class c on c.oid = r.ev_class
    join s on s.oid = c.relnamespace
    where r.rulename <> '_RETURN' and ${notInExtension('pg_catalog.pg_class', 'c.oid')}
    order by 3 desc, 1, 2`,
  // Privileges granted beyond the owner's own, one GRANT per object, grantee and grant option;
  // then column privileges, one GRANT per table, privilege and grantee with its columns; then
  // the EXECUTE a routine's owner took from PUBLIC, which every new routine holds by default.
  grants: `${SCHEMAS},
    acl as (
      select s.nspname as "schema", c.relname as "name", format('%I.%I', s.nspname, c.relname) as target,
        case c.relkind when 'S' then 'SEQUENCE' else 'TABLE' end as objtype, c.relowner as owner,
        (pg_catalog.aclexplode(c.relacl)).*
      from pg_catalog.pg_class c join s on s.oid = c.relnamespace
      where c.relacl is not null and c.relkind in ('r', 'p', 'v', 'm', 'f', 'S')
        and ${notInExtension('pg_catalog.pg_class', 'c.oid')}
      union all
      select s.nspname, s.nspname, format('%I', s.nspname), 'SCHEMA', n.nspowner,
        (pg_catalog.aclexplode(n.nspacl)).*
      from pg_catalog.pg_namespace n join s on s.oid = n.oid where n.nspacl is not null
      union all
      select s.nspname, p.proname, ${routineTarget},
        case p.prokind when 'p' then 'PROCEDURE' else 'FUNCTION' end, p.proowner,
        (pg_catalog.aclexplode(p.proacl)).*
      from pg_catalog.pg_proc p join s on s.oid = p.pronamespace
      where p.proacl is not null and ${notInExtension('pg_catalog.pg_proc', 'p.oid')}),
    columns as (
      select s.nspname as "schema", c.relname as "name", c.relowner as owner, a.attnum, a.attname,
        (pg_catalog.aclexplode(a.attacl)).*
      from pg_catalog.pg_class c join s on s.oid = c.relnamespace
      join pg_catalog.pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
      where a.attacl is not null and c.relkind in ('r', 'p', 'v', 'm', 'f')
        and ${notInExtension('pg_catalog.pg_class', 'c.oid')})
    select "schema", "name", format('GRANT %s ON %s %s TO %s%s',
        string_agg(privilege_type, ', ' order by privilege_type), objtype, target, ${grantee}) as "definition"
    from acl where grantee <> owner
    group by "schema", "name", objtype, target, grantee, is_grantable
    union all
    select "schema", "name", format('GRANT %s (%s) ON TABLE %I.%I TO %s%s', privilege_type,
        string_agg(quote_ident(attname), ', ' order by attnum), "schema", "name", ${grantee})
    from columns where grantee <> owner
    group by "schema", "name", privilege_type, grantee, is_grantable
    union all
    select s.nspname, p.proname, format('REVOKE EXECUTE ON %s %s FROM PUBLIC',
        case p.prokind when 'p' then 'PROCEDURE' else 'FUNCTION' end, ${routineTarget})
    from pg_catalog.pg_proc p join s on s.oid = p.pronamespace
    where p.proacl is not null and ${notInExtension('pg_catalog.pg_proc', 'p.oid')}
      and not exists (select 1 from pg_catalog.aclexplode(p.proacl) e
        where e.grantee = 0 and e.privilege_type = 'EXECUTE')
    order by 1, 2, 3`,
} as const;

/**
 * Routines and triggers as the snapshot lists them (`ProgramInfo`), in one query the
 * introspector runs beside its own: the same objects the export prints, without the
 * statement text pg_get_functiondef builds.
 */
export const POSTGRES_PROGRAMS = `${SCHEMAS}
  select s.nspname as "schema", p.proname as "name",
    case p.prokind when 'p' then 'procedure' when 'a' then 'aggregate' else 'function' end as "kind",
    pg_catalog.pg_get_function_identity_arguments(p.oid) as "signature",
    case when p.prokind in ('f', 'w') then pg_catalog.pg_get_function_result(p.oid) end as "returns",
    l.lanname as "language", case when p.prokind <> 'a' then p.prosrc end as "body"
  from pg_catalog.pg_proc p join s on s.oid = p.pronamespace
  join pg_catalog.pg_language l on l.oid = p.prolang
  where ${notInExtension('pg_catalog.pg_proc', 'p.oid')}
    and not exists (select 1 from pg_catalog.pg_depend i
      where i.classid = 'pg_catalog.pg_proc'::regclass and i.objid = p.oid and i.deptype = 'i')
  union all
  select s.nspname, t.tgname, 'trigger',
    concat_ws(' ', case when t.tgtype & 2 <> 0 then 'BEFORE' when t.tgtype & 64 <> 0 then 'INSTEAD OF' else 'AFTER' end,
      concat_ws(' OR ', case when t.tgtype & 4 <> 0 then 'INSERT' end, case when t.tgtype & 8 <> 0 then 'DELETE' end,
        case when t.tgtype & 16 <> 0 then 'UPDATE' end, case when t.tgtype & 32 <> 0 then 'TRUNCATE' end),
      'ON', format('%I', c.relname)),
    null, null, pg_catalog.pg_get_triggerdef(t.oid)
  from pg_catalog.pg_trigger t join pg_catalog.pg_class c on c.oid = t.tgrelid
  join s on s.oid = c.relnamespace
  where not t.tgisinternal and t.tgparentid = 0 and ${notInExtension('pg_catalog.pg_class', 'c.oid')}`;

const KINDS: Record<string, ObjectDefinition['kind']> = {
  f: 'function',
  w: 'function',
  p: 'procedure',
  a: 'aggregate',
};

export async function readPostgresObjects(engine: Engine): Promise<SchemaObjects> {
  const run = (sql: string) => engine.query(sql, { readOnly: true }).then(records);
  const [extensions, types, routines, triggers, security, grants] = await Promise.all([
    run(POSTGRES_OBJECT_QUERIES.extensions),
    run(POSTGRES_OBJECT_QUERIES.types),
    run(POSTGRES_OBJECT_QUERIES.routines),
    run(POSTGRES_OBJECT_QUERIES.triggers),
    run(POSTGRES_OBJECT_QUERIES.security),
    run(POSTGRES_OBJECT_QUERIES.grants),
  ]);
  const definition = (v: unknown, reason: string) =>
    v === null || v === undefined
      ? { definition: null, reason }
      : { definition: str(v).trim().replace(/;$/, '') };
  return {
    extensions: extensions.map((r) => ({
      name: str(r.name),
      schema: str(r.schema),
      version: str(r.version),
    })),
    objects: [
      ...types.map((r) => ({
        schema: str(r.schema),
        name: str(r.name),
        kind: 'type' as const,
        ...definition(r.definition, 'range types with a canonical function are not exported'),
        afterTables: false,
      })),
      ...routines.map((r) => ({
        schema: str(r.schema),
        name: str(r.name),
        kind: KINDS[str(r.kind)] ?? 'function',
        ...definition(r.definition, 'ordered-set and hypothetical-set aggregates are not exported'),
        afterTables: r.afterTables === true || r.afterTables === 't',
      })),
      ...triggers.map((r) => ({
        schema: str(r.schema),
        name: str(r.name),
        kind: 'trigger' as const,
        ...definition(r.definition, 'the server did not print it'),
        afterTables: true,
      })),
      ...[...security, ...grants].map((r) => ({
        schema: str(r.schema),
        name: str(r.name),
        kind: (r.kind === undefined ? 'grant' : str(r.kind)) as ObjectDefinition['kind'],
        ...definition(r.definition, 'the server did not print it'),
        afterTables: true,
      })),
    ],
  };
}
