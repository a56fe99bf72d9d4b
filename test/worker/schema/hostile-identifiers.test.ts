/**
 * Names that break naive SQL building — quotes, backticks, brackets, spaces, dots, a slash,
 * unicode, reserved words, maximum-length names — made in the scratch databases, synced,
 * and read back through the API byte for byte.
 */
import { env } from 'cloudflare:workers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../../worker/engines/create-engine.ts';
import type { Engine } from '../../../worker/engines/engine.ts';
import type { SchemaSnapshot, TableInfo } from '../../../worker/engines/schema-model.ts';
import { api, createOrg, type TestUser } from '../../support/auth.ts';
import { CHINOOK_ID, connectionPath, SCRATCH } from '../../support/fixtures.ts';
import { saveConnection } from '../../support/team.ts';
import { getJson, sync } from './support.ts';

const tag = crypto.randomUUID().slice(0, 8);
let owner: TestUser;

beforeAll(async () => {
  ({ owner } = await createOrg());
});

const pgId = (name: string) => `"${name.replaceAll('"', '""')}"`;
const myId = (name: string) => `\`${name.replaceAll('`', '``')}\``;
const lit = (s: string) => `'${s.replaceAll("'", "''")}'`;

async function snapshotOf(connectionId: string) {
  return getJson<SchemaSnapshot>(owner, connectionPath(connectionId, '/schema/export?format=json'));
}

/** Reads a table through the detail route, names travelling as URL path segments. */
async function detail(connectionId: string, schema: string, table: string) {
  const url = connectionPath(
    connectionId,
    `/schema/tables/${encodeURIComponent(schema)}/${encodeURIComponent(table)}`,
  );
  return getJson<{ table: TableInfo }>(owner, url);
}

