/**
 * DDL export round trip: Pagila's and Sakila's DDL, exported through the API, run into a
 * fresh empty database of the same engine, which then syncs to the same structure:
 * tables, columns, keys, indexes, domains, sequences and views (less the Pagila views that
 * call Pagila's own `group_concat` aggregate, which the export skips with a note).
 */
import { env } from 'cloudflare:workers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../../worker/engines/create-engine.ts';
import type { Engine } from '../../../worker/engines/engine.ts';
import type { SchemaSnapshot, TableInfo } from '../../../worker/engines/introspection.ts';
import { api, type TestUser } from '../../support/auth.ts';
import { createOrg, getJson, PAGILA, path, SAKILA, saveConnection, sync } from './support.ts';

let owner: TestUser;
beforeAll(async () => {
  ({ owner } = await createOrg());
});

async function exportDdl(connectionId: string): Promise<string> {
  const res = await api(path(connectionId, '/schema/export?format=ddl'), { headers: owner.bearerHeaders });
  expect(res.status).toBe(200);
  return new TextDecoder().decode(await res.arrayBuffer());
}

const snapshotOf = (connectionId: string) =>
  getJson<SchemaSnapshot>(owner, path(connectionId, '/schema/export?format=json'));

/** The export puts one statement per `;` + newline; comment lines are not statements. */
const statements = (ddl: string) =>
  ddl
    .split(/;\n/)
    .map((s) => s.replace(/^(--[^\n]*\n|\s)+/, '').trim())
    .filter(Boolean);

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
      await target.script(statements(ddl).map((sql) => ({ sql })));
    } finally {
      await target.close();
    }
    const copyId = await saveConnection(owner, 'Pagila copy', { ...PAGILA, database: name });
    await sync(owner, copyId);
    copy = await snapshotOf(copyId);
  });

  afterAll(async () => {
    await admin.query(`drop database if exists "${name}" with (force)`);
    await admin.close();
  });

  it('skips exactly the views that call group_concat, and says why', () => {
    const skipped = [...ddl.matchAll(/^-- Skipped (?:materialized )?view "public"\."([^"]+)": (.*)$/gm)];
    expect(skipped.map((m) => m[1])).toEqual(['actor_info', 'film_list', 'nicer_but_slower_film_list']);
    for (const m of skipped) expect(m[2]).toContain('public.group_concat(text)');
    expect(ddl).toContain('-- Not exported: functions, procedures, aggregates, triggers');
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

  it('re-creates the views that call no Pagila function', () => {
    const kept = (s: SchemaSnapshot) =>
      ofKind(s, 'view', 'materialized_view').filter((v) => !v.dependsOn?.functions.length);
    expect(ofKind(copy, 'view', 'materialized_view').map((v) => v.name)).toEqual([
      'customer_list',
      'rental_by_category',
      'sales_by_film_category',
      'sales_by_store',
      'staff_list',
    ]);
    expect(structure(ofKind(copy, 'view', 'materialized_view'))).toEqual(structure(kept(source)));
  });
});

describe('MariaDB: Sakila DDL into an empty database', () => {
  const name = database();
  let admin: Engine;
  let source: SchemaSnapshot;
  let copy: SchemaSnapshot;
  let ddl: string;

  beforeAll(async () => {
    admin = createEngine({ ...SAKILA, engine: 'mysql', password: null } as never, env);
    const sakila = await saveConnection(owner, 'Sakila', SAKILA);
    await sync(owner, sakila);
    source = await snapshotOf(sakila);
    ddl = await exportDdl(sakila);
    await admin.query(`create database \`${name}\``);
    const target = createEngine({ ...SAKILA, engine: 'mysql', password: null, database: name } as never, env);
    try {
      for (const sql of statements(ddl)) await target.query(sql);
    } finally {
      await target.close();
    }
    const copyId = await saveConnection(owner, 'Sakila copy', { ...SAKILA, database: name });
    await sync(owner, copyId);
    copy = await snapshotOf(copyId);
  });

  afterAll(async () => {
    await admin.query(`drop database if exists \`${name}\``);
    await admin.close();
  });

  it('names no source database inside view bodies', () => {
    expect(ddl).toContain('CREATE VIEW `actor_info` AS');
    expect(ddl).not.toContain('`sakila`.');
    expect(ddl).toContain('-- Not exported: functions, procedures, triggers and events.');
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
