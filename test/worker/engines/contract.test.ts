/**
 * One suite, every engine and every transport (kysely and drizzle style): each engine reaches its
 * real database through its real driver — Pagila on PostgreSQL via the Neon driver (local Neon
 * endpoints), via `pg` over TCP and via a Hyperdrive binding (miniflare's local mode); Sakila on
 * MariaDB via the PlanetScale driver (local endpoint), via `mysql2` over TCP and via Hyperdrive;
 * Chinook on D1, over D1's REST API, over libSQL and in a hosted Durable Object. Every case runs the same assertions; what a transport cannot do is in `skip`,
 * each entry with its reason.
 */
import { env } from 'cloudflare:workers';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createEngine, type EngineConfig } from '../../../worker/engines/create-engine.ts';
import { type Engine, EngineError } from '../../../worker/engines/engine.ts';
import { importDump } from '../../../worker/hosted-sqlite/dump-import.ts';
import {
  chinook,
  d1HttpDb,
  libsqlDb,
  ownTableSelect,
  pagila,
  sakila,
  scratch,
  uniqueTable,
} from './fixtures.ts';

type Check = 'sleep' | 'stream1m';

/** The million-row MariaDB table, in a database of its own that this file creates and drops. */
const MILLION = { schema: uniqueTable('atrium_ps1m'), table: 'million' };

interface Case {
  /** How the case is named in the report: `postgres over tcp`. */
  label: string;
  config: EngineConfig;
  /** The writable database on the same server and transport. */
  scratch: EngineConfig;
  /** Checks this transport cannot run, and why (in the comment where the case is built). */
  skip?: readonly Check[];
  version: RegExp;
  byId: { sql: string; params: unknown[]; rows: unknown[][] };
  count: { sql: string; n: number };
  stream: { sql: string; n: number };
  /** A statement that sleeps ~5 s; engines without one (D1) have none. */
  sleep?: string;
  /**
   * A million rows `(id, label)`, ids 1… in order: a query (`ownText` false), or Atrium's own
   * whole-table SELECT of the million-row table `MILLION` (`ownText` true), as a table export sends it.
   */
  million?: { sql: string; ownText: boolean };
  createTable: (t: string) => string;
  insert: (t: string) => string;
  syntaxError: { sql: string; dbCode: string };
}

/** One engine's assertions, shared by its transports. */
type EngineCase = Omit<Case, 'label' | 'config' | 'scratch' | 'skip'>;

const postgresCase: EngineCase = {
  version: /^PostgreSQL \d+/,
  byId: {
    sql: 'select actor_id, first_name, last_name from actor where actor_id = $1',
    params: [1],
    rows: [[1, 'PENELOPE', 'GUINESS']],
  },
  count: { sql: 'select count(*) from film', n: 1000 },
  stream: { sql: 'select rental_id, rental_date from rental order by rental_id', n: 16044 },
  sleep: 'select pg_sleep(5)',
  million: {
    sql: 'select g as id, md5(g::text) as label from generate_series(1, 1000000) g',
    ownText: false,
  },
  createTable: (t) => `create table ${t} (id int primary key, label text)`,
  insert: (t) => `insert into ${t} (id, label) values ($1, $2)`,
  syntaxError: { sql: 'select * fromm film', dbCode: '42601' },
};

const mysqlCase: EngineCase = {
  version: /^MariaDB \d+/,
  byId: {
    sql: 'select actor_id, first_name, last_name from actor where actor_id = ?',
    params: [1],
    rows: [[1, 'PENELOPE', 'GUINESS']],
  },
  count: { sql: 'select count(*) from film', n: 1000 },
  stream: { sql: 'select rental_id, rental_date from rental order by rental_id', n: 16044 },
  sleep: 'select sleep(5)',
  // A table export, which over HTTP pages by key (mysql-keyset.ts), over TCP reads one statement.
  million: { sql: ownTableSelect('mysql', MILLION.schema, MILLION.table, ['id']), ownText: true },
  createTable: (t) => `create table ${t} (id int primary key, label text)`,
  insert: (t) => `insert into ${t} (id, label) values (?, ?)`,
  syntaxError: { sql: 'select * fromm film', dbCode: '1064' },
};

const tcp = (config: EngineConfig): EngineConfig => ({ ...config, transport: 'tcp' });
const hyperdrive = (engine: 'postgres' | 'mysql', binding: string): EngineConfig => ({
  engine,
  transport: 'hyperdrive',
  hyperdrive: binding,
});

function sqliteHttpCase(transport: string, db: (name: string) => EngineConfig, version: RegExp): Case {
  return {
    label: `sqlite over ${transport}`,
    config: db('chinook'),
    scratch: db('scratch'),
    skip: ['sleep', 'stream1m'],
    version,
    byId: { sql: 'select ArtistId, Name from Artist where ArtistId = ?', params: [1], rows: [[1, 'AC/DC']] },
    count: { sql: 'select count(*) from Track', n: 3503 },
    stream: { sql: 'select TrackId, Name from Track order by TrackId', n: 3503 },
    createTable: (t) => `create table ${t} (id integer primary key, label text)`,
    insert: (t) => `insert into ${t} (id, label) values (?, ?)`,
    syntaxError: { sql: 'select * fromm Track', dbCode: '' },
  };
}

