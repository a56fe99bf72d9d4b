/**
 * SQLite's HTTP transports against the local stand-ins: D1's REST API (dev/endpoints/d1-http.ts)
 * and a libSQL server through the unmodified `@libsql/client/web` (dev/endpoints/libsql-http.ts).
 * What only these transports do: tokens refused as the services refuse them, values that cross
 * JSON (BLOBs, big integers), the Chinook figures the shared datasets README gives.
 */
import { env } from 'cloudflare:workers';
import { afterAll, describe, expect, it } from 'vitest';
import { localEndpoints } from '../../../../worker/engines/config.ts';
import { createEngine, type EngineConfig } from '../../../../worker/engines/create-engine.ts';
import { type Engine, EngineError } from '../../../../worker/engines/engine.ts';
import { LibsqlHttpTransport } from '../../../../worker/engines/sqlite/libsql-http.ts';
import { d1HttpDb, libsqlDb, uniqueTable } from '../fixtures.ts';

const TOKEN = 'atrium-local-token';

const engines: Engine[] = [];
const open = (config: EngineConfig) => {
  const engine = createEngine(config, env);
  engines.push(engine);
  return engine;
};
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

describe.each([
  { name: 'd1-http', db: d1HttpDb, exactBigints: false },
  { name: 'libsql-http', db: libsqlDb, exactBigints: true },
])('$name', ({ db, exactBigints }) => {
  it('introspects Chinook: 11 tables, 64 columns, 11 foreign keys', async () => {
    const snapshot = await open(db('chinook')).introspect();
    const tables = snapshot.tables.filter((t) => t.kind === 'table');
    expect(tables).toHaveLength(11);
    expect(tables.reduce((n, t) => n + t.columns.length, 0)).toBe(64);
    expect(tables.reduce((n, t) => n + t.foreignKeys.length, 0)).toBe(11);
    expect(tables.find((t) => t.name === 'PlaylistTrack')?.primaryKey?.columns).toEqual([
      'PlaylistId',
      'TrackId',
    ]);
  });

  it('refuses a wrong token with auth_failed, and never echoes it', async () => {
    const config = { ...db('chinook'), password: 'not-the-token-s3cret' };
    const err = await failure(open(config).query('select 1'));
    expect(err.code).toBe('auth_failed');
    expect(err.message).not.toContain('s3cret');
  });

  it('names a missing database as a config problem', async () => {
    const err = await failure(open(db('no_such_db')).query('select 1'));
    expect(err.code).toBe('invalid_config');
  });

  it('round-trips BLOBs, NULLs, floats and integers through parameters and results', async () => {
    const engine = open(db('scratch'));
    const t = uniqueTable('values');
    await engine.query(`create table ${t} (id integer primary key, b blob, r real, n integer, s text)`);
    await engine.query(`insert into ${t} values (1, x'00ff10', 2.5, 9007199254740993, null)`);
    await engine.query(`insert into ${t} (id, r, s) values (?, ?, ?)`, { params: [2, 0.25, 'two'] });
    const { rows } = await engine.query(`select id, b, r, n, s from ${t} order by id`);
    expect(rows[0]).toEqual([
      1,
      { $binary: 'AP8Q' },
      2.5,
      exactBigints ? '9007199254740993' : 9007199254740992,
      null,
    ]);
    expect(rows[1]).toEqual([2, null, 0.25, null, 'two']);
    const found = await engine.query(`select id from ${t} where id = ?`, { params: [2] });
    expect(found.rows).toEqual([[2]]);
    await engine.query(`drop table ${t}`);
  });

  it('reports changed rows and RETURNING rows of a write', async () => {
    const engine = open(db('scratch'));
    const t = uniqueTable('returning');
    await engine.query(`create table ${t} (id integer primary key, label text)`);
    const r = await engine.query(`insert into ${t} (label) values ('a'), ('b') returning id, label`);
    expect(r.affectedRows).toBe(2);
    expect(r.rows).toEqual([
      [1, 'a'],
      [2, 'b'],
    ]);
    await engine.query(`drop table ${t}`);
  });
});

describe('libsql-http transport alone', () => {
  it("runs a read-only batch in libSQL's own read-only transaction: a write is refused by the server", async () => {
    const local = localEndpoints(env);
    const transport = new LibsqlHttpTransport({ url: 'libsql://localhost/scratch', authToken: TOKEN }, local);
    const t = uniqueTable('ro_tx');
    await transport.run({ sql: `create table ${t} (x int)` });
    const err = await failure(transport.batch([{ sql: `insert into ${t} values (1)` }], { readOnly: true }));
    expect(err.code).toBe('read_only_violation');
    expect((await transport.rows({ sql: `select count(*) from ${t}` })).rows).toEqual([[0]]);
    await transport.run({ sql: `drop table ${t}` });
    await transport.close();
  });
});