describe('PostgreSQL', () => {
  const schema = `Sch "ema".ü/${tag}`;
  const other = `other ${tag}`;
  const long = `l${'o'.repeat(54)}${tag}`; // 63 bytes: NAMEDATALEN - 1
  const names = {
    quote: 'quo"te',
    backtick: 'back`tick',
    spaced: 'with space',
    dotted: 'dot.ted',
    unicode: 'ünïcødé_表_🐘',
    reserved: 'select',
    mixed: 'MixedCase',
    long,
  };
  let engine: Engine;
  let connectionId: string;

  beforeAll(async () => {
    engine = createEngine({ ...SCRATCH.postgres, engine: 'postgres', password: null } as never, env);
    const s = pgId(schema);
    const o = pgId(other);
    await engine.script(
      [
        `create schema ${s}`,
        `create schema ${o}`,
        `create table ${o}.${pgId(names.reserved)} (${pgId('from')} int, ${pgId('to')} text, primary key (${pgId('from')}, ${pgId('to')}))`,
        `create table ${s}.${pgId(names.quote)} (
          ${pgId('id "x"')} int generated always as identity primary key,
          ${pgId(names.backtick)} text not null default 'it''s',
          ${pgId(names.unicode)} numeric(12,3) check (${pgId(names.unicode)} > 0),
          ${pgId(names.long)} text,
          ${pgId('a')} int, ${pgId('b')} text,
          ${pgId('twice')} int generated always as (${pgId('a')} * 2) stored,
          constraint ${pgId('fk "cross" schema')} foreign key (${pgId('a')}, ${pgId('b')})
            references ${o}.${pgId(names.reserved)} (${pgId('from')}, ${pgId('to')}) on delete cascade on update set null
        )`,
        `create table ${s}.${pgId(names.long)} (${pgId(names.spaced)} int primary key, ${pgId(names.dotted)} text)`,
        `create table ${s}.${pgId(names.mixed)} (${pgId('Id')} int, ${pgId('id')} int, ${pgId('50%_off')} int)`,
        `create unique index ${pgId('partial "idx"')} on ${s}.${pgId(names.quote)} (${pgId(names.backtick)}) where ${pgId('a')} is not null`,
        `create index ${pgId('expr idx')} on ${s}.${pgId(names.quote)} (lower(${pgId(names.backtick)}) desc)`,
        `comment on table ${s}.${pgId(names.quote)} is ${lit("table's comment; -- not SQL")}`,
        `comment on column ${s}.${pgId(names.quote)}.${pgId(names.unicode)} is ${lit('ünï "comment"')}`,
        // Extension-owned objects (a view and functions here) are not the user's schema.
        `create extension if not exists pg_buffercache schema ${s}`,
        `create view ${s}.${pgId('view.of "quotes"')} as select ${pgId('id "x"')}, ${pgId(names.backtick)} from ${s}.${pgId(names.quote)}`,
      ].map((sql) => ({ sql })),
    );
    connectionId = await saveConnection(owner, `PG hostile ${tag}`, SCRATCH.postgres);
    await sync(owner, connectionId);
  });

  afterAll(async () => {
    await engine.query(`drop schema if exists ${pgId(schema)}, ${pgId(other)} cascade`);
    await engine.close();
  });

  it('lists every name exactly', async () => {
    const snap = await snapshotOf(connectionId);
    expect(snap.namespaces.map((n) => n.name)).toEqual(expect.arrayContaining([schema, other]));
    const mine = snap.tables.filter((t) => t.schema === schema).map((t) => t.name);
    expect(mine.sort()).toEqual([names.long, names.mixed, names.quote, 'view.of "quotes"'].sort());
    expect(snap.tables.find((t) => t.name === names.long)?.columns.map((c) => c.name)).toEqual([
      names.spaced,
      names.dotted,
    ]);
    expect(snap.tables.find((t) => t.name === names.mixed)?.columns.map((c) => c.name)).toEqual([
      'Id',
      'id',
      '50%_off',
    ]);
  });

  it('reads keys, defaults, checks, comments and indexes back exactly', async () => {
    const { table } = await detail(connectionId, schema, names.quote);
    expect(table.comment).toBe("table's comment; -- not SQL");
    expect(table.columns.map((c) => c.name)).toEqual([
      'id "x"',
      names.backtick,
      names.unicode,
      long,
      'a',
      'b',
      'twice',
    ]);
    const col = (n: string) => table.columns.find((c) => c.name === n)!;
    expect(col('id "x"')).toMatchObject({ identity: 'always', nullable: false });
    expect(col(names.backtick)).toMatchObject({ default: "'it''s'::text", nullable: false });
    expect(col(names.unicode)).toMatchObject({ dataType: 'numeric(12,3)', comment: 'ünï "comment"' });
    expect(col('twice').generated).toEqual({ kind: 'stored', expression: '(a * 2)' });
    expect(table.primaryKey?.columns).toEqual(['id "x"']);
    expect(table.foreignKeys).toEqual([
      {
        name: 'fk "cross" schema',
        columns: ['a', 'b'],
        refSchema: other,
        refTable: 'select',
        refColumns: ['from', 'to'],
        onUpdate: 'SET NULL',
        onDelete: 'CASCADE',
      },
    ]);
    expect(table.checks).toHaveLength(1);
    expect(table.checks[0]?.expression).toContain(pgId(names.unicode));
    const partial = table.indexes.find((i) => i.name === 'partial "idx"');
    expect(partial).toMatchObject({ unique: true, predicate: 'a IS NOT NULL' });
    expect(partial?.parts).toEqual([{ column: names.backtick, expression: null, descending: false }]);
    const expr = table.indexes.find((i) => i.name === 'expr idx');
    expect(expr?.parts).toEqual([
      { column: null, expression: `lower(${pgId(names.backtick)})`, descending: true },
    ]);
  });

  it('pages and searches with hostile names', async () => {
    const tree = await getJson<{ items: { name: string }[] }>(
      owner,
      connectionPath(connectionId, `/schema?schema=${encodeURIComponent(schema)}&limit=2`),
    );
    expect(tree.items.map((t) => t.name)).toEqual(
      // Binary order: upper case before lower case.
      [names.mixed, names.long],
    );
    const hits = await getJson<{ items: { type: string; table: string | null; column: string | null }[] }>(
      owner,
      connectionPath(connectionId, `/schema/search?q=${encodeURIComponent('id "x')}`),
    );
    expect(hits.items).toContainEqual(
      expect.objectContaining({ type: 'column', table: names.quote, column: 'id "x"' }),
    );
    // LIKE wildcards in the query are literal characters: only names containing "%_" match.
    const wild = await getJson<{
      items: { type: string; schema: string; table: string | null; column: string | null }[];
    }>(owner, connectionPath(connectionId, `/schema/search?q=${encodeURIComponent('%_')}&limit=200`));
    expect(wild.items).toContainEqual(
      expect.objectContaining({ schema, table: names.mixed, column: '50%_off' }),
    );
    for (const hit of wild.items) expect(hit.column ?? hit.table ?? hit.schema).toContain('%_');
  });
});