const cases: Case[] = [
  // The 1M-row stream runs once, over TCP (8 s here): Neon streams through the same engine code
  // over its WebSocket session, which the 16k-row `stream` check covers.
  {
    label: 'postgres over neon-http',
    config: pagila,
    scratch: scratch.postgres,
    skip: ['stream1m'],
    ...postgresCase,
  },
  {
    label: 'postgres over neon-ws',
    config: { ...pagila, transport: 'neon-ws' },
    scratch: { ...scratch.postgres, transport: 'neon-ws' },
    skip: ['stream1m'],
    ...postgresCase,
  },
  { label: 'postgres over tcp', config: tcp(pagila), scratch: tcp(scratch.postgres), ...postgresCase },
  {
    label: 'postgres over hyperdrive',
    config: hyperdrive('postgres', 'HD_PAGILA'),
    scratch: hyperdrive('postgres', 'HD_PG_SCRATCH'),
    // The same pg-tcp transport as the tcp case streams the million; here it would add 12 s of CI.
    skip: ['stream1m'],
    ...postgresCase,
  },
  { label: 'mysql over planetscale-http', config: sakila, scratch: scratch.mysql, ...mysqlCase },
  { label: 'mysql over tcp', config: tcp(sakila), scratch: tcp(scratch.mysql), ...mysqlCase },
  {
    label: 'mysql over hyperdrive',
    config: hyperdrive('mysql', 'HD_SAKILA'),
    scratch: hyperdrive('mysql', 'HD_MYSQL_SCRATCH'),
    // The same mysql2 transport as the tcp case streams the million.
    skip: ['stream1m'],
    ...mysqlCase,
  },
  // D1 has no sleep statement and its stream reads a bounded subquery per batch.
  {
    label: 'sqlite over d1-binding',
    config: chinook,
    scratch: chinook,
    skip: ['sleep', 'stream1m'],
    version: /^SQLite \(Cloudflare D1\)$/,
    byId: { sql: 'select ArtistId, Name from Artist where ArtistId = ?', params: [1], rows: [[1, 'AC/DC']] },
    count: { sql: 'select count(*) from Track', n: 3503 },
    stream: { sql: 'select TrackId, Name from Track order by TrackId', n: 3503 },
    createTable: (t) => `create table ${t} (id integer primary key, label text)`,
    insert: (t) => `insert into ${t} (id, label) values (?, ?)`,
    syntaxError: { sql: 'select * fromm Track', dbCode: '' },
  },
  // D1's REST API and libSQL over HTTP, to the local stand-ins (dev/endpoints) over a Chinook file;
  // the same SQLite engine as the binding, so the same skips.
  sqliteHttpCase('d1-http', d1HttpDb, /^SQLite \(Cloudflare D1 over HTTP\)$/),
  sqliteHttpCase('libsql-http', libsqlDb, /^SQLite 3[\d.]+ \(libSQL\)$/),
  // A database hosted by Atrium in a Durable Object's storage, loaded below from a `sqlite3 .dump`
  // of Chinook through the hosted-database import; the same SQLite engine, so the same skips.
  sqliteHttpCase('hosted', hostedDb, /^SQLite \(Atrium-hosted Durable Object\)$/),
];

/** The hosted object named `contract-<name>` (objects are per test file, so names repeat safely). */
function hostedDb(name: string): EngineConfig {
  return { engine: 'sqlite', transport: 'hosted', database: `contract-${name}` };
}

beforeAll(async () => {
  // One set-based statement from MariaDB's Sequence engine (`seq_1_to_N`, a virtual table).
  const mysql = createEngine(tcp(scratch.mysql), env);
  try {
    await mysql.query(`create database ${MILLION.schema}`);
    await mysql.query(
      `create table ${MILLION.schema}.${MILLION.table} (id int primary key, label char(32) not null)`,
    );
    await mysql.query(
      `insert into ${MILLION.schema}.${MILLION.table} select seq, md5(seq) from seq_1_to_1000000`,
      { timeoutMs: 120_000 },
    );
  } finally {
    await mysql.close();
  }
}, 150_000);

afterAll(async () => {
  const mysql = createEngine(tcp(scratch.mysql), env);
  await mysql.query(`drop database if exists ${MILLION.schema}`).finally(() => mysql.close());
});

beforeAll(async () => {
  const body = new Blob([inject('chinookDump')]).stream();
  for await (const event of importDump(env, hostedDb('chinook').database!, body)) {
    if (event.type === 'failed' || (event.type === 'done' && event.failed > 0)) {
      throw new Error(`loading Chinook into the hosted object: ${JSON.stringify(event)}`);
    }
  }
});

async function failure(p: Promise<unknown>): Promise<EngineError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(EngineError);
  return err as EngineError;
}

describe.each(cases)('$label', (c) => {
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
    const engine = open(c.scratch);
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
    const engine = open(c.scratch);
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

  if (c.sleep && !c.skip?.includes('sleep')) {
    const sleep = c.sleep;
    it('answers a statement that outlives its timeout with a timeout error', async () => {
      const err = await failure(open(c.config).query(sleep, { timeoutMs: 500 }));
      expect(err.code).toBe('timeout');
    });
  }

  if (c.million && !c.skip?.includes('stream1m')) {
    const { sql, ownText } = c.million;
    it('streams a million rows in order with flat batches', async () => {
      let total = 0;
      let last = 0;
      const started = Date.now();
      for await (const batch of open(c.config).stream(sql, { batchSize: 10_000, ownText })) {
        expect(batch.rows.length).toBeLessThanOrEqual(10_000);
        expect(batch.columns.map((col) => col.name)).toEqual(['id', 'label']);
        expect(batch.rows[0]?.[0] ?? last + 1).toBe(last + 1);
        last = (batch.rows.at(-1)?.[0] as number | undefined) ?? last;
        total += batch.rows.length;
      }
      expect(total).toBe(1_000_000);
      expect(last).toBe(1_000_000);
      // A note for the log (never asserted): how fast this transport streams.
      const seconds = (Date.now() - started) / 1000;
      console.warn(`${c.label}: 1M rows in ${seconds.toFixed(1)} s (${Math.round(1e6 / seconds)} rows/s)`);
    }, 90_000);
  }
});
