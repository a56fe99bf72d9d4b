/**
 * One suite, every engine (kysely style): each engine reaches its real database through its real
 * driver — Pagila on PostgreSQL via the Neon driver and the local Neon endpoints, Sakila on
 * MariaDB via the PlanetScale driver and the local PlanetScale endpoint, Chinook on D1.
 */
import { env } from 'cloudflare:workers';
import { afterAll, describe, expect, it } from 'vitest';
import { createEngine, type EngineConfig } from '../../../worker/engines/create-engine.ts';
import { type Engine, EngineError } from '../../../worker/engines/engine.ts';
import { chinook, pagila, sakila, scratch, uniqueTable } from './fixtures.ts';

interface Case {
  config: EngineConfig;
  version: RegExp;
  byId: { sql: string; params: unknown[]; rows: unknown[][] };
  count: { sql: string; n: number };
  stream: { sql: string; n: number };
  /** A statement that sleeps ~5 s; engines without one (D1) have none. */
  sleep?: string;
  createTable: (t: string) => string;
  insert: (t: string) => string;
  syntaxError: { sql: string; dbCode: string };
}

const cases: Case[] = [
  {
    config: pagila,
    version: /^PostgreSQL \d+/,
    byId: {
      sql: 'select actor_id, first_name, last_name from actor where actor_id = $1',
      params: [1],
      rows: [[1, 'PENELOPE', 'GUINESS']],
    },
    count: { sql: 'select count(*) from film', n: 1000 },
    stream: { sql: 'select rental_id, rental_date from rental order by rental_id', n: 16044 },
    sleep: 'select pg_sleep(5)',
    createTable: (t) => `create table ${t} (id int primary key, label text)`,
    insert: (t) => `insert into ${t} (id, label) values ($1, $2)`,
    syntaxError: { sql: 'select * fromm film', dbCode: '42601' },
  },
  {
    config: sakila,
    version: /^MariaDB \d+/,
    byId: {
      sql: 'select actor_id, first_name, last_name from actor where actor_id = ?',
      params: [1],
      rows: [[1, 'PENELOPE', 'GUINESS']],
    },
    count: { sql: 'select count(*) from film', n: 1000 },
    stream: { sql: 'select rental_id, rental_date from rental order by rental_id', n: 16044 },
    sleep: 'select sleep(5)',
    createTable: (t) => `create table ${t} (id int primary key, label text)`,
    insert: (t) => `insert into ${t} (id, label) values (?, ?)`,
    syntaxError: { sql: 'select * fromm film', dbCode: '1064' },
  },
  {
    config: chinook,
    version: /^SQLite \(Cloudflare D1\)$/,
    byId: { sql: 'select ArtistId, Name from Artist where ArtistId = ?', params: [1], rows: [[1, 'AC/DC']] },
    count: { sql: 'select count(*) from Track', n: 3503 },
    stream: { sql: 'select TrackId, Name from Track order by TrackId', n: 3503 },
    createTable: (t) => `create table ${t} (id integer primary key, label text)`,
    insert: (t) => `insert into ${t} (id, label) values (?, ?)`,
    syntaxError: { sql: 'select * fromm Track', dbCode: '' },
  },
];

async function failure(p: Promise<unknown>): Promise<EngineError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(EngineError);
  return err as EngineError;
}

describe.each(cases)('$config.engine engine', (c) => {
  const engines: Engine[] = [];
  const open = (config: EngineConfig) => {
    const engine = createEngine(config, env);
    engines.push(engine);
    return engine;
  };
  afterAll(async () => {
    for (const e of engines) await e.close();
  });

  it('tests the connection: latency and server version', async () => {
    const result = await open(c.config).test();
    expect(result.serverVersion).toMatch(c.version);
    expect(result.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it('runs a parameterized query with the expected rows', async () => {
    const result = await open(c.config).query(c.byId.sql, { params: c.byId.params });
    expect(result.rows).toEqual(c.byId.rows);
    expect(result.columns.map((col) => col.name)).toHaveLength(c.byId.rows[0]!.length);
    expect(result.affectedRows).toBeNull();
    expect(result.truncated).toBe(false);
  });

  it('counts the sample data exactly', async () => {
    const result = await open(c.config).query(c.count.sql);
    expect(result.rows).toEqual([[c.count.n]]);
  });

  it('truncates at maxRows and says so', async () => {
    const result = await open(c.config).query(c.stream.sql, { maxRows: 10 });
    expect(result.rows).toHaveLength(10);
    expect(result.truncated).toBe(true);
  });

  it('reports a syntax error as query_error with the database code', async () => {
    const err = await failure(open(c.config).query(c.syntaxError.sql));
    expect(err.code).toBe('query_error');
    if (c.syntaxError.dbCode) expect(err.dbCode).toBe(c.syntaxError.dbCode);
  });

  it('runs a script atomically: a failure halfway leaves nothing behind', async () => {
    const engine = open(scratch[c.config.engine]);
    const table = uniqueTable('atomic');
    // DDL first and alone: MySQL commits implicitly around DDL, so it never belongs in the unit.
    await engine.query(c.createTable(table));
    const err = await failure(
      engine.script([
        { sql: c.insert(table), params: [1, 'first'] },
        { sql: c.insert(table), params: [2, 'second'] },
        { sql: c.insert(table), params: [1, 'duplicate key'] },
      ]),
    );
    expect(err.code).toBe('query_error');
    expect((await engine.query(`select count(*) from ${table}`)).rows).toEqual([[0]]);

    const ok = await engine.script([
      { sql: c.insert(table), params: [1, 'first'] },
      { sql: c.insert(table), params: [2, 'second'] },
      { sql: `select label from ${table} order by id` },
    ]);
    expect(ok.map((r) => r.affectedRows)).toEqual([1, 1, null]);
    expect(ok[2]!.rows).toEqual([['first'], ['second']]);
    await engine.query(`drop table ${table}`);
  });

  it('refuses writes on a read-only query, enforced by the database', async () => {
    const engine = open(scratch[c.config.engine]);
    const table = uniqueTable('ro');
    await engine.query(c.createTable(table));
    const err = await failure(engine.query(c.insert(table), { params: [1, 'x'], readOnly: true }));
    expect(err.code).toBe('read_only_violation');
    const scriptErr = await failure(
      engine.script([{ sql: `select count(*) from ${table}` }, { sql: c.insert(table), params: [2, 'y'] }], {
        readOnly: true,
      }),
    );
    expect(scriptErr.code).toBe('read_only_violation');
    expect((await engine.query(`select count(*) from ${table}`, { readOnly: true })).rows).toEqual([[0]]);
    await engine.query(`drop table ${table}`);
  });

  it('streams a large result in batches', async () => {
    const engine = open(c.config);
    let total = 0;
    let batches = 0;
    let lastId = 0;
    for await (const batch of engine.stream(c.stream.sql, { batchSize: 2000 })) {
      batches++;
      expect(batch.columns).toHaveLength(2);
      for (const row of batch.rows) {
        expect(row[0]).toBeGreaterThan(lastId); // in order, no row twice
        lastId = row[0] as number;
      }
      total += batch.rows.length;
    }
    expect(total).toBe(c.stream.n);
    expect(batches).toBe(Math.ceil((c.stream.n + 1) / 2000));
  });

  if (c.sleep) {
    const sleep = c.sleep;
    it('answers a statement that outlives its timeout with a timeout error', async () => {
      const err = await failure(open(c.config).query(sleep, { timeoutMs: 500 }));
      expect(err.code).toBe('timeout');
    });
  }
});
