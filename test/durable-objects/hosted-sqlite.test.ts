/**
 * The hosted SQLite object on its own, over RPC as the Worker reaches it: read-only calls are
 * refused by the database (EXPLAIN, then a transaction rolled back if anything was written),
 * dump batches report each refused statement's line and go on, foreign keys are off only while
 * a batch runs, and dropping wipes the storage.
 */
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { hostedSqliteEngine } from '../../worker/engines/sqlite/hosted-do.ts';

const stubOf = (name: string) => env.HOSTED_SQLITE.get(env.HOSTED_SQLITE.idFromName(name));
const unique = () => `hosted-test-${crypto.randomUUID()}`;
/** An RPC call's rejection message (RPC promises rejected inside `expect().rejects` go unhandled). */
const failure = async (call: () => Promise<unknown>): Promise<string> => {
  try {
    await call();
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
  throw new Error('expected the call to fail');
};

describe('HostedSqlite object', () => {
  it('refuses writes on a read-only call and leaves the data as it was', async () => {
    const stub = stubOf(unique());
    await stub.run({ sql: 'create table t (id integer primary key, v text)' });
    await stub.run({ sql: "insert into t values (1, 'a')" });
    expect(await failure(() => stub.rows({ sql: "insert into t values (2, 'b')" }))).toMatch(
      /read_only_violation/,
    );
    expect(await failure(() => stub.rows({ sql: 'delete from t' }))).toMatch(/read_only_violation/);
    expect(await failure(() => stub.rows({ sql: 'drop table t' }))).toMatch(/read_only_violation/);
    // Two statements in one text would both run: refused before either does.
    expect(await failure(() => stub.rows({ sql: 'select 1; delete from t' }))).toMatch(/one statement/);
    const { rows } = await stub.rows({ sql: 'select id, v from t' });
    expect(rows).toEqual([[1, 'a']]);
    const batch = () => stub.batch([{ sql: 'select 1' }, { sql: 'delete from t' }], true);
    expect(await failure(batch)).toMatch(/read_only_violation/);
    expect((await stub.rows({ sql: 'select count(*) from t' })).rows).toEqual([[1]]);
  });

  it('runs a dump batch statement by statement, reporting refused ones by line, with foreign keys off', async () => {
    const stub = stubOf(unique());
    const outcome = await stub.importBatch([
      {
        sql: 'CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent(id))',
        line: 1,
      },
      // The child row comes before its parent, as `.dump` writes tables in name order.
      { sql: 'INSERT INTO child VALUES (1, 10)', line: 2 },
      { sql: 'INSERT INTO nowhere VALUES (1)', line: 3 },
      { sql: 'CREATE TABLE parent (id INTEGER PRIMARY KEY)', line: 4 },
      { sql: 'INSERT INTO parent VALUES (10)', line: 6 },
    ]);
    expect(outcome.executed).toBe(4);
    expect(outcome.errors).toHaveLength(1);
    expect(outcome.errors[0]).toMatchObject({ line: 3 });
    expect(outcome.errors[0]!.message).toMatch(/no such table: nowhere/);
    expect(await stub.foreignKeyViolations()).toBe(0);
    // Foreign keys are enforced again once the batch is over.
    expect(await failure(() => stub.run({ sql: 'INSERT INTO child VALUES (2, 99)' }))).toMatch(/FOREIGN KEY/);
  });

  it('reports its size and drops everything on destroy', async () => {
    const name = unique();
    const stub = stubOf(name);
    await stub.run({ sql: 'create table big (v text)' });
    await stub.run({
      sql: 'with recursive n(i) as (select 1 union all select i + 1 from n where i < 200) insert into big select hex(randomblob(2000)) from n',
    });
    const size = await stub.size();
    expect(size).toBeGreaterThan(400_000);
    await stub.destroy();
    const after = stubOf(name);
    const { rows } = await after.rows({ sql: "select count(*) from sqlite_master where name = 'big'" });
    expect(rows).toEqual([[0]]);
  });

  it('behaves as a SQLite engine through the hosted transport', async () => {
    const engine = hostedSqliteEngine(env.HOSTED_SQLITE, unique());
    await engine.query('create table b (id integer primary key, data blob, n real)');
    const inserted = await engine.query('insert into b values (?, ?, ?) returning id', {
      params: [1, { $binary: 'AQID' }, 1.5],
    });
    expect(inserted.affectedRows).toBe(1);
    expect(inserted.rows).toEqual([[1]]);
    const read = await engine.query('select data, n from b', { readOnly: true });
    expect(read.rows).toEqual([[{ $binary: 'AQID' }, 1.5]]);
    await expect(engine.query('update b set n = 2', { readOnly: true })).rejects.toMatchObject({
      code: 'read_only_violation',
    });
    await engine.query('insert into b (id) values (2), (3), (4)');
    const bounded = await engine.query('select id from b order by id', { readOnly: true, maxRows: 2 });
    expect(bounded.rows).toEqual([[1], [2]]);
    expect(bounded.truncated).toBe(true);
    const snapshot = await engine.introspect();
    expect(snapshot.tables.map((t) => t.name)).toEqual(['b']);
    const streamed: unknown[][] = [];
    for await (const batch of engine.stream('select id from b order by id', { batchSize: 3 })) {
      streamed.push(...batch.rows);
    }
    expect(streamed).toEqual([[1], [2], [3], [4]]);
    expect((await engine.test()).serverVersion).toMatch(/Durable Object/);
  });
});
