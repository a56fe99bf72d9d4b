/**
 * Read-only at the protocol level, below any keyword guard: each engine is driven directly with
 * statements and scripts that would leave the read-only transaction (end it, reopen it
 * read-write, or hide a second command in one statement). None may write; each must fail.
 * The guard in worker/queries refuses most of these earlier; this layer is what holds without it.
 */
import { env } from 'cloudflare:workers';
import { afterAll, describe, expect, it } from 'vitest';
import { createEngine, type EngineConfig } from '../../../worker/engines/create-engine.ts';
import { type Engine, EngineError, type Statement } from '../../../worker/engines/engine.ts';
import { d1HttpDb, libsqlDb, scratch, uniqueTable } from './fixtures.ts';

interface Escape {
  name: string;
  /** Statements of a script; `{t}` is the table that must never appear. */
  script: string[];
  /** The code when this layer (not the database's own syntax rules) is what refuses. */
  code?: 'read_only_violation';
}

const pgEscapes: Escape[] = [
  { name: 'several commands in one statement', script: ['select 1; commit; create table {t} (x int)'] },
  { name: 'commands hidden after a comment', script: ['/* x */ select 1;\ncommit;create table {t} (x int)'] },
  {
    name: 'commit, then write',
    script: ['select 1', 'commit', 'create table {t} (x int)'],
    code: 'read_only_violation',
  },
  { name: 'END, then write', script: ['end', 'create table {t} (x int)'], code: 'read_only_violation' },
  {
    name: 'rollback, then write',
    script: ['ROLLBACK', 'create table {t} (x int)'],
    code: 'read_only_violation',
  },
  { name: 'abort, then write', script: ['abort', 'create table {t} (x int)'], code: 'read_only_violation' },
  {
    name: 'commit and chain, then read write',
    // The check after each statement takes the chained transaction's first snapshot, so the
    // server itself refuses the switch to read write (25001).
    script: ['commit and chain', 'set transaction read write', 'create table {t} (x int)'],
  },
  {
    name: 'set transaction read write first',
    script: ['set transaction read write', 'create table {t} (x int)'],
  },
  {
    name: 'transaction_read_only off',
    script: ['set transaction_read_only = off', 'create table {t} (x int)'],
  },
  {
    name: 'session characteristics, then commit',
    script: ['set session characteristics as transaction read write', 'commit', 'create table {t} (x int)'],
    code: 'read_only_violation',
  },
  {
    name: 'default_transaction_read_only, then commit',
    script: ['set default_transaction_read_only = off', 'commit', 'create table {t} (x int)'],
    code: 'read_only_violation',
  },
  { name: 'commit inside a DO block', script: ['do $$ begin commit; end $$', 'create table {t} (x int)'] },
  { name: 'prepare transaction', script: ["prepare transaction 'atrium'", 'create table {t} (x int)'] },
  { name: 'write in a CTE', script: ['with w as (insert into {t} values (1) returning *) select * from w'] },
  { name: 'create alone', script: ['create table {t} (x int)'], code: 'read_only_violation' },
];

const mysqlEscapes: Escape[] = [
  { name: 'several statements in one', script: ['select 1; commit; create table {t} (x int)'] },
  {
    name: 'commit, then write',
    script: ['select 1', 'commit', 'create table {t} (x int)'],
    code: 'read_only_violation',
  },
  {
    name: 'rollback, then write',
    script: ['rollback', 'create table {t} (x int)'],
    code: 'read_only_violation',
  },
  {
    name: 'autocommit on, then write',
    script: ['set autocommit = 1', 'create table {t} (x int)'],
    code: 'read_only_violation',
  },
  {
    name: 'session read write, then commit',
    script: ['SET SESSION TRANSACTION READ WRITE', 'commit', 'create table {t} (x int)'],
    code: 'read_only_violation',
  },
  {
    name: 'tx_read_only off',
    script: ['set session tx_read_only = 0', 'create table {t} (x int)'],
    code: 'read_only_violation',
  },
  { name: 'begin, then write', script: ['begin', 'create table {t} (x int)'] },
  {
    name: 'start transaction read write',
    script: ['start transaction read write', 'create table {t} (x int)'],
  },
  { name: 'DDL commits implicitly', script: ['create table {t} (x int)'], code: 'read_only_violation' },
  { name: 'lock tables', script: ['lock tables actor read', 'create table {t} (x int)'] },
  { name: 'xa start', script: ["xa start 'atrium'", 'create table {t} (x int)'] },
];

