/**
 * DDL export round trip: Pagila's and Sakila's DDL, exported through the API, run into a
 * fresh empty database of the same engine, which then syncs to the same structure —
 * tables, columns, keys, indexes, domains, sequences and views — and holds as many
 * routines, triggers and foreign keys in its catalog as the original.
 */
import { env } from 'cloudflare:workers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../../worker/engines/create-engine.ts';
import type { Engine } from '../../../worker/engines/engine.ts';
import type { SchemaSnapshot, TableInfo } from '../../../worker/engines/schema-model.ts';
import { splitStatements } from '../../../worker/queries/split.ts';
import { api, createOrg, type TestUser } from '../../support/auth.ts';
import { connectionPath, PAGILA, SAKILA } from '../../support/fixtures.ts';
import { saveConnection } from '../../support/team.ts';
import { getJson, sync } from './support.ts';

let owner: TestUser;
beforeAll(async () => {
  ({ owner } = await createOrg());
});

async function exportDdl(connectionId: string): Promise<string> {
  const res = await api(connectionPath(connectionId, '/schema/export?format=ddl'), {
    headers: owner.bearerHeaders,
  });
  expect(res.status).toBe(200);
  return new TextDecoder().decode(await res.arrayBuffer());
}

const snapshotOf = (connectionId: string) =>
  getJson<SchemaSnapshot>(owner, connectionPath(connectionId, '/schema/export?format=json'));

/** Split as psql and the mysql client would: dollar quotes, `DELIMITER ;;` blocks, comments. */
const statements = (ddl: string, engine: 'postgres' | 'mysql') =>
  splitStatements(ddl, engine).map((s) => s.sql);

/** One row of numbers from the database itself, as plain numbers. */
async function counts(engine: Engine, text: string): Promise<Record<string, number>> {
  const result = await engine.query(text);
  return Object.fromEntries(result.columns.map((c, i) => [c.name, Number(result.rows[0]?.[i])]));
}

const PG_COUNTS = `select
  (select count(*) from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'public' and c.relkind in ('r', 'p')) as tables,
  (select count(*) from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'public' and c.relkind in ('v', 'm')) as views,
  (select count(*) from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname = 'public') as routines,
  (select count(*) from pg_trigger where not tgisinternal) as triggers,
  (select count(*) from pg_constraint where contype = 'f' and conparentid = 0) as fks`;

const MY_COUNTS = `select
  (select count(*) from information_schema.tables where table_schema = database() and table_type = 'BASE TABLE') as tables,
  (select count(*) from information_schema.views where table_schema = database()) as views,
  (select count(*) from information_schema.routines where routine_schema = database()) as routines,
  (select count(*) from information_schema.triggers where trigger_schema = database()) as triggers,
  (select count(*) from information_schema.referential_constraints where constraint_schema = database()) as fks`;

const database = () => `atrium_ddl_${crypto.randomUUID().replaceAll('-', '').slice(0, 12)}`;
const ofKind = (s: SchemaSnapshot, ...kinds: TableInfo['kind'][]) =>
  s.tables.filter((t) => kinds.includes(t.kind));
const count = (tables: TableInfo[], pick: (t: TableInfo) => unknown[]) =>
  tables.reduce((n, t) => n + pick(t).length, 0);
/** Structure only: estimates differ, and MySQL FKs name their own database. */
const structure = (tables: TableInfo[], schema?: string) =>
  tables.map((t) => ({
    ...t,
    schema: schema ? null : t.schema,
    rowEstimate: null,
    foreignKeys: t.foreignKeys.map((f) => ({ ...f, refSchema: f.refSchema === schema ? null : f.refSchema })),
  }));