describe('MariaDB', () => {
  const prefix = `h${tag}`;
  const t1 = `${prefix} quo"te\`back.tick ü表`;
  const t2 = `${prefix}select`;
  const longColumn = `c${'x'.repeat(63 - tag.length)}${tag}`; // 64 characters, MariaDB's maximum
  let engine: Engine;
  let connectionId: string;

  beforeAll(async () => {
    engine = createEngine({ ...SCRATCH.mysql, engine: 'mysql', password: null } as never, env);
    await engine.query(
      `create table ${myId(t2)} (${myId('from')} int primary key, ${myId('to')} varchar(10) unique)`,
    );
    await engine.query(
      `create table ${myId(t1)} (
        ${myId('id `x`')} int auto_increment primary key,
        ${myId('"quoted" name')} varchar(20) not null default 'it''s' comment 'ü "c"',
        ${myId(longColumn)} int check (${myId(longColumn)} > 0),
        ${myId('ref')} int,
        ${myId('n')} int,
        ${myId('twice')} int as (${myId('n')} * 2) stored,
        constraint ${myId('fk.`x`')} foreign key (${myId('ref')}) references ${myId(t2)} (${myId('from')}) on delete set null
      ) comment 'tbl ''c'''`,
    );
    connectionId = await saveConnection(owner, `MySQL hostile ${tag}`, SCRATCH.mysql);
    await sync(owner, connectionId);
  });

  afterAll(async () => {
    await engine.query(`drop table if exists ${myId(t1)}, ${myId(t2)}`);
    await engine.close();
  });

  it('reads names, keys and defaults back exactly', async () => {
    const { table } = await detail(connectionId, 'atrium_test', t1);
    expect(table.name).toBe(t1);
    expect(table.comment).toBe("tbl 'c'");
    expect(table.columns.map((c) => c.name)).toEqual([
      'id `x`',
      '"quoted" name',
      longColumn,
      'ref',
      'n',
      'twice',
    ]);
    expect(table.columns[0]).toMatchObject({ identity: 'auto_increment' });
    expect(table.columns[1]).toMatchObject({ default: "'it''s'", comment: 'ü "c"', nullable: false });
    expect(table.columns[5]?.generated).toMatchObject({ kind: 'stored' });
    expect(table.foreignKeys).toEqual([
      {
        name: 'fk.`x`',
        columns: ['ref'],
        refSchema: 'atrium_test',
        refTable: t2,
        refColumns: ['from'],
        onUpdate: 'RESTRICT',
        onDelete: 'SET NULL',
      },
    ]);
    expect(table.checks.map((c) => c.expression)).toEqual([expect.stringContaining(longColumn)]);
    const { table: reserved } = await detail(connectionId, 'atrium_test', t2);
    expect(reserved.uniques).toEqual([{ name: 'to', columns: ['to'] }]);
  });
});

describe('D1 / SQLite', () => {
  const t = `quo"te [brack]et \`tick\` ü表 ${tag}`;
  const parent = 'select';

  beforeAll(async () => {
    const q = (n: string) => `"${n.replaceAll('"', '""')}"`;
    await env.DEMO_DB.batch([
      env.DEMO_DB.prepare(
        `create table ${q(parent)} (${q('from')} integer primary key autoincrement, ${q('to')} text unique)`,
      ),
      env.DEMO_DB.prepare(
        `create table ${q(t)} (
          ${q('id "x"')} text not null,
          [b] integer check ([b] > 0) default (1 + 1),
          \`weird, name\` text,
          ${q('twice')} integer generated always as ([b] * 2) virtual,
          constraint ${q('pk "t"')} primary key (${q('id "x"')}, [b]),
          constraint [fk to select] foreign key ([b]) references ${q(parent)} on delete cascade,
          constraint ck check (length(\`weird, name\`) < 10)
        )`,
      ),
      env.DEMO_DB.prepare(
        `create index ${q('partial, idx')} on ${q(t)} (lower(\`weird, name\`) desc, [b]) where [b] > 2`,
      ),
    ]);
    await sync(owner, CHINOOK_ID);
  });

  afterAll(async () => {
    await env.DEMO_DB.exec(
      `drop table if exists "${t.replaceAll('"', '""')}"; drop table if exists "select";`,
    );
  });

  it('reads what SQLite keeps only in the CREATE text', async () => {
    const { table } = await detail(CHINOOK_ID, 'main', t);
    expect(table.columns.map((c) => c.name)).toEqual(['id "x"', 'b', 'weird, name', 'twice']);
    expect(table.primaryKey).toEqual({ name: 'pk "t"', columns: ['id "x"', 'b'] });
    // SQLite reports declared types upper-cased.
    expect(table.columns[1]).toMatchObject({ default: '1 + 1', dataType: 'INTEGER' });
    expect(table.columns[3]?.generated).toEqual({ kind: 'virtual', expression: '[b] * 2' });
    expect(table.foreignKeys).toEqual([
      {
        name: 'fk to select',
        columns: ['b'],
        refSchema: 'main',
        refTable: 'select',
        refColumns: ['from'],
        onUpdate: 'NO ACTION',
        onDelete: 'CASCADE',
      },
    ]);
    expect(table.checks).toEqual([
      { name: null, expression: '([b] > 0)' },
      { name: 'ck', expression: '(length(`weird, name`) < 10)' },
    ]);
    const index = table.indexes.find((i) => i.name === 'partial, idx');
    expect(index?.predicate).toBe('[b] > 2');
    expect(index?.parts).toEqual([
      { column: null, expression: 'lower(`weird, name`)', descending: true },
      { column: 'b', expression: null, descending: false },
    ]);
    const { table: reserved } = await detail(CHINOOK_ID, 'main', parent);
    expect(reserved.columns[0]).toMatchObject({ identity: 'auto_increment', nullable: false });
    expect(reserved.uniques).toEqual([{ name: null, columns: ['to'] }]);
  });

  it('answers 404 for a table that does not exist', async () => {
    const res = await api(connectionPath(CHINOOK_ID, '/schema/tables/main/nope'), {
      headers: owner.bearerHeaders,
    });
    expect(res.status).toBe(404);
  });
});