// D1 checks every statement's compiled program before a script runs, so none of these starts.
// D1 checks every statement's compiled program before a script runs, so none of these starts;
// it runs every statement of a prepared text, so a text holding two is refused before D1 sees it.
const sqliteEscapes: Escape[] = [
  { name: 'several statements in one', script: ['select 1; create table {t} (x int)'] },
  { name: 'a second statement after a comment', script: ["select ';' -- ;\n; create table {t} (x int)"] },
  { name: 'commit, then write', script: ['select 1', 'commit', 'create table {t} (x int)'] },
  { name: 'query_only off, then write', script: ['pragma query_only = 0', 'create table {t} (x int)'] },
  { name: 'begin, then write', script: ['begin', 'create table {t} (x int)'] },
  { name: 'create alone', script: ['create table {t} (x int)'], code: 'read_only_violation' },
];

const engines: Engine[] = [];
afterAll(async () => {
  for (const e of engines) await e.close();
});

async function failure(p: Promise<unknown>): Promise<EngineError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(EngineError);
  return err as EngineError;
}

interface Target {
  engine: 'postgres' | 'mysql' | 'sqlite';
  /** A transport other than the engine's scratch default. */
  config?: EngineConfig;
  escapes: Escape[];
  exists: string;
}

const sqliteExists = "select count(*) > 0 from sqlite_master where name = '{t}'";

const targets: Target[] = [
  { engine: 'postgres', escapes: pgEscapes, exists: "select to_regclass('{t}') is not null" },
  {
    engine: 'mysql',
    escapes: mysqlEscapes,
    exists:
      "select count(*) > 0 from information_schema.tables where table_schema = database() and table_name = '{t}'",
  },
  { engine: 'sqlite', escapes: sqliteEscapes, exists: sqliteExists },
  // The same PostgreSQL and MySQL engines over TCP (`pg` and `mysql2` straight to the servers),
  // and PostgreSQL over Neon's WebSocket only (one-shots as portals on a shared session).
  {
    engine: 'postgres',
    config: { ...scratch.postgres, transport: 'neon-ws' },
    escapes: pgEscapes,
    exists: "select to_regclass('{t}') is not null",
  },
  {
    engine: 'postgres',
    config: { ...scratch.postgres, transport: 'tcp' },
    escapes: pgEscapes,
    exists: "select to_regclass('{t}') is not null",
  },
  {
    engine: 'mysql',
    config: { ...scratch.mysql, transport: 'tcp' },
    escapes: mysqlEscapes,
    exists:
      "select count(*) > 0 from information_schema.tables where table_schema = database() and table_name = '{t}'",
  },
  // The same SQLite engine over D1's REST API and libSQL (local stand-ins that, like D1, run every
  // statement of a text they are sent, so only the engine's checks stand between these and a write).
  { engine: 'sqlite', config: d1HttpDb('scratch'), escapes: sqliteEscapes, exists: sqliteExists },
  { engine: 'sqlite', config: libsqlDb('scratch'), escapes: sqliteEscapes, exists: sqliteExists },
  // A hosted database: its Durable Object also refuses writes on read-only calls by itself.
  {
    engine: 'sqlite',
    config: { engine: 'sqlite', transport: 'hosted', database: 'read-only-scratch' },
    escapes: sqliteEscapes,
    exists: sqliteExists,
  },
];

describe.each(targets)('$engine $config.transport: read-only runs cannot leave read-only', (target) => {
  const { engine: name, config, escapes, exists } = target;
  const engine = createEngine(config ?? scratch[name], env);
  engines.push(engine);
  const tableExists = async (t: string) => {
    const { rows } = await engine.query(exists.replaceAll('{t}', t));
    return Boolean(Number(rows[0]![0]));
  };

  it.each(escapes)('script: $name', async (e) => {
    const t = uniqueTable('ro_escape');
    const statements: Statement[] = e.script.map((sql) => ({ sql: sql.replaceAll('{t}', t) }));
    const err = await failure(engine.script(statements, { readOnly: true }));
    if (e.code) expect(err.code).toBe(e.code);
    expect(await tableExists(t)).toBe(false);
  });

  it.each(escapes.filter((e) => e.script.length === 1))('query: $name', async (e) => {
    const t = uniqueTable('ro_escape');
    await failure(engine.query(e.script[0]!.replaceAll('{t}', t), { readOnly: true, maxRows: 10 }));
    expect(await tableExists(t)).toBe(false);
  });

  it('stream: a second command after the query is refused', async () => {
    const t = uniqueTable('ro_escape');
    const read = async () => {
      for await (const _ of engine.stream(`select 1; create table ${t} (x int)`)) {
        // draining is the point
      }
    };
    await failure(read());
    expect(await tableExists(t)).toBe(false);
  });

  it('a read-only script that stays read-only still answers', async () => {
    const results = await engine.script([{ sql: 'select 1' }, { sql: 'select 2' }], { readOnly: true });
    expect(results.map((r) => r.rows)).toEqual([[[1]], [[2]]]);
  });
});
