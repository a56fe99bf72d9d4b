/**
 * Objects a snapshot does not hold, exported from the live database: a fixture schema per
 * engine with an extension-backed default, composite and range types, a view over a
 * function, a trigger-maintained column and (MariaDB) an event is exported, applied to an
 * empty database, and the copy behaves like the original.
 */
import { env } from 'cloudflare:workers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../../worker/engines/create-engine.ts';
import type { Engine } from '../../../worker/engines/engine.ts';
import { splitStatements } from '../../../worker/queries/split.ts';
import { api, createOrg, type TestUser } from '../../support/auth.ts';
import { connectionPath, PAGILA, SAKILA } from '../../support/fixtures.ts';
import { saveConnection } from '../../support/team.ts';
import { sync } from './support.ts';

let owner: TestUser;
beforeAll(async () => {
  ({ owner } = await createOrg());
});

const database = () => `atrium_obj_${crypto.randomUUID().replaceAll('-', '').slice(0, 12)}`;

async function exportDdl(connectionId: string): Promise<string> {
  await sync(owner, connectionId);
  const res = await api(connectionPath(connectionId, '/schema/export?format=ddl'), {
    headers: owner.bearerHeaders,
  });
  expect(res.status).toBe(200);
  return new TextDecoder().decode(await res.arrayBuffer());
}

const first = async (engine: Engine, text: string) => (await engine.query(text)).rows[0]?.[0];

describe('PostgreSQL fixture', () => {
  const [source, copy] = [database(), database()];
  const settings = (db: string) => ({ ...PAGILA, engine: 'postgres', password: null, database: db }) as never;
  let admin: Engine;
  let target: Engine;
  let ddl: string;

  beforeAll(async () => {
    admin = createEngine(settings('pagila'), env);
    for (const db of [source, copy]) await admin.query(`create database "${db}"`);
    const original = createEngine(settings(source), env);
    try {
      await original.script(
        [
          'create extension "uuid-ossp"',
          'create type money_pair as (amount numeric(10, 2), currency char(3))',
          'create type float_span as range (subtype = float8, subtype_diff = float8mi)',
          `create table item (id uuid primary key default uuid_generate_v1(), price money_pair,
            valid float_span, name text not null, name_upper text)`,
          `create function shout(t text) returns text language sql immutable as $$ select upper(t) $$`,
          `create function keep_upper() returns trigger language plpgsql as
            $$ begin new.name_upper := shout(new.name); return new; end $$`,
          'create trigger item_upper before insert or update on item for each row execute function keep_upper()',
          'create view loud_items as select id, shout(name) as loud from item',
        ].map((sql) => ({ sql })),
      );
    } finally {
      await original.close();
    }
    ddl = await exportDdl(await saveConnection(owner, 'PG fixture', { ...PAGILA, database: source }));
    target = createEngine(settings(copy), env);
    await target.script(splitStatements(ddl, 'postgres').map((s) => ({ sql: s.sql })));
  }, 60_000);

  afterAll(async () => {
    await target?.close();
    for (const db of [source, copy]) await admin.query(`drop database if exists "${db}" with (force)`);
    await admin.close();
  });

  it('declares the extension before the table whose default needs it', () => {
    const at = (text: string) => ddl.indexOf(text);
    expect(at('CREATE EXTENSION IF NOT EXISTS "uuid-ossp" WITH SCHEMA "public";')).toBeGreaterThan(-1);
    expect(at('CREATE EXTENSION')).toBeLessThan(at('CREATE TABLE "public"."item"'));
    // The extension's own functions come with it, not as separate statements.
    expect(ddl).not.toContain('FUNCTION public.uuid_generate_v1');
  });

  it('re-creates the types, the function behind the view and the trigger that maintains a column', async () => {
    await target.query(`insert into item (price, valid, name) values ((9.5, 'EUR'), '[1.5, 2.5)', 'quiet')`);
    const row = (
      await target.query('select (price).currency, upper(valid), name_upper, length(id::text) from item')
    ).rows[0];
    expect(row).toEqual(['EUR', 2.5, 'QUIET', 36]);
    expect(await first(target, 'select loud from loud_items')).toBe('QUIET');
    expect(await first(target, `select count(*)::int from pg_trigger where not tgisinternal`)).toBe(1);
  });
});

describe('MariaDB fixture', () => {
  const [source, copy] = [database(), database()];
  const settings = (db: string) => ({ ...SAKILA, engine: 'mysql', password: null, database: db }) as never;
  let admin: Engine;
  let target: Engine;
  let ddl: string;

  beforeAll(async () => {
    admin = createEngine(settings('sakila'), env);
    for (const db of [source, copy]) await admin.query(`create database \`${db}\``);
    const original = createEngine(settings(source), env);
    try {
      for (const sql of [
        'create table item (id int primary key auto_increment, name varchar(20) not null, name_upper varchar(20))',
        'create function shout(t text) returns text deterministic return upper(t)',
        `create trigger item_upper before insert on item for each row
          begin set new.name_upper = shout(new.name); end`,
        'create view loud_items as select id, shout(name) as loud from item',
        'create event tidy on schedule every 1 day disable do delete from item where name = ""',
      ]) {
        await original.query(sql);
      }
    } finally {
      await original.close();
    }
    ddl = await exportDdl(await saveConnection(owner, 'MariaDB fixture', { ...SAKILA, database: source }));
    target = createEngine(settings(copy), env);
    for (const s of splitStatements(ddl, 'mysql')) await target.query(s.sql);
  }, 60_000);

  afterAll(async () => {
    await target?.close();
    for (const db of [source, copy]) await admin.query(`drop database if exists \`${db}\``);
    await admin.close();
  });

  it('re-creates the function behind the view, the trigger and the event', async () => {
    await target.query(`insert into item (name) values ('quiet')`);
    expect(await first(target, 'select name_upper from item')).toBe('QUIET');
    expect(await first(target, 'select loud from loud_items')).toBe('QUIET');
    expect(
      await first(target, 'select status from information_schema.events where event_schema = database()'),
    ).toBe('DISABLED');
    expect(ddl).not.toContain('DEFINER=');
  });
});
