/**
 * The D1 REST API and libSQL stand-ins (dev/endpoints/d1-http.ts, libsql-http.ts), driven from
 * Node: D1's documented request and response shapes by raw requests, the Hrana pipeline by the
 * unmodified `@libsql/client`, and both behind the endpoints' secret and token.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@libsql/client/web';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalEndpoints, startLocalEndpoints } from '../../dev/endpoints/index.ts';
import { LOCAL_SQLITE_TOKEN, SqliteFiles } from '../../dev/endpoints/sqlite-files.ts';

let endpoints: LocalEndpoints;
let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'atrium-sqlite-endpoints-'));
  new SqliteFiles(dir).create('scratch');
  endpoints = await startLocalEndpoints({ sqliteDir: dir });
});
afterAll(async () => {
  await endpoints.close();
  rmSync(dir, { recursive: true, force: true });
});

const auth = { authorization: `Bearer ${LOCAL_SQLITE_TOKEN}`, 'content-type': 'application/json' };

async function d1(kind: 'query' | 'raw', body: unknown, database = 'scratch', headers: object = auth) {
  const res = await fetch(`${endpoints.d1Http}/accounts/local/d1/database/${database}/${kind}`, {
    method: 'POST',
    headers: headers as Record<string, string>,
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('D1 REST API', () => {
  it('answers /raw and /query in the documented envelope, one result per statement', async () => {
    await d1('query', { sql: 'create table t1 (id integer primary key, name text, b blob)' });
    const write = await d1('query', { sql: 'insert into t1 (name, b) values (?, ?)', params: ['a', null] });
    expect(write.body).toMatchObject({ success: true, errors: [], messages: [] });
    expect(write.body.result).toMatchObject([
      { success: true, results: [], meta: { changes: 1, last_row_id: 1 } },
    ]);
    await d1('query', { sql: "update t1 set b = x'0102' where id = 1" });
    const raw = await d1('raw', { sql: 'select id, name, b, id as id from t1' });
    expect(raw.body.result).toMatchObject([
      { success: true, results: { columns: ['id', 'name', 'b', 'id'], rows: [[1, 'a', [1, 2], 1]] } },
    ]);
    const objects = await d1('query', { sql: 'select id, name from t1 where id = ?', params: ['1'] });
    expect(objects.body.result).toMatchObject([{ results: [{ id: 1, name: 'a' }] }]);
  });

  it('runs every statement of a text, and a batch as one transaction', async () => {
    const several = await d1('query', {
      sql: 'create table t2 (x int unique); insert into t2 values (1); select x from t2',
    });
    expect((several.body.result as unknown[]).length).toBe(3);
    const failed = await d1('query', {
      batch: [{ sql: 'insert into t2 values (?)', params: ['2'] }, { sql: 'insert into t2 values (1)' }],
    });
    expect(failed.status).toBe(400);
    expect(failed.body).toMatchObject({ success: false, errors: [{ code: 7500 }] });
    expect((failed.body.errors as { message: string }[])[0]?.message).toMatch(
      /UNIQUE constraint failed.*SQLITE_CONSTRAINT/,
    );
    const after = await d1('raw', { sql: 'select count(*) from t2' });
    expect(after.body.result).toMatchObject([{ results: { rows: [[1]] } }]);
  });

  it('refuses what the API refuses: a wrong token, an unknown database, non-string params', async () => {
    const token = await d1('raw', { sql: 'select 1' }, 'scratch', { ...auth, authorization: 'Bearer nope' });
    expect(token.status).toBe(403);
    expect(token.body).toMatchObject({ success: false, errors: [{ code: 10000 }] });
    const missing = await d1('raw', { sql: 'select 1' }, 'no_such');
    expect(missing).toMatchObject({ status: 404, body: { errors: [{ code: 7404 }] } });
    const traversal = await d1('raw', { sql: 'select 1' }, '..%2Fescape');
    expect(traversal.status).toBe(404);
    const numeric = await d1('raw', { sql: 'select ?', params: [1] });
    expect(numeric).toMatchObject({ status: 400, body: { errors: [{ code: 7400 }] } });
  });

  it('is behind the endpoint secret: a wrong one is a 403 before any database', async () => {
    const wrong = endpoints.d1Http.replace(/\/[0-9a-f]{64}\//, `/${'0'.repeat(64)}/`);
    const res = await fetch(`${wrong}/accounts/local/d1/database/scratch/raw`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ sql: 'select 1' }),
    });
    expect(res.status).toBe(403);
  });
});

describe('libSQL Hrana over HTTP', () => {
  const client = (name = 'scratch', authToken = LOCAL_SQLITE_TOKEN) =>
    createClient({ url: `${endpoints.libsql}/${name}/`, authToken, intMode: 'bigint' });

  it('executes statements with typed values through the unmodified client', async () => {
    const c = client();
    await c.execute('create table h1 (id integer primary key, r real, b blob, t text)');
    await c.execute({
      sql: 'insert into h1 values (?, ?, ?, ?)',
      args: [9007199254740993n, 1.5, new Uint8Array([7]), 'x'],
    });
    const r = await c.execute('select id, r, b, t from h1');
    expect(r.columns).toEqual(['id', 'r', 'b', 't']);
    expect(r.rows[0]?.[0]).toBe(9007199254740993n);
    expect(r.rows[0]?.[1]).toBe(1.5);
    expect(new Uint8Array(r.rows[0]?.[2] as ArrayBuffer)).toEqual(new Uint8Array([7]));
    const named = await c.execute({
      sql: 'select t from h1 where id = :id',
      args: { id: 9007199254740993n },
    });
    expect(named.rows[0]?.[0]).toBe('x');
    await expect(c.execute('select 1; select 2')).rejects.toThrow(/more than one statement/);
    c.close();
  });

  it('runs a write batch atomically and a read batch read-only', async () => {
    const c = client();
    await c.execute('create table h2 (x int unique)');
    await expect(
      c.batch(['insert into h2 values (1)', 'insert into h2 values (1)'], 'write'),
    ).rejects.toThrow(/UNIQUE/);
    expect((await c.execute('select count(*) from h2')).rows[0]?.[0]).toBe(0n);
    await expect(c.batch(['select 1', 'insert into h2 values (2)'], 'read')).rejects.toThrow(
      /readonly|read-only/i,
    );
    await c.batch(['insert into h2 values (3)'], 'write');
    expect((await c.execute('select count(*) from h2')).rows[0]?.[0]).toBe(1n);
    c.close();
  });

  it('keeps an interactive transaction across requests by its baton', async () => {
    const c = client();
    await c.execute('create table h3 (x int)');
    const tx = await c.transaction('write');
    await tx.execute('insert into h3 values (1)');
    expect((await tx.execute('select count(*) from h3')).rows[0]?.[0]).toBe(1n);
    await tx.rollback();
    expect((await c.execute('select count(*) from h3')).rows[0]?.[0]).toBe(0n);
    c.close();
  });

  it('refuses a wrong token and an unknown database', async () => {
    const wrong = client('scratch', 'nope');
    await expect(wrong.execute('select 1')).rejects.toThrow(/401/);
    wrong.close();
    const missing = client('no_such');
    await expect(missing.execute('select 1')).rejects.toThrow(/404/);
    missing.close();
  });
});