describe('PostgreSQL: Pagila DDL into an empty database', () => {
  const name = database();
  let admin: Engine;
  let source: SchemaSnapshot;
  let copy: SchemaSnapshot;
  let ddl: string;
  let catalog: { source: Record<string, number>; copy: Record<string, number> };

  beforeAll(async () => {
    admin = createEngine({ ...PAGILA, engine: 'postgres', password: null } as never, env);
    const pagila = await saveConnection(owner, 'Pagila', PAGILA);
    await sync(owner, pagila);
    source = await snapshotOf(pagila);
    ddl = await exportDdl(pagila);
    await admin.query(`create database "${name}"`);
    const target = createEngine(
      { ...PAGILA, engine: 'postgres', password: null, database: name } as never,
      env,
    );
    try {
      await target.script(statements(ddl, 'postgres').map((sql) => ({ sql })));
      catalog = { source: await counts(admin, PG_COUNTS), copy: await counts(target, PG_COUNTS) };
    } finally {
      await target.close();
    }
    const copyId = await saveConnection(owner, 'Pagila copy', { ...PAGILA, database: name });
    await sync(owner, copyId);
    copy = await snapshotOf(copyId);
  }, 60_000);

  afterAll(async () => {
    await admin.query(`drop database if exists "${name}" with (force)`);
    await admin.close();
  });

  it('re-creates every routine, trigger, table, view and foreign key', () => {
    expect(catalog.source).toEqual({ tables: 22, views: 8, routines: 10, triggers: 15, fks: 36 });
    expect(catalog.copy).toEqual(catalog.source);
    expect(ddl).not.toContain('-- Skipped');
    expect(ddl).toContain(
      'CREATE AGGREGATE public.group_concat(text) (SFUNC = public._group_concat, STYPE = text);',
    );
  });

  it('creates functions before the views that call them, and triggers after their tables', () => {
    const at = (text: string) => ddl.indexOf(text);
    expect(at('FUNCTION public._group_concat')).toBeGreaterThan(-1);
    expect(at('FUNCTION public._group_concat')).toBeLessThan(at('CREATE AGGREGATE'));
    expect(at('CREATE AGGREGATE')).toBeLessThan(at('CREATE VIEW "public"."actor_info"'));
    // rewards_report returns SETOF customer, so it needs the table first.
    expect(at('CREATE TABLE "public"."customer"')).toBeLessThan(at('FUNCTION public.rewards_report'));
    expect(at('CREATE TABLE "public"."actor"')).toBeLessThan(at('CREATE TRIGGER last_updated'));
  });

  it('re-creates domains and sequences', () => {
    expect(ddl).toContain('CREATE DOMAIN "public"."bıgınt" AS bigint;');
    expect(copy.domains).toEqual(source.domains);
    expect(copy.domains?.find((d) => d.name === 'year')?.checks).toEqual([
      { name: 'year_check', expression: '(VALUE >= 1901 AND VALUE <= 2155)' },
    ]);
    expect(copy.sequences).toHaveLength(13);
    expect(copy.sequences).toEqual(source.sequences);
  });

  it('re-creates every table, column, key and index exactly', () => {
    const tables = (s: SchemaSnapshot) => ofKind(s, 'table', 'partitioned_table');
    expect(tables(copy)).toHaveLength(22);
    expect(count(tables(copy), (t) => t.columns)).toBe(count(tables(source), (t) => t.columns));
    expect(count(tables(copy), (t) => t.foreignKeys)).toBe(36);
    expect(structure(tables(copy))).toEqual(structure(tables(source)));
  });

  it('re-creates every view, those that call Pagila functions included', () => {
    expect(ofKind(copy, 'view', 'materialized_view').map((v) => v.name)).toEqual([
      'actor_info',
      'customer_list',
      'film_list',
      'nicer_but_slower_film_list',
      'rental_by_category',
      'sales_by_film_category',
      'sales_by_store',
      'staff_list',
    ]);
    const views = (s: SchemaSnapshot) => structure(ofKind(s, 'view', 'materialized_view'));
    expect(views(copy)).toEqual(views(source));
  });
});

describe('MariaDB: Sakila DDL into an empty database', () => {
  const name = database();
  let admin: Engine;
  let source: SchemaSnapshot;
  let copy: SchemaSnapshot;
  let ddl: string;
  let catalog: { source: Record<string, number>; copy: Record<string, number> };

  beforeAll(async () => {
    admin = createEngine({ ...SAKILA, engine: 'mysql', password: null } as never, env);
    const sakila = await saveConnection(owner, 'Sakila', SAKILA);
    await sync(owner, sakila);
    source = await snapshotOf(sakila);
    ddl = await exportDdl(sakila);
    await admin.query(`create database \`${name}\``);
    const target = createEngine({ ...SAKILA, engine: 'mysql', password: null, database: name } as never, env);
    try {
      for (const sql of statements(ddl, 'mysql')) await target.query(sql);
      catalog = { source: await counts(admin, MY_COUNTS), copy: await counts(target, MY_COUNTS) };
    } finally {
      await target.close();
    }
    const copyId = await saveConnection(owner, 'Sakila copy', { ...SAKILA, database: name });
    await sync(owner, copyId);
    copy = await snapshotOf(copyId);
  }, 60_000);

  afterAll(async () => {
    await admin.query(`drop database if exists \`${name}\``);
    await admin.close();
  });

  it('names no source database inside view bodies', () => {
    expect(ddl).toContain('CREATE VIEW `actor_info` AS');
    expect(ddl).not.toContain('`sakila`.');
    expect(ddl).not.toContain('DEFINER=');
  });

  it('re-creates every routine, trigger, table, view and foreign key', () => {
    expect(catalog.source).toEqual({ tables: 16, views: 7, routines: 6, triggers: 6, fks: 22 });
    expect(catalog.copy).toEqual(catalog.source);
    expect(ddl).toMatch(/DELIMITER ;;\nCREATE FUNCTION `get_customer_balance`/);
  });

  it('re-creates all 16 tables and 7 views with their columns and keys', () => {
    expect(ofKind(copy, 'table')).toHaveLength(16);
    expect(ofKind(copy, 'view')).toHaveLength(7);
    expect(count(copy.tables, (t) => t.columns)).toBe(131);
    expect(count(copy.tables, (t) => t.foreignKeys)).toBe(22);
    expect(structure(ofKind(copy, 'table'), name)).toEqual(structure(ofKind(source, 'table'), 'sakila'));
    const views = (s: SchemaSnapshot, schema: string) =>
      structure(ofKind(s, 'view'), schema).map((v) => ({ ...v, definition: null }));
    expect(views(copy, name)).toEqual(views(source, 'sakila'));
  });

  it('stores view bodies that differ from the source only by the database name', () => {
    for (const view of ofKind(copy, 'view')) {
      const original = ofKind(source, 'view').find((v) => v.name === view.name);
      expect(view.definition).toBe(original?.definition?.replaceAll('`sakila`.', `\`${name}\`.`));
    }
  });
});
