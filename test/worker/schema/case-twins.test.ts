/**
 * MariaDB on Linux (`lower_case_table_names=0`) keeps `MixedCase` and `mixedcase` apart, but
 * information_schema compares names case-insensitively: each table must still show its own
 * columns, keys, checks and indexes in the schema API and in the DDL export.
 */
import { env } from 'cloudflare:workers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../../worker/engines/create-engine.ts';
import type { Engine } from '../../../worker/engines/engine.ts';
import type { TableInfo } from '../../../worker/engines/schema-model.ts';
import { api, createOrg, type TestUser } from '../../support/auth.ts';
import { connectionPath, SAKILA } from '../../support/fixtures.ts';
import { saveConnection } from '../../support/team.ts';
import { getJson, sync } from './support.ts';

const name = `Atrium_Case_${crypto.randomUUID().replaceAll('-', '').slice(0, 10)}`;
let owner: TestUser;
let admin: Engine;
let connectionId: string;

beforeAll(async () => {
  ({ owner } = await createOrg());
  admin = createEngine({ ...SAKILA, engine: 'mysql', password: null } as never, env);
  const [setting] = (await admin.query('select @@lower_case_table_names as v')).rows;
  // The whole point is a server that keeps the case of names; anything else is a broken setup.
  expect(Number(setting?.[0])).toBe(0);
  // A twin database whose name differs only in case must not leak into this one's snapshot.
  for (const db of [name, name.toLowerCase()]) await admin.query(`create database \`${db}\``);
  const target = createEngine({ ...SAKILA, engine: 'mysql', password: null, database: name } as never, env);
  try {
    for (const sql of [
      'create table `MixedCase` (id int primary key, code varchar(20) not null, unique key `u_code` (code), check (id > 0))',
      'create table `mixedcase` (a varchar(10), b int, note text, primary key (a, b), key `u_code` (b))',
      'create table `MIXEDCASE` (x int not null, constraint `mc_fk` foreign key (x) references `MixedCase` (id))',
    ]) {
      await target.query(sql);
    }
  } finally {
    await target.close();
  }
  const twin = createEngine(
    { ...SAKILA, engine: 'mysql', password: null, database: name.toLowerCase() } as never,
    env,
  );
  try {
    await twin.query('create table `MixedCase` (other_id bigint primary key)');
  } finally {
    await twin.close();
  }
  connectionId = await saveConnection(owner, 'Case twins', { ...SAKILA, database: name });
  await sync(owner, connectionId);
}, 60_000);

afterAll(async () => {
  for (const db of [name, name.toLowerCase()]) await admin.query(`drop database if exists \`${db}\``);
  await admin.close();
});

const detail = async (table: string) =>
  (
    await getJson<{ table: TableInfo }>(
      owner,
      connectionPath(connectionId, `/schema/tables/${encodeURIComponent(name)}/${encodeURIComponent(table)}`),
    )
  ).table;

describe('MariaDB tables whose names differ only in case', () => {
  it('each keeps its own columns, primary key, uniques, checks and indexes', async () => {
    const upper = await detail('MixedCase');
    expect(upper.columns.map((c) => c.name)).toEqual(['id', 'code']);
    expect(upper.primaryKey?.columns).toEqual(['id']);
    expect(upper.uniques).toEqual([{ name: 'u_code', columns: ['code'] }]);
    expect(upper.checks).toHaveLength(1);
    expect(upper.indexes.map((i) => [i.name, i.parts.map((p) => p.column)])).toEqual([
      ['PRIMARY', ['id']],
      ['u_code', ['code']],
    ]);
    expect(upper.foreignKeys).toEqual([]);

    const lower = await detail('mixedcase');
    expect(lower.columns.map((c) => c.name)).toEqual(['a', 'b', 'note']);
    expect(lower.primaryKey?.columns).toEqual(['a', 'b']);
    expect(lower.uniques).toEqual([]);
    expect(lower.checks).toEqual([]);
    expect(lower.indexes.map((i) => [i.name, i.unique, i.parts.map((p) => p.column)])).toEqual([
      ['PRIMARY', true, ['a', 'b']],
      ['u_code', false, ['b']],
    ]);

    const shout = await detail('MIXEDCASE');
    expect(shout.columns.map((c) => c.name)).toEqual(['x']);
    expect(shout.primaryKey).toBeNull();
    expect(shout.foreignKeys.map((f) => [f.name, f.columns, f.refTable, f.refColumns])).toEqual([
      ['mc_fk', ['x'], 'MixedCase', ['id']],
    ]);
  });

  it('exports DDL that gives each table its own keys', async () => {
    const res = await api(connectionPath(connectionId, '/schema/export?format=ddl'), {
      headers: owner.bearerHeaders,
    });
    expect(res.status).toBe(200);
    const ddl = new TextDecoder().decode(await res.arrayBuffer());
    const create = (table: string) => ddl.match(new RegExp(`CREATE TABLE \`${table}\` \\(([^;]*)\\);`))?.[1];
    expect(create('MixedCase')).toContain('PRIMARY KEY (`id`)');
    expect(create('MixedCase')).not.toContain('other_id');
    expect(create('mixedcase')).toContain('PRIMARY KEY (`a`, `b`)');
    expect(create('mixedcase')).not.toContain('UNIQUE');
    expect(create('MIXEDCASE')).not.toContain('PRIMARY KEY');
    expect(ddl).toContain(
      'ALTER TABLE `MIXEDCASE` ADD CONSTRAINT `mc_fk` FOREIGN KEY (`x`) REFERENCES `MixedCase`',
    );
  });
});
